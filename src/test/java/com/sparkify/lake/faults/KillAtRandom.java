package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.Trees;

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
    private final boolean iceberg;
    private final FaultHarness.World world;
    private final Random random;

    KillAtRandom(Path work, boolean iceberg, FaultHarness.World world, long seed) {
        this.work = work;
        this.iceberg = iceberg;
        this.world = world;
        this.random = new Random(seed);
    }

    private String[] etl(Path input, Path lake) {
        List<String> arguments = new ArrayList<>(List.of("etl", "--input", input.toString(), "--output",
                lake.toString(), "--config", world.config().toString()));
        if (iceberg) {
            arguments.addAll(List.of("--format", "iceberg"));
        }
        return arguments.toArray(String[]::new);
    }

    Outcome run(int rounds) throws IOException, InterruptedException {
        Outcome outcome = new Outcome("kill -9 of etl at a random moment", iceberg ? "iceberg" : "parquet");
        String kind = outcome.lake;
        Path lake = work.resolve(kind + "-lake");
        Path pristine = work.resolve(kind + "-pristine");
        Cli.Result built = Cli.run(etl(world.before(), lake));
        world.secrets().scan("building the old lake", built.output());
        if (built.code() != 0) {
            throw new IllegalStateException("the old lake did not build: " + built.output());
        }
        Trees.copy(lake, pristine);
        Map<String, LakeFingerprint.Contents> old = LakeFingerprint.of(lake, iceberg);
        // The reader of its own must see what the run says it wrote, or its verdicts mean nothing.
        RunSummary summary = RunSummary.fromJson(Files.readString(lake.resolve("_run/summary.json")));
        summary.tables().forEach((table, rows) -> {
            if (!rows.equals(old.get(table).rows())) {
                throw new IllegalStateException("the independent reader counts " + old.get(table) + " in " + table
                        + ", the run wrote " + rows);
            }
        });

        // The new lake, from an uninterrupted run here. A run in a JVM of its own takes about twice as long
        // (a second JIT warm-up) plus its start: the kills are spread over that, and a kill that comes after
        // the end counts as a round without a fault.
        long start = System.nanoTime();
        Cli.Result reference = Cli.run(etl(world.after(), lake));
        long runMillis = 2 * TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + 8_000;
        world.secrets().scan("the uninterrupted run", reference.output());
        if (reference.code() != 0) {
            throw new IllegalStateException("the uninterrupted run failed: " + reference.output());
        }
        Map<String, LakeFingerprint.Contents> fresh = LakeFingerprint.of(lake, iceberg);
        old.forEach((table, contents) -> {
            if (contents.equals(fresh.get(table))) {
                outcome.notes.add(table + " is the same before and after the run: a kill cannot be seen in it");
            }
        });
        outcome.notes.add(String.format("kills fall uniformly in the first %.1f s of a run (twice an uninterrupted "
                + "run in this JVM, plus 8 s for a JVM's start)", runMillis / 1000.0));

        Map<String, Integer> landed = new java.util.LinkedHashMap<>();
        long window = runMillis;
        int finishedFirst = 0;
        for (int round = 1; round <= rounds; round++) {
            // A run that ends before its kill is a round without a fault: the round starts again, its moment
            // drawn within how long that run took (at most three times).
            boolean killed = false;
            long at = 0;
            String log = "";
            for (int attempt = 1; attempt <= 3 && !killed; attempt++) {
                restore(pristine, lake);
                at = (long) (random.nextDouble() * window);
                long started = System.nanoTime();
                EtlProcess.Started run = EtlProcess.start(work, Map.of(), etl(world.after(), lake));
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
            Cli.Result rerun = Cli.run(etl(world.after(), lake));
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

    /**
     * The old lake back where it was built (an Iceberg lake's metadata names its files by absolute path). The
     * catalog database is rewritten in place, not replaced: this JVM's catalog keeps it open.
     */
    private void restore(Path pristine, Path lake) throws IOException {
        Path database = Path.of("_catalog", "lake.db");
        try (Stream<Path> paths = Files.walk(lake)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                if (!lake.relativize(path).equals(database) && !path.equals(lake)
                        && !(Files.isDirectory(path) && database.startsWith(lake.relativize(path)))) {
                    Files.delete(path);
                }
            }
        }
        try (Stream<Path> paths = Files.walk(pristine)) {
            for (Path path : paths.toList()) {
                Path target = lake.resolve(pristine.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(target);
                } else if (pristine.relativize(path).equals(database)) {
                    Files.write(target, Files.readAllBytes(path));
                } else {
                    Files.copy(path, target);
                }
            }
        }
    }

}
