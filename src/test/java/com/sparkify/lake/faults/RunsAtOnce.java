package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.support.EtlProcess;

/**
 * Two guarantees, tried with the same runs (so the suite pays for one set of JVMs):
 *
 * <p><b>Two etl runs at once</b> into one lake: one wins and the other fails with one clear line, or they run
 * one after the other; never a lake that is neither what one of them made nor the old one. Run A loads the
 * world's {@code after}; run B starts at a seeded moment within A's expected length and loads {@code before}
 * into a Parquet lake (so that a lake mixing the two runs' tables shows) or {@code after} again into an Iceberg
 * lake (an incremental run: two of them publishing would duplicate rows). The lake must then be, table by
 * table, what the last run that succeeded made of it, or the old lake if neither did; {@code check} passes;
 * neither staging nor a lock is left.
 *
 * <p><b>Readers during a run</b>: query processes in a loop (one in this JVM, and two JVMs of their own in
 * faults/run)
 * while the runs replace the tables. Each answer is compared with the same query's answer on the old lake and
 * on the new one, worked out before. An Iceberg lake must give no error and no answer that is neither. A
 * Parquet lake is measured: what readers saw, and whether every error or odd answer came while the tables
 * were being renamed into place (the publication, whose moments are the renamed folders' change times).
 */
final class RunsAtOnce {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path work;
    private final Baseline baseline;
    private final Random random;
    private final int childReaders;
    private final long pauseMillis;

    /**
     * @param childReaders reader JVMs beside the reader in this JVM
     * @param pauseMillis  the pause of this JVM's reader between two queries (the suite's: it shares two cores
     *                     with the runs it watches)
     */
    RunsAtOnce(Path work, Baseline baseline, long seed, int childReaders, long pauseMillis) throws IOException {
        this.work = Files.createDirectories(work);
        this.baseline = baseline;
        this.random = new Random(seed);
        this.childReaders = childReaders;
        this.pauseMillis = pauseMillis;
    }

    /** One answer a reader got: when, and what it was (old, new, error, neither). */
    record Answer(String reader, String query, long start, long end, String verdict, String detail) {
    }

    List<Outcome> run(int rounds) throws IOException, InterruptedException {
        Outcome runs = new Outcome("two etl runs at once into one lake", baseline.kind);
        Outcome reads = new Outcome("readers in a loop while etl replaces the tables", baseline.kind);
        boolean iceberg = baseline.iceberg;
        Path lake = baseline.lake;
        FaultHarness.World world = baseline.world;
        Path inputB = iceberg ? world.after() : world.before();
        Map<String, LakeFingerprint.Contents> resultB = iceberg ? baseline.fresh : baseline.old;
        // A run in a JVM of its own: about twice the run in this one, plus its start (as KillAtRandom).
        long expected = 2 * baseline.runMillis + 8_000;
        Map<String, Integer> verdicts = new LinkedHashMap<>();
        int duringPublication = 0;
        List<String> examples = new ArrayList<>();
        int lockRefusals = 0;
        int serialized = 0;
        List<String> otherFailures = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            baseline.restore();
            long offset = (long) (random.nextDouble() * 0.6 * expected);
            Path stop = work.resolve("stop-" + round);
            List<EtlProcess.Started> readers = new ArrayList<>();
            for (int r = 0; r < childReaders; r++) {
                List<String> arguments = new ArrayList<>(List.of(work.resolve("reader-" + round + "-" + r + ".jsonl")
                        .toString(), stop.toString(), lake.toString()));
                List<String> queries = new ArrayList<>(Baseline.QUERIES);
                Collections.rotate(queries, r + 1);
                arguments.addAll(queries);
                readers.add(EtlProcess.startMain(work, Map.of(), QueryLoop.class.getName(),
                        arguments.toArray(String[]::new)));
            }
            List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stopHere = new AtomicBoolean();
            Thread here = new Thread(() -> {
                for (int i = 0; !stopHere.get(); i++) {
                    String query = Baseline.QUERIES.get(i % Baseline.QUERIES.size());
                    answers.add(judge("this JVM", JSON.valueToTree(QueryLoop.ask(query, lake.toString()))));
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "faults-reader");

            // The moments tables were renamed into place (a Parquet lake): each entry's change time, sampled.
            java.util.Set<Long> renamed = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread watcher = new Thread(() -> {
                while (!stopHere.get()) {
                    renamed.addAll(changeTimes(lake));
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "faults-rename-watcher");
            long wallStartA = wallMicros();
            EtlProcess.Started a = EtlProcess.start(work, Map.of(), baseline.etl(world.after()));
            here.start();
            if (!iceberg) {
                watcher.start();
            }
            boolean aEndedFirst = a.process().waitFor(offset, TimeUnit.MILLISECONDS);
            EtlProcess.Started b = EtlProcess.start(work, Map.of(), baseline.etl(inputB));
            // Which ended last, as this process saw them end.
            long endA = aEndedFirst ? System.nanoTime() : -1;
            long wallEndA = aEndedFirst ? wallMicros() : -1;
            long endB = -1;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            // The lake the moment the first run ends with success while the other still runs: it must be wholly
            // what that run made (a run that removed the other's staging would make it publish a table short).
            String between = null;
            while ((endA < 0 || endB < 0) && System.nanoTime() < deadline) {
                boolean bothRan = endA < 0 && endB < 0;
                if (endA < 0 && !a.process().isAlive()) {
                    endA = System.nanoTime();
                    wallEndA = wallMicros();
                }
                if (endB < 0 && !b.process().isAlive()) {
                    endB = System.nanoTime();
                }
                if (bothRan && (endA < 0) != (endB < 0)) {
                    Process first = endA >= 0 ? a.process() : b.process();
                    Process other = endA >= 0 ? b.process() : a.process();
                    if (first.exitValue() == 0) {
                        Map<String, LakeFingerprint.Contents> made = first == a.process() ? baseline.fresh : resultB;
                        Map<String, LakeFingerprint.Contents> now = LakeFingerprint.of(lake, iceberg);
                        if (!now.equals(made) && other.isAlive()) {
                            between = "right after run " + (first == a.process() ? "A" : "B") + " succeeded, "
                                    + "with the other still running, the lake was not what it made: "
                                    + baseline.states(now, made, made == baseline.old ? baseline.fresh : baseline.old);
                        }
                    }
                }
                Thread.sleep(20);
            }
            Files.writeString(stop, "stop");
            stopHere.set(true);
            here.join(TimeUnit.MINUTES.toMillis(2));
            watcher.join(TimeUnit.MINUTES.toMillis(1));
            for (EtlProcess.Started reader : readers) {
                if (!reader.process().waitFor(1, TimeUnit.MINUTES)) {
                    reads.notes.add("round " + round + ": a reader did not stop when asked; killed");
                }
            }
            EtlProcess.Finished doneA = a.await(1);
            EtlProcess.Finished doneB = b.await(1);
            for (EtlProcess.Started reader : readers) {
                reader.await(1); // stops it by its pid if still there
            }
            world.secrets().scan("round " + round + " run A", doneA.output());
            world.secrets().scan("round " + round + " run B", doneB.output());
            boolean overlapped = !aEndedFirst;
            if (overlapped) {
                runs.faults++;
            }

            // The runs: each succeeded, or failed in one clear line.
            boolean held = true;
            String moment = String.format("B started %.1f s after A%s", offset / 1000.0,
                    aEndedFirst ? " (A had ended: not at once)" : "");
            for (EtlProcess.Finished done : List.of(doneA, doneB)) {
                String name = done == doneA ? "A" : "B";
                List<String> said = done.output().lines().filter(l -> l.startsWith("sparkify-lake:")).toList();
                boolean trace = new Cli.Result(done.code(), done.output()).hasStackTrace();
                if (done.code() != 0 && (said.size() != 1 || trace || done.code() != 1)) {
                    held = false;
                    runs.fail(round, moment + ": run " + name + " exited " + done.code() + " without one clear line"
                            + (trace ? " (a stack trace)" : "") + ": " + said);
                } else if (done.code() != 0 && said.get(0).contains("Another run holds the lake")) {
                    lockRefusals++;
                } else if (done.code() != 0) {
                    otherFailures.add("round " + round + " run " + name + ": " + said.get(0));
                }
            }
            if (doneA.code() == 0 && doneB.code() == 0) {
                serialized++;
            }
            if (between != null) {
                held = false;
                runs.fail(round, moment + ": " + between);
            }
            // What the lake must be: the last successful run's result, or the old lake.
            Map<String, LakeFingerprint.Contents> want = baseline.old;
            String whose = "the old lake (both runs failed)";
            if (doneA.code() == 0 && (doneB.code() != 0 || endA > endB)) {
                want = baseline.fresh;
                whose = "A's";
            } else if (doneB.code() == 0) {
                want = resultB;
                whose = "B's";
            }
            Map<String, LakeFingerprint.Contents> seen = LakeFingerprint.of(lake, iceberg);
            if (!seen.equals(want)) {
                held = false;
                runs.fail(round, moment + ", A exited " + doneA.code() + ", B " + doneB.code() + ": the lake is not "
                        + whose + ": " + baseline.states(seen, want, want == baseline.old ? baseline.fresh
                        : baseline.old));
            }
            List<String> left = leftovers(lake);
            if (!left.isEmpty()) {
                held = false;
                runs.fail(round, moment + ": left in the lake: " + left);
            }
            Cli.Result check = Cli.run("check", "--lake", lake.toString(), "--config", world.config().toString());
            world.secrets().scan("round " + round + " check", check.output());
            if (check.code() != 0) {
                held = false;
                runs.fail(round, moment + ": check failed: " + check.output().lines()
                        .filter(l -> l.startsWith("FAIL") || l.startsWith("sparkify-lake")).toList());
            }
            runs.rounds++;
            if (held) {
                runs.survived++;
            }

            // The readers.
            for (int r = 0; r < childReaders; r++) {
                Path file = work.resolve("reader-" + round + "-" + r + ".jsonl");
                if (!Files.exists(file)) {
                    continue;
                }
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    answers.add(judge("reader JVM " + (r + 1), JSON.readTree(line)));
                }
            }
            renamed.addAll(changeTimes(lake));
            List<long[]> windows = publications(renamed, wallStartA);
            List<Answer> wrong = new ArrayList<>();
            for (Answer answer : answers) {
                verdicts.merge(answer.verdict(), 1, Integer::sum);
                reads.faults += answer.start() < wallEndA && answer.end() > wallStartA ? 1 : 0;
                if (answer.verdict().equals("old") || answer.verdict().equals("new")) {
                    continue;
                }
                boolean inWindow = windows.stream().anyMatch(w -> answer.start() <= w[1] && answer.end() >= w[0]);
                duringPublication += inWindow ? 1 : 0;
                if (inWindow && examples.size() < 3 && examples.stream().noneMatch(e -> e.equals(answer.detail()))) {
                    examples.add(answer.detail());
                }
                if (iceberg || !inWindow) {
                    wrong.add(answer);
                }
            }
            if (!wrong.isEmpty()) {
                Answer first = wrong.get(0);
                reads.fail(round, wrong.size() + " answer(s) " + (iceberg ? "" : "outside the publication ")
                        + "neither old nor new, e.g. " + first.reader() + ", " + first.query() + ": "
                        + first.verdict() + ": " + first.detail());
            }
            reads.rounds++;
            if (wrong.isEmpty()) {
                reads.survived++;
            }
        }
        runs.notes.add(String.format("%d run(s) refused with 'another run holds the lake'; %d round(s) where both "
                + "succeeded (the second took the lake after the first let go, or no lock kept them apart)%s", lockRefusals, serialized, otherFailures.isEmpty() ? ""
                : "; other clear failures: " + otherFailures));
        reads.notes.add("answers (each compared with the query's answer on the old and on the new lake): " + verdicts
                + (baseline.iceberg ? "" : "; of the errors and answers that were neither, " + duringPublication
                + " overlapped a publication (the folder renames, ±50 ms)" + (examples.isEmpty() ? ""
                : ", e.g. " + examples)));
        reads.notes.add("'faults injected' counts the answers asked for while run A was under way");
        return List.of(runs, reads);
    }

    private static long wallMicros() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    }

    private Answer judge(String reader, JsonNode answer) {
        String query = answer.get("query").asText();
        String out = answer.get("out").asText();
        String verdict = answer.get("code").asInt() != 0 ? "error" : out.equals(baseline.oldAnswers.get(query))
                ? "old" : out.equals(baseline.newAnswers.get(query)) ? "new" : "neither";
        String detail = verdict.equals("error") ? answer.get("err").asText().lines()
                .filter(l -> l.startsWith("sparkify-lake")).findFirst().orElse(answer.get("err").asText().strip())
                : verdict.equals("neither") ? out.lines().limit(3).toList().toString() : "";
        return new Answer(reader, query, answer.get("start").asLong(), answer.get("end").asLong(), verdict, detail);
    }

    /** The change times (epoch microseconds) of the lake's tables and summary folder: a rename sets them. */
    private static List<Long> changeTimes(Path lake) {
        List<Long> times = new ArrayList<>();
        for (String entry : List.of("artists", "songs", "users", "time", "songplays", "_run")) {
            try {
                FileTime changed = (FileTime) Files.getAttribute(lake.resolve(entry), "unix:ctime");
                times.add(ChronoUnit.MICROS.between(Instant.EPOCH, changed.toInstant()));
            } catch (IOException e) {
                // moved aside at this very moment, or not there
            }
        }
        return times;
    }

    /**
     * The publications since {@code since}: the renames' change times, those less than a second apart taken as
     * one publication, each widened by 50 ms either side.
     */
    private static List<long[]> publications(java.util.Set<Long> renamed, long since) {
        List<Long> times = renamed.stream().filter(t -> t >= since).sorted().toList();
        List<long[]> windows = new ArrayList<>();
        for (long t : times) {
            if (!windows.isEmpty() && t - windows.get(windows.size() - 1)[1] < 1_000_000) {
                windows.get(windows.size() - 1)[1] = t;
            } else {
                windows.add(new long[] {t, t});
            }
        }
        windows.forEach(w -> {
            w[0] -= 50_000;
            w[1] += 50_000;
        });
        return windows;
    }

    /** Staging, a lock, anything a finished run should not leave. */
    private static List<String> leftovers(Path lake) throws IOException {
        try (Stream<Path> entries = Files.list(lake)) {
            return entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.equals("_staging") || name.equals("_lock")).toList();
        }
    }
}
