package com.sparkify.lake.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.analytics.History;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.RunRecord;
import com.sparkify.lake.support.Commands;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/**
 * An Iceberg lake on day 30: a generated month loaded one day per run, maintain after every run at its
 * defaults but a retention of 0 (so that expiry happens within the test, as it does within a week of daily runs
 * at the default 7 days), then what a data engineer relies on: the record of runs, time travel to every run still
 * readable, files delivered again, and a changed file reloaded.
 */
@Tag("slow")
class MonthOfDailyLoadsTest {

    /**
     * Days of the month loaded. The suite loads 6 (each day is a run and a maintain, some 18 s together on 2
     * cores), which already expires runs at maintain's default keep-last of 5; the whole month:
     * {@code mvn test -Dtest=MonthOfDailyLoadsTest -Dsparkify.month.days=30} (docs/iceberg.md gives its figures).
     */
    private static final int DAYS = Integer.getInteger("sparkify.month.days", 6);

    @TempDir
    static Path work;

    @Test
    void aMonthOfDailyLoadsAndMaintenanceKeepsItsRecordAndItsTimeTravel() throws IOException {
        Path generated = work.resolve("generated");
        new Generator(new Generator.Spec(120, 80L * DAYS, 30, DAYS, Generator.Spec.REAL_FIRST_DAY)).write(generated);
        List<Path> songFiles = files(generated.resolve("song_data"));
        List<Path> logFiles = files(generated.resolve("log_data"));
        assertEquals(DAYS, logFiles.size());

        Path input = work.resolve("input");
        Path lake = work.resolve("lake");
        List<RunSummary> runs = new ArrayList<>();
        for (int day = 0; day < DAYS; day++) {
            copy(generated, input, day(songFiles, logFiles, day));
            long start = System.nanoTime();
            runs.add(Lakes.build(input, lake, IncrementalLoadTest.ICEBERG));
            long loaded = System.nanoTime();
            Commands.Result maintained = Commands.run("maintain", "--lake", lake.toString(), "--retention", "0s");
            assertEquals(0, maintained.code(), maintained.err());
            System.out.printf("day %d: etl %.1f s, maintain %.1f s%n", day + 1, (loaded - start) / 1e9,
                    (System.nanoTime() - loaded) / 1e9);
        }

        // The record lists every run, in order, with the net rows each added: together, one full load's.
        List<History.Run> history = History.runs(catalog(lake));
        assertEquals(runs.stream().map(RunSummary::runId).toList(), history.stream().map(History.Run::runId).toList());
        Path parquet = work.resolve("parquet-all");
        RunSummary full = Lakes.build(input, parquet);
        for (String table : LakeTables.NAMES) {
            long net = history.stream().mapToLong(run -> run.rows().get(table)).sum();
            assertEquals(full.tables().get(table), net, table + ": the runs' net rows add up to one full load's");
            for (int i = 0; i < DAYS; i++) {
                assertEquals(runs.get(i).tables().get(table), history.get(i).totals().get(table),
                        table + " after run " + i + ": the record's rows are those the run's summary counted");
            }
        }

        // Maintenance expired the oldest runs' snapshots; the record still lists them, marked as such.
        List<Boolean> readable = history.stream().map(History.Run::readable).toList();
        int firstReadable = readable.indexOf(true);
        assertTrue(firstReadable > 0, "maintain at a retention of 0 expired some runs: " + readable);
        assertFalse(readable.subList(firstReadable, DAYS).contains(false), "readable runs are the latest: " + readable);
        assertTrue(readable.get(DAYS - 1), "the last run is readable after maintain compacted its tables");
        Commands.Result expired = Commands.run("sql", "--lake", lake.toString(), "--as-of", history.get(0).runId(),
                "SELECT count(*) FROM songplays");
        assertEquals(1, expired.code(), expired.out());
        assertTrue(expired.err().contains("can no longer be read") && expired.err()
                .contains(history.get(firstReadable).runId()), "names the oldest readable run: " + expired.err());

        // --as-of a readable run, by id and by the published time history prints, is the Parquet lake of the
        // files up to its day; a millisecond earlier is the run before.
        for (int i = Math.max(firstReadable, DAYS - 3); i < DAYS; i++) {
            Path upTo = work.resolve("input-day-" + i);
            for (int day = 0; day <= i; day++) {
                copy(generated, upTo, day(songFiles, logFiles, day));
            }
            Path then = work.resolve("parquet-day-" + i);
            Lakes.build(upTo, then);
            Map<String, List<Row>> expected = Lakes.tables(then);
            History.Run run = history.get(i);
            assertEquals(expected, tablesAsOf(lake, run.runId()), "--as-of " + run.runId());
            assertEquals(expected, tablesAsOf(lake, History.printed(run.published())),
                    "--as-of " + History.printed(run.published()));
            if (i > firstReadable) {
                long before = countAsOf(lake, History.printed(run.published().minusMillis(1)));
                assertEquals(history.get(i - 1).totals().get("songplays"), before,
                        "a millisecond before run " + i + " was published, the lake was run " + (i - 1) + "'s");
            }
        }

        // Every file delivered again with a new time, same bytes: nothing to load, nothing committed.
        Map<String, Long> snapshots = snapshotsWithRecord(lake);
        try (Stream<Path> all = Files.walk(input)) {
            for (Path file : all.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(60)));
            }
        }
        RunSummary again = Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
        assertEquals(RunSummary.NOTHING_NEW, again.kind());
        assertEquals(snapshots, snapshotsWithRecord(lake), "files delivered again commit nothing");

        // One log file changes (a line gone, a level changed) and a song file too: refused, then reloaded alone,
        // the tables are one full load of the current input.
        Path changedLog = input.resolve(generated.relativize(logFiles.get(DAYS / 2)));
        List<String> lines = new ArrayList<>(Files.readAllLines(changedLog));
        lines.remove(3);
        lines.set(5, lines.get(5).contains("\"level\":\"free\"") ? lines.get(5).replace("\"level\":\"free\"",
                "\"level\":\"paid\"") : lines.get(5).replace("\"level\":\"paid\"", "\"level\":\"free\""));
        Files.write(changedLog, lines);
        Path changedSong = input.resolve(generated.relativize(songFiles.get(0)));
        Files.writeString(changedSong, Files.readString(changedSong).replaceFirst("\"duration\":\\s*[0-9.]+",
                "\"duration\": 1.5"));
        com.sparkify.lake.LakeException refused = org.junit.jupiter.api.Assertions.assertThrows(
                com.sparkify.lake.LakeException.class, () -> Lakes.build(input, lake, IncrementalLoadTest.ICEBERG));
        assertTrue(refused.getMessage().contains("--reload-changed"), refused.getMessage());
        RunSummary reloaded = Lakes.build(input, lake,
                IncrementalLoadTest.ICEBERG.withReload(com.sparkify.lake.config.Settings.Reload.CHANGED));
        assertEquals(RunSummary.RELOAD, reloaded.kind());
        Path expectedNow = work.resolve("parquet-now");
        Lakes.build(input, expectedNow);
        Lakes.assertSameTables(expectedNow, lake);
        RunRecord.Entry last = RunRecord.read(catalog(lake)).get(DAYS);
        assertEquals(List.of(changedSong.toUri().getPath(), changedLog.toUri().getPath()),
                last.files().stream().map(file -> java.net.URI.create(file).getPath()).sorted(
                        java.util.Comparator.comparing((String path) -> !path.contains("song_data"))).toList(),
                "the reload records the two files it loaded again");

        // The report's history is the record's: each run's published time and rows, net in brackets.
        Path report = work.resolve("report.html");
        Commands.Result written = Commands.run("report", "--lake", lake.toString(), "--out", report.toString());
        assertEquals(0, written.code(), written.err());
        String html = Files.readString(report);
        for (History.Run run : History.runs(catalog(lake))) {
            assertTrue(html.contains(History.printed(run.published())), run.runId() + " in the report");
            assertTrue(html.contains(String.format(java.util.Locale.ROOT, "%,d (%+,d)", run.totals().get("songplays"),
                    run.rows().get("songplays"))), run.runId() + "'s songplays in the report");
        }
    }

    /** The files a day brings: its log file, and half the song catalog on the first day, half on the ninth (or
     *  mid-way through a shorter month). */
    private static List<Path> day(List<Path> songFiles, List<Path> logFiles, int day) {
        List<Path> batch = new ArrayList<>(List.of(logFiles.get(day)));
        if (day == 0) {
            batch.addAll(songFiles.subList(0, songFiles.size() / 2));
        }
        if (day == Math.min(8, DAYS / 2)) {
            batch.addAll(songFiles.subList(songFiles.size() / 2, songFiles.size()));
        }
        return batch;
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> all = Files.walk(folder)) {
            return all.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void copy(Path from, Path to, List<Path> files) throws IOException {
        for (Path file : files) {
            Path target = to.resolve(from.relativize(file).toString());
            Files.createDirectories(target.getParent());
            Files.copy(file, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static LakeCatalog catalog(Path lake) {
        return LakeCatalog.open(TestSpark.session(), LakeCatalog.qualified(lake.toString(),
                TestSpark.session().sparkContext().hadoopConfiguration()), LakeConfig.none(), false);
    }

    private static Map<String, List<Row>> tablesAsOf(Path lake, String asOf) {
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        var open = LakeTables.open(TestSpark.session(), lake.toString(), LakeConfig.none(), asOf);
        for (String name : Lakes.TABLES) {
            Dataset<Row> rows = open.apply(name);
            rows = rows.select(Arrays.stream(rows.columns()).sorted().map(functions::col).toArray(Column[]::new));
            tables.put(name, rows.orderBy(Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new))
                    .collectAsList());
        }
        return tables;
    }

    private static long countAsOf(Path lake, String asOf) {
        return LakeTables.open(TestSpark.session(), lake.toString(), LakeConfig.none(), asOf).apply("songplays")
                .count();
    }

    /** Every table's current snapshot, the record of runs included. */
    private static Map<String, Long> snapshotsWithRecord(Path lake) {
        Map<String, Long> ids = new LinkedHashMap<>(Lakes.snapshotIds(lake));
        ids.put(RunRecord.TABLE, catalog(lake).table(RunRecord.TABLE).currentSnapshot().snapshotId());
        return ids;
    }
}
