package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.Trees;

/**
 * The local scenarios again with the input and the lake on an object store (S3Proxy), where a run writes
 * through S3A and its committers and an Iceberg lake's files and metadata are objects. The judge reads the
 * lake from S3Proxy's disk ({@link StoreLakes}).
 *
 * <ul>
 * <li><b>kill -9 of etl at a random moment</b>: an Iceberg lake's tables are each wholly old or new, {@code check}
 * passes; a Parquet lake's are too but for at most the one table being written (docs/guarantees.md, "the
 * window that remains on S3"); either way the next run converges.</li>
 * <li><b>Two etl runs at once, with a reader in a loop</b>: on an Iceberg lake one run publishes and the other
 * fails with one clear line (or they follow each other), the lake is wholly what the winner made, and the
 * reader never gets an error or an answer of neither lake. A Parquet lake on a store is not locked: what
 * came of it is measured and reported, and the next run must still converge.</li>
 * <li><b>Hostile input</b> read through S3A: loaded + rejected = read, each rejected record with its file and
 * reason (as {@link HostileInput} judges it).</li>
 * </ul>
 */
final class ThroughTheStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final FaultHarness.World world;
    private final long seed;

    ThroughTheStore(Path work, FaultHarness.World world, long seed) {
        this.work = work;
        this.world = world;
        this.seed = seed;
    }

    List<Outcome> run(int rounds) throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (boolean iceberg : new boolean[] {false, true}) {
            String kind = iceberg ? "iceberg" : "parquet";
            try (StoreLakes store = StoreLakes.start(work.resolve(kind), world)) {
                Outcome kills = new Outcome("kill -9 of etl at a random moment, through S3", kind);
                Outcome twice = new Outcome("two etl runs at once with a reader, through S3", kind);
                outcomes.add(kills);
                outcomes.add(twice);
                long started = System.nanoTime();
                Map<String, LakeFingerprint.Contents> old = store.load(iceberg, "before", "reference", kills, 0);
                long beforeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                started = System.nanoTime();
                Map<String, LakeFingerprint.Contents> fresh = store.load(iceberg, "after", "reference", kills, 0);
                long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (old == null || fresh == null) {
                    continue;
                }
                // Within the uninterrupted run's length less a tenth: a run that ends before its kill is a round
                // without a fault, and reloading the old lake for another try costs a load through the store.
                kills.notes.add(String.format("kills fall uniformly in the first %.1f s of a run (nine tenths of "
                        + "an uninterrupted one, %.1f s, JVM start included)", runMillis * 0.9 / 1000.0,
                        runMillis / 1000.0));
                Random random = new Random(seed * 17 + (iceberg ? 1 : 0));
                for (int round = 1; round <= rounds; round++) {
                    kill(store, iceberg, round, random.nextDouble() * runMillis * 0.9, old, fresh, kills);
                    twice(store, iceberg, round, (long) (random.nextDouble() * 0.5 * beforeMillis), old, fresh,
                            twice);
                }
            }
        }
        outcomes.add(hostile(rounds));
        return outcomes;
    }

    private void kill(StoreLakes store, boolean iceberg, int round, double at, Map<String, LakeFingerprint.Contents> old,
                      Map<String, LakeFingerprint.Contents> fresh, Outcome outcome)
            throws IOException, InterruptedException {
        String lake = "kill-" + round;
        if (store.load(iceberg, "before", lake, outcome, round) == null) {
            outcome.rounds++;
            return;
        }
        EtlProcess.Started run = EtlProcess.start(store.home, Map.of(), store.etl(iceberg, "after", lake));
        boolean killed = !run.process().waitFor((long) at, TimeUnit.MILLISECONDS);
        if (killed) {
            ProcessHandle.of(run.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
            outcome.faults++;
        }
        run.process().waitFor();
        String log = Files.readString(run.log());
        world.secrets().scan("a killed run through S3", log);
        String moment = (killed ? "killed at " : "finished before ") + (long) at + " ms, after '"
                + KillAtRandom.lastStage(log) + "'";
        List<String> broken = new ArrayList<>();
        List<String> states = Baseline.states(store.read(iceberg, lake), fresh, old);
        long neither = states.stream().filter(state -> !state.endsWith(" old") && !state.endsWith(" new")).count();
        if (iceberg ? neither > 0 : neither > 1) {
            broken.add("tables " + states + (iceberg ? "" : "; at most the one being written may be neither"));
        }
        if (iceberg) {
            broken.addAll(check(store, iceberg, lake, "right after"));
        }
        Map<String, LakeFingerprint.Contents> again = store.load(iceberg, "after", lake, outcome, round);
        if (again == null || !again.equals(fresh)) {
            broken.add(again == null ? "the next run failed" : "the next run did not converge: " + again);
        } else {
            broken.addAll(check(store, iceberg, lake, "after the next run"));
        }
        outcome.notes.add("round " + round + ": " + moment + "; tables " + states);
        if (!broken.isEmpty()) {
            broken.add(0, moment);
        }
        outcome.ended(round, broken);
    }

    /**
     * Run A loads {@code after}; run B starts {@code offset} ms later and loads {@code after} again into an
     * Iceberg lake (two publications would duplicate rows) or {@code before} into a Parquet lake (so that
     * tables of both runs in one lake show). A reader asks the named queries in a loop from before A starts
     * until after both ended: its first answers are the old lake's, its last the final lake's.
     */
    private void twice(StoreLakes store, boolean iceberg, int round, long offset,
                       Map<String, LakeFingerprint.Contents> old, Map<String, LakeFingerprint.Contents> fresh,
                       Outcome outcome) throws IOException, InterruptedException {
        String lake = "twice-" + round;
        if (store.load(iceberg, "before", lake, outcome, round) == null) {
            outcome.rounds++;
            return;
        }
        Path answers = store.home.resolve("reader-" + lake + ".jsonl");
        Path stop = store.home.resolve("stop-" + lake);
        List<String> arguments = new ArrayList<>(List.of(answers.toString(), stop.toString(), StoreLakes.uri(lake),
                "--config", store.config(iceberg, lake)));
        arguments.addAll(Baseline.QUERIES);
        EtlProcess.Started reader = EtlProcess.startMain(store.home, Map.of(), QueryLoop.class.getName(),
                arguments.toArray(String[]::new));
        List<String> broken = new ArrayList<>();
        try {
            awaitAnswers(answers, Baseline.QUERIES.size(), reader);
            long first = System.currentTimeMillis() * 1000;
            EtlProcess.Started a = EtlProcess.start(store.home, Map.of(), store.etl(iceberg, "after", lake));
            Thread.sleep(offset);
            EtlProcess.Started b = EtlProcess.start(store.home, Map.of(), store.etl(iceberg,
                    iceberg ? "after" : "before", lake));
            boolean ended = a.process().waitFor(10, TimeUnit.MINUTES) & b.process().waitFor(10, TimeUnit.MINUTES);
            if (!ended) {
                ProcessHandle.of(a.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
                ProcessHandle.of(b.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
                broken.add("the runs had not ended after 10 minutes");
            }
            long last = System.currentTimeMillis() * 1000;
            int before = lines(answers);
            awaitAnswers(answers, before + Baseline.QUERIES.size() + 1, reader);
            Files.writeString(stop, "");
            reader.process().waitFor(2, TimeUnit.MINUTES);

            String logA = Files.readString(a.log());
            String logB = Files.readString(b.log());
            world.secrets().scan("two runs at once through S3", logA + logB);
            world.secrets().scan("a reader through S3", Files.readString(answers));
            int codeA = a.process().exitValue();
            int codeB = b.process().exitValue();
            String said = "A exit " + codeA + (codeA == 0 ? "" : " (" + StoreLakes.lastLine(logA) + ")") + ", B exit "
                    + codeB + (codeB == 0 ? "" : " (" + StoreLakes.lastLine(logB) + ")");
            for (String log : new String[] {logA, logB}) {
                if (new Cli.Result(1, log).hasStackTrace()) {
                    broken.add("a run printed a stack trace: " + StoreLakes.tail(log));
                }
            }
            List<String> states = Baseline.states(store.read(iceberg, lake), fresh, old);
            boolean allNew = states.stream().allMatch(state -> state.endsWith(" new"));
            boolean allOld = states.stream().allMatch(state -> state.endsWith(" old"));
            String readers = judgeReader(answers, first, last);
            outcome.notes.add("round " + round + ": B started " + offset + " ms after A; " + said + "; tables "
                    + states + "; reader: " + readers);
            outcome.faults++;
            if (iceberg) {
                if (codeA != 0 && codeB != 0) {
                    broken.add("neither run published: " + said);
                }
                if (!allNew) {
                    broken.add("the lake is not wholly the new one: " + states);
                }
                if (readers.contains("error") || readers.contains("neither")) {
                    broken.add("a reader saw " + readers);
                }
            } else if (!allNew && !allOld) {
                outcome.notes.add("round " + round + ": a Parquet lake on a store is not locked; the two runs "
                        + "left a lake of both: " + states);
            }
            Map<String, LakeFingerprint.Contents> again = store.load(iceberg, "after", lake, outcome, round);
            if (again == null || !again.equals(fresh)) {
                broken.add(again == null ? "the next run failed" : "the next run did not converge: " + again);
            }
        } finally {
            Files.writeString(stop, "");
            if (!reader.process().waitFor(1, TimeUnit.MINUTES)) {
                ProcessHandle.of(reader.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        outcome.ended(round, broken);
    }

    /** Each query's answers: the first (old lake) and the last (final lake) frame what came in between. */
    private static String judgeReader(Path answers, long first, long last) throws IOException {
        List<JsonNode> all = new ArrayList<>();
        for (String line : Files.readAllLines(answers)) {
            all.add(JSON.readTree(line));
        }
        Map<String, String> oldAnswer = new HashMap<>();
        Map<String, String> finalAnswer = new HashMap<>();
        for (JsonNode answer : all) {
            String query = answer.get("query").asText();
            if (answer.get("end").asLong() < first && answer.get("code").asInt() == 0) {
                oldAnswer.put(query, answer.get("out").asText());
            }
            if (answer.get("start").asLong() > last && answer.get("code").asInt() == 0) {
                finalAnswer.putIfAbsent(query, answer.get("out").asText());
            }
        }
        Map<String, Integer> verdicts = new LinkedHashMap<>();
        for (JsonNode answer : all) {
            String query = answer.get("query").asText();
            String out = answer.get("out").asText();
            String verdict = answer.get("code").asInt() != 0 ? "error"
                    : out.equals(oldAnswer.get(query)) ? "old" : out.equals(finalAnswer.get(query)) ? "new"
                    : finalAnswer.containsKey(query) ? "neither" : "unjudged";
            verdicts.merge(verdict, 1, Integer::sum);
        }
        return verdicts.toString();
    }

    /** Damaged input, uploaded, loaded through S3A into a Parquet lake on the store. */
    private Outcome hostile(int rounds) throws IOException, InterruptedException {
        Outcome outcome = new Outcome("hostile input (mutated files), through S3", "parquet");
        HostileInput mutations = new HostileInput(work.resolve("hostile"), world, seed);
        try (StoreLakes store = StoreLakes.start(work.resolve("hostile-store"), world)) {
            for (int round = 1; round <= rounds; round++) {
                Path input = Trees.copy(world.after(), work.resolve("hostile").resolve("input-" + round));
                List<String> injected = mutations.mutate(input);
                outcome.faults += injected.size();
                store.put("hostile-" + round, input);
                String lake = "hostile-lake-" + round;
                List<String> arguments = new ArrayList<>(List.of(store.etl(false, "hostile-" + round, lake)));
                arguments.addAll(List.of("--max-rejected-fraction", "1"));
                EtlProcess.Finished done = EtlProcess.run(store.home, Map.of(), arguments.toArray(String[]::new));
                world.secrets().scan("hostile input through S3", done.output());
                HostileInput.judge(outcome, round, new Cli.Result(done.code(), done.output()), input,
                        store.onDisk(lake), injected);
            }
        }
        return outcome;
    }

    private List<String> check(StoreLakes store, boolean iceberg, String lake, String when)
            throws IOException, InterruptedException {
        EtlProcess.Finished checked = EtlProcess.run(store.home, Map.of(), "check", "--lake", StoreLakes.uri(lake),
                "--config", store.config(iceberg, lake));
        world.secrets().scan("check through S3", checked.output());
        return checked.code() == 0 ? List.of()
                : List.of("check " + when + " failed: " + StoreLakes.tail(checked.output()));
    }

    private static int lines(Path file) throws IOException {
        return Files.exists(file) ? (int) Files.readAllLines(file).stream().filter(l -> !l.isBlank()).count() : 0;
    }

    private static void awaitAnswers(Path answers, int count, EtlProcess.Started reader)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (lines(answers) < count && reader.process().isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        if (lines(answers) < count) {
            throw new IllegalStateException("the reader gave " + lines(answers) + " answers, not " + count
                    + "; see " + reader.log());
        }
    }
}
