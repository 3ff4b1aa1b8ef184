package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.Commands;
import com.sparkify.lake.support.Trees;

/**
 * The two lakes that the scenarios on one kind of lake compare with, built once: the old lake (a load of the
 * world's {@code before}, kept as {@code pristine} to be put back before every round) and what an uninterrupted
 * run of {@code after} makes of it (the new lake), each as {@link LakeFingerprint} reads it and as a few named
 * queries answer on it.
 */
final class Baseline {

    /** Queries the readers run: each reads the fact table and one or two others, or the fact table alone. */
    static final List<String> QUERIES = List.of("top-users", "plays-by-day", "top-songs", "match-rate");

    final boolean iceberg;
    final String kind;
    final Path lake;
    final Path pristine;
    final FaultHarness.World world;
    final Map<String, LakeFingerprint.Contents> old;
    final Map<String, LakeFingerprint.Contents> fresh;
    /** How long the uninterrupted run took in this JVM. */
    final long runMillis;
    /** Each query's answer (csv) on the old lake and on the new one. */
    final Map<String, String> oldAnswers;
    final Map<String, String> newAnswers;
    /** Whatever makes a scenario's verdict weaker than it looks (a table that does not change). */
    final List<String> notes = new ArrayList<>();

    private Baseline(boolean iceberg, Path lake, Path pristine, FaultHarness.World world,
                     Map<String, LakeFingerprint.Contents> old, Map<String, LakeFingerprint.Contents> fresh,
                     long runMillis, Map<String, String> oldAnswers, Map<String, String> newAnswers) {
        this.iceberg = iceberg;
        this.kind = iceberg ? "iceberg" : "parquet";
        this.lake = lake;
        this.pristine = pristine;
        this.world = world;
        this.old = old;
        this.fresh = fresh;
        this.runMillis = runMillis;
        this.oldAnswers = oldAnswers;
        this.newAnswers = newAnswers;
    }

    /** @param asked whether readers will run: the queries' answers on both lakes are worked out only then */
    static Baseline build(Path work, boolean iceberg, FaultHarness.World world, boolean asked) throws IOException {
        String kind = iceberg ? "iceberg" : "parquet";
        Path lake = work.resolve(kind + "-lake");
        Path pristine = work.resolve(kind + "-pristine");
        Cli.Result built = Cli.run(etl(iceberg, world, world.before(), lake));
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
        Map<String, String> oldAnswers = asked ? answers(lake) : Map.of();

        long start = System.nanoTime();
        Cli.Result reference = Cli.run(etl(iceberg, world, world.after(), lake));
        long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        world.secrets().scan("the uninterrupted run", reference.output());
        if (reference.code() != 0) {
            throw new IllegalStateException("the uninterrupted run failed: " + reference.output());
        }
        Map<String, LakeFingerprint.Contents> fresh = LakeFingerprint.of(lake, iceberg);
        Baseline baseline = new Baseline(iceberg, lake, pristine, world, old, fresh, runMillis, oldAnswers,
                asked ? answers(lake) : Map.of());
        old.forEach((table, contents) -> {
            if (contents.equals(fresh.get(table))) {
                baseline.notes.add(table + " is the same before and after the run: a fault cannot be seen in it");
            }
        });
        baseline.oldAnswers.forEach((query, answer) -> {
            if (answer.equals(baseline.newAnswers.get(query))) {
                baseline.notes.add("query " + query + " answers the same before and after the run: a reader "
                        + "cannot tell the lakes apart by it");
            }
        });
        return baseline;
    }

    /** The command line of an etl run of {@code input} into this lake. */
    String[] etl(Path input) {
        return etl(iceberg, world, input, lake);
    }

    static String[] etl(boolean iceberg, FaultHarness.World world, Path input, Path lake) {
        List<String> arguments = new ArrayList<>(List.of("etl", "--input", input.toString(), "--output",
                lake.toString(), "--config", world.config().toString()));
        if (iceberg) {
            arguments.addAll(List.of("--format", "iceberg"));
        }
        return arguments.toArray(String[]::new);
    }


    private static Map<String, String> answers(Path lake) {
        Map<String, String> answers = new LinkedHashMap<>();
        for (String name : QUERIES) {
            Commands.Result answer = Commands.run(QueryLoop.command(name, lake.toString(), null));
            if (answer.code() != 0) {
                throw new IllegalStateException("query " + name + " failed on a lake at rest: " + answer.err());
            }
            answers.put(name, answer.out());
        }
        return answers;
    }

    /**
     * The old lake back where it was built (an Iceberg lake's metadata names its files by absolute path). The
     * catalog database is rewritten in place, not replaced: this JVM's catalog keeps it open.
     */
    void restore() throws IOException {
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

    /** Which table is new, old, missing or neither (MIXED, with what it holds). */
    static List<String> states(Map<String, LakeFingerprint.Contents> seen, Map<String, LakeFingerprint.Contents> newer,
                        Map<String, LakeFingerprint.Contents> older) {
        List<String> states = new ArrayList<>();
        for (String table : LakeFingerprint.TABLES) {
            LakeFingerprint.Contents contents = seen.get(table);
            states.add(table + " " + (contents.equals(newer.get(table)) ? "new" : contents.equals(older.get(table))
                    ? "old" : contents.rows() == null ? "MISSING" : "MIXED (" + contents + ")"));
        }
        return states;
    }
}
