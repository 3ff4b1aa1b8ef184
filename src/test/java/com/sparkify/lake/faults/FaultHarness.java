package com.sparkify.lake.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.support.Trees;

/**
 * The fault-injection harness: each scenario states a guarantee, injects its fault round after round (seeded),
 * and checks the guarantee with a reader independent of the code under test. {@code faults/run} runs it;
 * {@code FaultsTest} runs its small default in the test suite.
 *
 * <pre>faults/run [--rounds N] [--seed S] [--work DIR]</pre>
 */
public final class FaultHarness {

    /**
     * The data the scenarios load: {@code after} is a generated input, {@code before} the same less its later
     * half of days of logs and one song file in eight; {@code config} a config file whose AWS secret must never show.
     */
    record World(Path before, Path after, Path config, Secrets secrets) {
    }

    /** Looks for the config file's secret in everything a user or a scheduler could read. */
    static final class Secrets {

        final String secret = "faults-" + UUID.randomUUID();
        final List<String> leaks = new ArrayList<>();
        /** Files that hold the secret by design, as the config file does: a store's own settings. */
        final java.util.Set<Path> holders = java.util.concurrent.ConcurrentHashMap.newKeySet();

        void scan(String where, String text) {
            if (text.contains(secret)) {
                leaks.add(where);
            }
        }

        /** Every file under {@code root} but the config file itself: logs, summaries, rejected records. */
        void scanTree(Path root, Path config) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.equals(config))
                        .filter(f -> !holders.contains(f.toAbsolutePath())).toList()) {
                    if (Files.size(file) < 64 << 20) {
                        scan(file.toString(), new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * @param full the harness's own run (faults/run), not the suite's: more readers, and the faults that need
     *             gigabytes of disk
     * @param only the scenarios to run (kill, runs, hostile, unreadable, disk, store, s3), or empty for all
     */
    record Options(int rounds, long seed, Path work, boolean full, java.util.Set<String> only) {

        Options(int rounds, long seed, Path work) {
            this(rounds, seed, work, false, java.util.Set.of());
        }

        boolean runs(String scenario) {
            return only.isEmpty() || only.contains(scenario);
        }
    }

    private FaultHarness() {
    }

    public static void main(String[] args) throws Exception {
        Options options = parse(args);
        SparkSession spark = Engine.start(Settings.defaults().withMaster("local[2]").withShufflePartitions(4));
        try {
            List<Outcome> outcomes = run(options);
            System.out.println(report(options, outcomes));
            System.exit(outcomes.stream().allMatch(o -> o.failures.isEmpty()) ? 0 : 1);
        } finally {
            spark.stop();
        }
    }

    static Options parse(String[] args) {
        int rounds = 3;
        long seed = 1;
        Path work = Path.of("target/faults");
        java.util.Set<String> only = new java.util.LinkedHashSet<>();
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(value);
                case "--seed" -> seed = Long.parseLong(value);
                case "--work" -> work = Path.of(value);
                case "--only" -> only.addAll(List.of(value.split(",")));
                default -> throw new IllegalArgumentException("usage: faults/run [--rounds N] [--seed S] [--work DIR] "
                        + "[--only kill,runs,hostile,unreadable,disk,store,s3]");
            }
        }
        return new Options(rounds, seed, work.toAbsolutePath(), true, only);
    }

    /** Every scenario, on each kind of lake it applies to; the work folder is emptied first. */
    static List<Outcome> run(Options options) throws IOException, InterruptedException {
        TIMES.clear();
        delete(options.work());
        Files.createDirectories(options.work());
        World world = world(options.work(), options.seed());
        List<Outcome> outcomes = new ArrayList<>();
        for (boolean iceberg : new boolean[] {false, true}) {
            if (!options.runs("kill") && !options.runs("runs")) {
                continue;
            }
            // The suite tries two runs at once on the Parquet lake only, with readers in this JVM only: the lock
            // is taken before the kinds part ways, and IcebergPublishTest has a reader in a loop during an
            // Iceberg run. faults/run tries both kinds, with two more readers in JVMs of their own.
            boolean runsHere = options.runs("runs") && (options.full() || !iceberg);
            long start = System.nanoTime();
            Baseline baseline = Baseline.build(options.work().resolve("lakes"), iceberg, world, runsHere);
            TIMES.add(String.format("the old and the new %s lake, built once: %.0f s", baseline.kind,
                    (System.nanoTime() - start) / 1e9));
            if (options.runs("kill")) {
                outcomes.add(timed(() -> List.of(new KillAtRandom(options.work().resolve("kill"), baseline,
                        options.seed()).run(options.rounds()))).get(0));
            }
            if (runsHere) {
                outcomes.addAll(timed(() -> new RunsAtOnce(options.work().resolve("runs"), baseline, options.seed(),
                        options.full() ? 2 : 0, options.full() ? 0 : 300).run(options.rounds())));
            }
        }
        if (options.runs("hostile")) {
            outcomes.add(timed(() -> List.of(new HostileInput(options.work().resolve("hostile"), world,
                    options.seed()).run(options.rounds()))).get(0));
        }
        if (options.full() && options.runs("disk")) {
            // Not in the suite: a tmpfs to mount, and two more lakes to build.
            outcomes.addAll(timed(() -> new DiskFull(options.work().resolve("diskfull"), world, options.seed())
                    .run(options.rounds())));
        }
        if (options.full() && options.runs("store")) {
            // Not in the suite: S3Proxy killed and restarted, and every lake loaded through it, round after round.
            outcomes.addAll(timed(() -> new StoreDies(options.work().resolve("store"), world, options.seed())
                    .run(options.rounds())));
        }
        if (options.full() && options.runs("s3")) {
            // Not in the suite: kills, runs at once with a reader, and hostile input again, all through S3Proxy.
            outcomes.addAll(timed(() -> new ThroughTheStore(options.work().resolve("s3"), world, options.seed())
                    .run(options.rounds())));
        }
        if (options.runs("unreadable")) {
            outcomes.add(timed(() -> List.of(new UnreadableInput(options.work().resolve("unreadable"), world,
                    options.seed(), options.full()).run(options.rounds()))).get(0));
        }
        Outcome secrets = new Outcome("secret of the config file in any output, log, summary or rejected record",
                "both");
        world.secrets().scanTree(options.work(), world.config());
        secrets.rounds = 1;
        secrets.survived = world.secrets().leaks.isEmpty() ? 1 : 0;
        world.secrets().leaks.forEach(where -> secrets.fail(1, "the secret shows in " + where));
        outcomes.add(secrets);
        return outcomes;
    }

    /** How long each part took, for the report (the suite's time is budgeted). */
    static final List<String> TIMES = java.util.Collections.synchronizedList(new ArrayList<>());

    interface Scenario {
        List<Outcome> run() throws IOException, InterruptedException;
    }

    private static List<Outcome> timed(Scenario scenario) throws IOException, InterruptedException {
        long start = System.nanoTime();
        List<Outcome> outcomes = scenario.run();
        TIMES.add(String.format("%s (%s): %.0f s", outcomes.get(0).scenario, outcomes.get(0).lake,
                (System.nanoTime() - start) / 1e9));
        return outcomes;
    }

    static World world(Path work, long seed) throws IOException {
        Path after = work.resolve("input-after");
        new Generator(new Generator.Spec(200, 3_000, seed, 4, Generator.Spec.REAL_FIRST_DAY)).write(after);
        Path before = Trees.copy(after, work.resolve("input-before"));
        // The later half of the days left out, so that every table changes (users' levels among them).
        List<Path> logs = files(before.resolve("log_data"));
        for (Path day : logs.subList(logs.size() / 2, logs.size())) {
            Files.delete(day);
        }
        List<Path> songs = files(before.resolve("song_data"));
        for (int i = 0; i < songs.size(); i += 8) {
            Files.delete(songs.get(i));
        }
        Secrets secrets = new Secrets();
        Path config = work.resolve("faults.cfg");
        Files.writeString(config, "[AWS]\nAWS_ACCESS_KEY_ID = AKIAFAULTSHARNESS001\nAWS_SECRET_ACCESS_KEY = "
                + secrets.secret + "\n");
        return new World(before, after, config, secrets);
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static String report(Options options, List<Outcome> outcomes) {
        StringBuilder out = new StringBuilder(String.format("%nfaults/run --rounds %d --seed %d%n%n", options.rounds(),
                options.seed()));
        out.append(Outcome.header()).append('\n');
        outcomes.forEach(o -> out.append(o.row()).append('\n'));
        for (Outcome o : outcomes) {
            o.failures.forEach(f -> out.append("\nFAILED ").append(o.scenario).append(" (").append(o.lake).append("), ")
                    .append(f));
            o.notes.forEach(n -> out.append("\nnote: ").append(o.scenario).append(" (").append(o.lake).append("): ")
                    .append(n));
        }
        TIMES.forEach(t -> out.append("\ntime: ").append(t));
        return out.append('\n').toString();
    }

    private static void delete(Path root) {
        if (Files.exists(root)) {
            Trees.delete(root);
        }
    }
}
