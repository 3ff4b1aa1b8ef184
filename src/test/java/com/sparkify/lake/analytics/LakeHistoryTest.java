package com.sparkify.lake.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.cli.SparkifyLake;
import com.sparkify.lake.pipeline.IncrementalLoadTest;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/** history, query --as-of and maintain on an Iceberg lake loaded in two batches; maintain, which expires the
 *  history the others read, last. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LakeHistoryTest {

    @TempDir
    static Path work;

    static Path lake;
    static RunSummary first;
    static RunSummary second;

    @BeforeAll
    static void loadTwoBatches() {
        List<String> names = IncrementalLoadTest.WORLD.names();
        Path input = IncrementalLoadTest.WORLD.writeTo(work.resolve("input"), names.subList(0, 3));
        lake = work.resolve("lake");
        first = Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
        IncrementalLoadTest.WORLD.writeTo(input, names.subList(3, names.size()));
        second = Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
    }

    record Output(int code, String out, String err) {
    }

    static Output run(String... arguments) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            int code = SparkifyLake.commandLine().execute(arguments);
            return new Output(code, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    @Order(1)
    void historyListsEachRunWithTheRowsItAdded() {
        Output history = run("history", "--lake", lake.toString());
        assertEquals(0, history.code(), history.err());
        List<String> lines = history.out().lines().toList();
        assertEquals(4, lines.size(), history.out());
        assertTrue(lines.get(3).startsWith("Figures are net rows"), "a legend under the runs: " + history.out());
        assertTrue(lines.get(1).startsWith(first.runId()) && lines.get(1).contains(RunSummary.FULL), history.out());
        assertTrue(lines.get(2).startsWith(second.runId()) && lines.get(2).contains(RunSummary.INCREMENTAL),
                history.out());
        // The first batch has 3 plays (user 9's still one); the whole world has 4, user 9's event not a play.
        assertEquals(3L, first.tables().get("songplays"));
        assertEquals(4L, second.tables().get("songplays"));
        String songplaysNet = lines.get(2).trim().split("\\s+")[4];
        assertEquals("+1", songplaysNet, history.out());
    }

    @Test
    @Order(2)
    void aQueryAsOfARunOrATimeAnswersFromTheTablesThen() {
        Output now = run("query", "level-share", "--lake", lake.toString(), "--format", "csv");
        Output then = run("query", "level-share", "--lake", lake.toString(), "--format", "csv", "--as-of",
                first.runId());
        assertEquals(0, then.code(), then.err());
        assertTrue(now.out().contains("paid,3,"), now.out());
        assertTrue(then.out().contains("paid,2,"), then.out());
        assertTrue(then.out().contains("free,1,"), then.out());

        Output before = run("query", "level-share", "--lake", lake.toString(), "--as-of", "2001-01-01");
        assertEquals(1, before.code());
        assertTrue(before.err().contains("did not exist yet"), before.err());
    }

    @Test
    @Order(2)
    void theReportDrawsTheRowsEachRunLeft() throws java.io.IOException {
        Path file = work.resolve("report.html");
        Output report = run("report", "--lake", lake.toString(), "--out", file.toString());
        assertEquals(0, report.code(), report.err());
        String html = java.nio.file.Files.readString(file);
        assertTrue(html.contains("<canvas id=\"history\""), "an Iceberg lake's report has its history");
        List<History.Run> runs = com.sparkify.lake.report.LakeReport.of(TestSpark.session(), lake.toString(),
                com.sparkify.lake.config.LakeConfig.none()).history();
        assertEquals(List.of(first.runId(), second.runId()), runs.stream().map(History.Run::runId).toList());
        // Each run's totals are the rows its own summary counted when it ended.
        assertEquals(first.tables(), runs.get(0).totals());
        assertEquals(second.tables(), runs.get(1).totals());
    }

    @Test
    @Order(3)
    void maintainCompactsExpiresAndLeavesTheSameTables() {
        Map<String, java.util.List<org.apache.spark.sql.Row>> beforeRows = Lakes.tables(lake);
        // Not while a run holds the lake: its publication would fail on the rewritten tables.
        try (com.sparkify.lake.load.LakeLock running = com.sparkify.lake.load.LakeLock.take(lake, "file:" + lake,
                "run-1", java.time.Instant.parse("2026-11-27T01:00:00Z"))) {
            Output refused = run("maintain", "--lake", lake.toString(), "--retention", "0s", "--keep-last", "1");
            assertEquals(1, refused.code(), refused.err());
            assertTrue(refused.err().contains("Another run holds the lake") && refused.err().contains("run run-1"),
                    refused.err());
        }
        Output historyBefore = run("history", "--lake", lake.toString());
        Output maintained = run("maintain", "--lake", lake.toString(), "--retention", "0s", "--keep-last", "1");
        assertEquals(0, maintained.code(), maintained.err());
        // The record is not maintain's to change: the same runs, times and figures; only the oldest is marked as
        // no longer readable --as-of. The newest stays readable through the compaction of its snapshots.
        Output historyAfter = run("history", "--lake", lake.toString());
        assertEquals(historyBefore.out().replace("  yes\n", "\n").replaceFirst("(?m)^(" + first.runId() + ".*)$", "$1 expired"),
                historyAfter.out().replace("  yes\n", "\n").replace("  expired\n", " expired\n"), historyAfter.out());
        Output newest = run("query", "level-share", "--lake", lake.toString(), "--format", "csv", "--as-of",
                second.runId());
        assertEquals(0, newest.code(), newest.err());
        assertTrue(newest.out().contains("paid,3,"), newest.out());
        Output oldest = run("query", "level-share", "--lake", lake.toString(), "--as-of", first.runId());
        assertEquals(1, oldest.code(), oldest.out());
        assertTrue(oldest.err().contains("can no longer be read") && oldest.err().contains(second.runId()),
                oldest.err());
        assertTrue(maintained.out().contains("songplays"), maintained.out());
        Lakes.assertSameRows(beforeRows, Lakes.tables(lake));
        long songplayFiles = TestSpark.session().sql("SELECT count(*) FROM " + com.sparkify.lake.load.LakeCatalog
                .open(TestSpark.session(), com.sparkify.lake.load.LakeCatalog.qualified(lake.toString(),
                        TestSpark.session().sparkContext().hadoopConfiguration()),
                        com.sparkify.lake.config.LakeConfig.none(), false).sparkName("songplays") + ".files")
                .first().getLong(0);
        assertEquals(1, songplayFiles, "one file per month after compaction: " + maintained.out());
        Output check = run("check", "--lake", lake.toString());
        assertEquals(0, check.code(), check.out());
    }
}
