package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import com.sparkify.lake.support.EtlProcess;

/**
 * Guarantee: a run killed with SIGKILL at any moment leaves every table wholly the old one or wholly the new one,
 * a lake that {@code check} passes, and a next run that converges to the lake an uninterrupted run gives.
 *
 * <p>The lake holds a load of input A; the run loads input B (A with more songs and a day more of logs), in a
 * process of its own, killed by its pid at a random moment (seeded) within about the time an uninterrupted run
 * takes. The tables are then read by {@link LakeFingerprint}, not by the project's code.
 */
final class KillAtRandom {

    private final Path work;
    private final Baseline baseline;
    private final boolean iceberg;
    private final FaultHarness.World world;
    private final Random random;

    KillAtRandom(Path work, Baseline baseline, long seed) throws IOException {
        this.work = Files.createDirectories(work);
        this.baseline = baseline;
        this.iceberg = baseline.iceberg;
        this.world = baseline.world;
        this.random = new Random(seed);
    }

    Outcome run(int rounds) throws IOException, InterruptedException {
        Outcome outcome = new Outcome("kill -9 of etl at a random moment", baseline.kind);
        Path lake = baseline.lake;
        Map<String, LakeFingerprint.Contents> old = baseline.old;
        Map<String, LakeFingerprint.Contents> fresh = baseline.fresh;
        // A run in a JVM of its own takes about twice as long as in this one (a second JIT warm-up) plus its
        // start: the kills are spread over that, and a kill that comes after the end counts as a round without
        // a fault.
        long runMillis = 2 * baseline.runMillis + 8_000;
        outcome.notes.addAll(baseline.notes);
        outcome.notes.add(String.format("kills fall uniformly in the first %.1f s of a run (twice an uninterrupted "
                + "run in this JVM, plus 8 s for a JVM's start)", runMillis / 1000.0));

        Map<String, Integer> landed = new java.util.LinkedHashMap<>();
        long window = runMillis;
        int finishedFirst = 0;
        int staleLocks = 0;
        for (int round = 1; round <= rounds; round++) {
            // A run that ends before its kill is a round without a fault: the round starts again, its moment
            // drawn within how long that run took (at most three times).
            boolean killed = false;
            long at = 0;
            String log = "";
            for (int attempt = 1; attempt <= 3 && !killed; attempt++) {
                baseline.restore();
                at = (long) (random.nextDouble() * window);
                long started = System.nanoTime();
                EtlProcess.Started run = EtlProcess.start(work, Map.of(), baseline.etl(world.after()));
                killed = !run.process().waitFor(at, TimeUnit.MILLISECONDS);
                if (killed) {
                    new ProcessBuilder("kill", "-KILL", String.valueOf(run.process().pid())).inheritIO().start()
                            .waitFor();
                    outcome.faults++;
                } else {
                    window = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    finishedFirst++;
                }
                run.process().waitFor();
                log = Files.readString(run.log());
                world.secrets().scan("round " + round + " etl", log);
            }
            String moment = (killed ? "killed at " : "finished before ") + at + " ms";
            if (killed) {
                landed.merge(lastStage(log), 1, Integer::sum);
            }
            boolean held = true;

            Map<String, LakeFingerprint.Contents> after = LakeFingerprint.of(lake, iceberg);
            List<String> states = new ArrayList<>();
            for (String table : LakeFingerprint.TABLES) {
                LakeFingerprint.Contents seen = after.get(table);
                String state = seen.equals(fresh.get(table)) ? "new" : seen.equals(old.get(table)) ? "old"
                        : seen.rows() == null ? "MISSING" : "MIXED (" + seen + ")";
                states.add(table + " " + state);
                if (!state.equals("new") && !state.equals("old")) {
                    held = false;
                }
            }
            if (!held) {
                outcome.fail(round, moment + ": " + String.join(", ", states));
            }
            Cli.Result check = Cli.run("check", "--lake", lake.toString(), "--config", world.config().toString());
            world.secrets().scan("round " + round + " check", check.output());
            if (check.code() != 0) {
                held = false;
                outcome.fail(round, moment + " (" + String.join(", ", states) + "): check right after failed: "
                        + failing(check.output()));
            }
            boolean lockLeft = Files.exists(lake.resolve("_lock"));
            Cli.Result rerun = Cli.run(baseline.etl(world.after()));
            if (lockLeft && rerun.output().contains("taken over from")) {
                staleLocks++;
            }
            if (Files.exists(lake.resolve("_lock"))) {
                held = false;
                outcome.fail(round, moment + ": the next run left its lock file behind");
            }
            world.secrets().scan("round " + round + " re-run", rerun.output());
            Map<String, LakeFingerprint.Contents> converged = LakeFingerprint.of(lake, iceberg);
            if (rerun.code() != 0 || !converged.equals(fresh)) {
                held = false;
                outcome.fail(round, moment + ": the next run " + (rerun.code() != 0 ? "failed: "
                        + rerun.output().lines().filter(l -> l.startsWith("sparkify-lake")).toList()
                        : "did not converge: " + converged + " instead of " + fresh));
            } else if (Cli.run("check", "--lake", lake.toString(), "--config", world.config().toString()).code() != 0) {
                held = false;
                outcome.fail(round, moment + ": check failed after the next run");
            }
            outcome.rounds++;
            if (held) {
                outcome.survived++;
            }
        }
        outcome.notes.add(staleLocks + " next run(s) found the killed run's lock file and took it over (the "
                + "lock died with its holder)");
        outcome.notes.add("the kills came after these stages (the last one the run had printed): " + landed
                + (finishedFirst == 0 ? "" : "; " + finishedFirst + " run(s) ended before their kill and were "
                + "started again"));
        return outcome;
    }

    /** The last stage a run printed as done (Progress's lines), or where it was before the first. */
    static String lastStage(String log) {
        String last = "nothing (JVM and Spark starting)";
        for (String line : log.lines().toList()) {
            java.util.regex.Matcher m = STAGE.matcher(line);
            if (m.matches()) {
                last = m.group(1).strip();
            }
        }
        return last;
    }

    private static final java.util.regex.Pattern STAGE = java.util.regex.Pattern.compile("^([a-z][a-z_ ]*?)\\s{2,}.*\\d\\.\\d s$");

    private static String failing(String checkOutput) {
        List<String> lines = checkOutput.lines().filter(line -> line.startsWith("FAIL") || line.startsWith("sparkify-lake"))
                .toList();
        return lines.isEmpty() ? checkOutput.strip() : String.join("; ", lines);
    }
}
