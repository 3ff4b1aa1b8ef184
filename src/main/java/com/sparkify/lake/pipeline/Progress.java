package com.sparkify.lake.pipeline;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.sparkify.lake.store.StoreRequests;

/** Times the stages of a run and tells the user about each as it ends. */
public final class Progress implements com.sparkify.lake.load.Stages {

    /**
     * @param detail   what the stage did, in counts
     * @param requests requests to object stores during the stage, by kind (see store.StoreRequests); empty
     *                 when the run uses none
     */
    public record Stage(String name, String detail, double seconds, Map<String, Long> requests) {
    }

    private final PrintStream out;
    private final Instant started = Instant.now();
    private final List<Stage> stages = new ArrayList<>();
    private Supplier<Map<String, Long>> requests = Map::of;

    public Progress(PrintStream out) {
        this.out = out;
    }

    /** Counts each stage's requests to object stores from now on: {@code sofar} gives the total so far. */
    public void countRequests(Supplier<Map<String, Long>> sofar) {
        this.requests = sofar;
    }

    /** Runs {@code work}, then prints one line: the stage, what {@code describe} says of its result, seconds. */
    @Override
    public <T> T stage(String name, Supplier<T> work, java.util.function.Function<T, String> describe) {
        Map<String, Long> before = requests.get();
        long start = System.nanoTime();
        T result = work.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        Stage stage = new Stage(name, describe.apply(result), seconds,
                StoreRequests.between(before, requests.get()));
        stages.add(stage);
        out.printf("%-18s %-58s %6.1f s%n", stage.name(), stage.detail(), stage.seconds());
        out.flush();
        com.sparkify.lake.KillSwitch.reached(name);
        return result;
    }

    @Override
    public void say(String line) {
        out.println(line);
        out.flush();
    }

    /** When the command began: a run's time counts from here, so its total is the user's wait, stages and all. */
    public Instant started() {
        return started;
    }

    public double seconds() {
        return Duration.between(started, Instant.now()).toMillis() / 1000.0;
    }

    public List<Stage> stages() {
        return List.copyOf(stages);
    }
}
