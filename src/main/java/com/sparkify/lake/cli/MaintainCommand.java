package com.sparkify.lake.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.load.IcebergTables;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.LakeLock;
import com.sparkify.lake.load.Maintenance;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "maintain", mixinStandardHelpOptions = true,
        description = {"Tidies an Iceberg lake: compacts the small files that daily loads leave (songplays, time "
            + "and the record of the input), expires snapshots older than the retention (keeping the last few), "
            + "and removes files that no snapshot names (left by killed runs) once older than the retention.",
            "Runs older than the retention can no longer be read with query --as-of."})
final class MaintainCommand implements Callable<Integer> {

    @Mixin
    LakeOption lake;

    @Option(names = "--retention", paramLabel = "AGE", defaultValue = "7d",
            description = "How long snapshots and unnamed files are kept: 7d, 36h, 90m, 0s (default: ${DEFAULT-VALUE}).")
    String retention;

    @Option(names = "--keep-last", paramLabel = "N", defaultValue = "5",
            description = "Snapshots of each table kept whatever their age (default: ${DEFAULT-VALUE}).")
    int keepLast;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        Duration age = duration(retention);
        if (keepLast < 1) {
            throw new UsageError("--keep-last must be at least 1: a table needs its current snapshot.");
        }
        return Sessions.withSpark(config.settings(), spark -> {
            List<String> tables = new ArrayList<>(LakeTables.NAMES);
            for (String input : List.of("songs", "events", "files", "rejected")) {
                tables.add(IcebergTables.INPUT_PREFIX + input);
            }
            // The record of runs: its files compacted and old snapshots expired like the rest, its rows never.
            tables.add(com.sparkify.lake.load.RunRecord.TABLE);
            LakeCatalog catalog = Sessions.icebergLake(spark, lake.lake, config.config());
            // Not while a run writes the lake (its publication would fail), nor two at once: the run's lock.
            String qualified = LakeCatalog.qualified(lake.lake, spark.sparkContext().hadoopConfiguration());
            java.net.URI where = java.net.URI.create(qualified);
            java.nio.file.Path folder = "file".equals(where.getScheme()) ? java.nio.file.Path.of(where) : null;
            List<Maintenance.Done> done;
            try (LakeLock lock = LakeLock.take(folder, qualified, "maintain", java.time.Instant.now())) {
                done = Maintenance.run(spark, catalog, tables, age, keepLast);
            }
            System.out.println(Maintenance.Done.header());
            done.forEach(table -> System.out.println(table.line()));
            System.out.println();
            System.out.println(Maintenance.legend(age, keepLast));
            System.out.println(Maintenance.summary(done));
            // The summary dates from snapshots' commits; the record says exactly which runs can still be read.
            List<com.sparkify.lake.analytics.History.Run> runs = com.sparkify.lake.analytics.History.runs(catalog);
            long expired = runs.stream().filter(run -> !run.readable()).count();
            runs.stream().filter(com.sparkify.lake.analytics.History.Run::readable).findFirst().ifPresent(oldest ->
                    System.out.printf("Of the %,d runs in the lake's record, %,d can no longer be read --as-of; the "
                            + "oldest that can is %s, published %s.%n", runs.size(), expired, oldest.runId(),
                            com.sparkify.lake.analytics.History.printed(oldest.published())));
            return 0;
        });
    }

    static Duration duration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)\\s*([dhms])")
                .matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageError("--retention takes a number and a unit (d, h, m or s), e.g. 7d, not '" + text
                    + "'.");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofSeconds(n);
        };
    }
}
