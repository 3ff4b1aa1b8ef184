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
 * Guarantee: when the object store dies in the middle of a run (S3Proxy killed with SIGKILL while the run
 * reads, writes, or publishes), the run ends with a clear error of one line and exit code 1; an Iceberg lake
 * shows nothing of the run (or, if the store died while the run published, whole tables of the run that the
 * next run finishes publishing), and a Parquet lake on a store only what docs/guarantees.md says may change
 * (at most the one table being written is neither old nor new); once the store is back, a re-run converges to
 * the new lake.
 * <p>
 * Everything goes through S3Proxy: the input, the lake, and (an Iceberg lake) its tables' metadata; the
 * catalog is a SQLite file, as a user would configure one. The judge reads the objects as S3Proxy stores them
 * on its disk (Parquet files, Iceberg metadata) with {@link LakeFingerprint}, not through the project's code.
 */
final class StoreDies {

    /** How long a run may take to fail once its store is gone: its own retries are a few seconds. */
    private static final long DEADLINE_MINUTES = 3;

    /**
     * When the store goes: just after the run prints the line of a stage, at a seeded delay. A Parquet lake on
     * a store is written in place, table by table, each write ending in its committer's job commit: the kills
     * land in the reads, in the first table's write, or in the next tables' writes and commits. An Iceberg
     * lake's run writes every change on its branches, then checks, then publishes.
     */
    enum Moment {
        READS("start spark", "while it read the input"),
        WRITES("extract log_data", "while it wrote the first tables"),
        COMMITS("load songs", "while it wrote and committed the next tables"),
        PUBLISH("check", "while it published");

        final String after;
        final String what;

        Moment(String after, String what) {
            this.after = after;
            this.what = what;
        }

        static List<Moment> of(boolean iceberg) {
            return iceberg ? List.of(READS, WRITES, PUBLISH) : List.of(READS, WRITES, COMMITS);
        }
    }

    private final Path work;
    private final FaultHarness.World world;
    private final long seed;

    StoreDies(Path work, FaultHarness.World world, long seed) {
        this.work = work;
        this.world = world;
        this.seed = seed;
    }

    List<Outcome> run(int rounds) throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (boolean iceberg : new boolean[] {false, true}) {
            outcomes.add(run(rounds, iceberg));
        }
        return outcomes;
    }

    private Outcome run(int rounds, boolean iceberg) throws IOException, InterruptedException {
        String kind = iceberg ? "iceberg" : "parquet";
        Outcome outcome = new Outcome("the object store dies mid-run (S3Proxy killed), through S3", kind);
        Random random = new Random(seed * 31 + (iceberg ? 1 : 0));
        try (StoreLakes store = StoreLakes.start(work.resolve(kind), world)) {
            // What the lake must be: the old one (a load of before) and the new one (before, then after).
            Map<String, LakeFingerprint.Contents> old = store.load(iceberg, "before", "reference", outcome, 0);
            Map<String, LakeFingerprint.Contents> fresh = store.load(iceberg, "after", "reference", outcome, 0);
            if (old == null || fresh == null) {
                return outcome;
            }
            for (int round = 1; round <= rounds; round++) {
                outcome.rounds++;
                String lake = "lake-" + round;
                if (store.load(iceberg, "before", lake, outcome, round) == null) {
                    continue;
                }
                List<Moment> moments = Moment.of(iceberg);
                Moment moment = moments.get(random.nextInt(moments.size()));
                long delay = random.nextInt(1500);
                EtlProcess.Started run = EtlProcess.start(store.home, Map.of(), store.etl(iceberg, "after", lake));
                boolean struck = awaitLine(run, moment.after, TimeUnit.MINUTES.toMillis(4));
                if (struck) {
                    Thread.sleep(delay);
                    store.kill();
                }
                // A run stuck retrying a store that is gone fails this round, and is stopped by its pid.
                if (!run.process().waitFor(DEADLINE_MINUTES, TimeUnit.MINUTES)) {
                    ProcessHandle.of(run.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
                    run.process().waitFor(1, TimeUnit.MINUTES);
                    world.secrets().scan("a run whose store died (" + kind + ")", Files.readString(run.log()));
                    outcome.faults++;
                    outcome.fail(round, "the run had not ended " + DEADLINE_MINUTES + " minutes after the store died "
                            + moment.what + "; its last line: " + StoreLakes.lastLine(Files.readString(run.log())));
                    store.restart();
                    continue;
                }
                EtlProcess.Finished finished = new EtlProcess.Finished(run.process().exitValue(),
                        Files.readString(run.log()));
                world.secrets().scan("a run whose store died (" + kind + ")", finished.output());
                if (struck) {
                    store.restart();
                }
                if (!struck || finished.code() == 0) {
                    outcome.notes.add("round " + round + ": the run ended before the store died "
                            + moment.what + "; no fault injected");
                    if (finished.code() != 0) {
                        outcome.fail(round, "the run failed without a fault: " + StoreLakes.tail(finished.output()));
                    }
                    continue;
                }
                outcome.faults++;
                List<String> broken = new ArrayList<>();
                if (finished.code() != 1) {
                    broken.add("exit code " + finished.code() + ", not 1");
                }
                Cli.Result said = new Cli.Result(finished.code(), finished.output());
                String error = StoreLakes.lastLine(finished.output());
                if (said.hasStackTrace() || !error.contains("object store")) {
                    broken.add("not a clear one-line error about the store: "
                            + (said.hasStackTrace() ? "a stack trace; " : "") + error);
                }
                Map<String, LakeFingerprint.Contents> seen = store.read(iceberg, lake);
                int neither = 0;
                int fresher = 0;
                for (String table : LakeFingerprint.TABLES) {
                    LakeFingerprint.Contents contents = seen.get(table);
                    if (contents.equals(fresh.get(table))) {
                        fresher++;
                    } else if (!contents.equals(old.get(table))) {
                        neither++;
                        if (iceberg) {
                            broken.add(table + " is neither the old table nor the new one: " + contents);
                        }
                    }
                }
                if (iceberg && fresher > 0 && moment != Moment.PUBLISH) {
                    broken.add(fresher + " table(s) of the run are visible, though the store died " + moment.what);
                }
                if (!iceberg && neither > 1) {
                    broken.add(neither + " tables are neither old nor new; at most the one being written may be");
                }
                Map<String, LakeFingerprint.Contents> again = store.load(iceberg, "after", lake, outcome, round);
                if (again == null) {
                    broken.add("the re-run after the store came back failed");
                } else if (!again.equals(fresh)) {
                    broken.add("the re-run did not converge to the new lake: " + again + " against " + fresh);
                }
                outcome.notes.add("round " + round + ": the store died " + moment.what + " (after '" + moment.after
                        + "' + " + delay + " ms); the run said: " + error);
                if (broken.isEmpty()) {
                    outcome.survived++;
                } else {
                    outcome.fail(round, String.join("; ", broken));
                }
            }
        }
        return outcome;
    }

    static boolean awaitLine(EtlProcess.Started run, String stage, long millis)
            throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline && run.process().isAlive()) {
            if (Files.readString(run.log()).lines().anyMatch(line -> line.startsWith(stage + " "))) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
