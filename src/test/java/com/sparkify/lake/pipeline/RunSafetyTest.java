package com.sparkify.lake.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.support.TestSpark;
import com.sparkify.lake.support.Trees;

/** Re-runs, bad input and failed runs: what the lake looks like to its readers afterwards. */
@Tag("slow")
class RunSafetyTest {

    static final List<String> TABLES = List.of("songs", "artists", "users", "songplays", "time");

    @TempDir
    static Path work;

    static Path input;
    static Generator.Written written;

    @BeforeAll
    static void generateInput() {
        input = work.resolve("input");
        written = new Generator(new Generator.Spec(300, 4_000, 7, 3, Generator.Spec.REAL_FIRST_DAY)).write(input);
    }

    private static RunSummary run(Path in, Path lake, Settings settings) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return new Pipeline(TestSpark.session(), settings, new Progress(quiet)).run(in.toString(), lake.toString());
    }

    private static List<Row> sorted(Path lake, String table) {
        Dataset<Row> rows = TestSpark.session().read().parquet(lake.resolve(table).toString());
        return rows.orderBy(rows.columns()[0], rows.columns()).collectAsList();
    }

    @Test
    void runningTwiceGivesTheSameTablesAndIds() {
        Path lake = work.resolve("rerun");
        RunSummary first = run(input, lake, TestSpark.settings());
        List<List<Row>> before = TABLES.stream().map(t -> sorted(lake, t)).toList();
        RunSummary second = run(input, lake, TestSpark.settings().withShufflePartitions(7));
        List<List<Row>> after = TABLES.stream().map(t -> sorted(lake, t)).toList();

        assertEquals(first.tables(), second.tables());
        for (int i = 0; i < TABLES.size(); i++) {
            assertEquals(before.get(i), after.get(i), TABLES.get(i) + " differs between two runs");
        }
        assertEquals(written.plays(), first.tables().get("songplays"), "every generated play is a songplay");
        // The generator knows which plays name a catalog song with its duration; exactly those match.
        assertEquals(written.catalogPlays(), TestSpark.session().read().parquet(lake.resolve("songplays").toString())
                .where("song_id is not null").count());
        assertFalse(Files.exists(lake.resolve("_staging")), "nothing of a finished run is left in staging");
        assertFalse(Files.exists(lake.resolve("_rejected")), "nothing rejected: no quarantine folder, no empty file");
    }

    @Test
    void aFileThatIsNotJsonIsSkippedAndNamedNotReadAsBadRecords() throws IOException {
        Path noted = Trees.copy(input, work.resolve("noted"));
        Files.writeString(noted.resolve("song_data/notes.txt"), "fetched from the bucket on Monday\nsee README\n");
        Files.writeString(noted.resolve("log_data/2018/11/export.csv"), "ts,page\n1,NextSong\n");
        RunSummary summary = run(noted, work.resolve("noted-lake"), TestSpark.settings());

        RunSummary.InputCounts songs = summary.inputs().get("song_data");
        RunSummary.InputCounts events = summary.inputs().get("log_data");
        assertEquals(0, songs.rejected() + events.rejected(), "their lines are not rejected records");
        assertEquals(1, songs.skipped().size());
        assertTrue(songs.skipped().get(0).endsWith("song_data/notes.txt"), songs.skipped().toString());
        assertEquals(1, events.skipped().size());
        assertTrue(events.skipped().get(0).endsWith("export.csv"), events.skipped().toString());
        assertEquals(3, events.files(), "the three day files are read");
        assertEquals(written.plays(), summary.tables().get("songplays"));
    }

    @Test
    void aFewBadLinesAreQuarantinedAndTheRestLoads() throws IOException {
        Path messy = Trees.copy(input, work.resolve("messy"));
        Path day = messy.resolve("log_data/2018/11/2018-11-02-events.json");
        Files.writeString(day, Files.readString(day) + "\n{\"ts\": 1541100000000, \"page\": \n");

        Path lake = work.resolve("messy-lake");
        RunSummary summary = run(messy, lake, TestSpark.settings());

        assertEquals(new RunSummary.InputCounts(3, 4_001, 4_000, 1, List.of()), summary.inputs().get("log_data"));
        List<Row> rejected = TestSpark.session().read().json(lake.resolve("_rejected").toString()).collectAsList();
        assertEquals(1, rejected.size());
        assertTrue(rejected.get(0).<String>getAs("file").endsWith("2018-11-02-events.json"));
        assertEquals("not a valid JSON object", rejected.get(0).getAs("reason"));
        assertEquals("{\"ts\": 1541100000000, \"page\": ", rejected.get(0).getAs("record"));
        assertEquals(written.plays(), summary.tables().get("songplays"));
    }

    @Test
    void tooManyRejectedFailsTheRunAndLeavesThePreviousLakeWhole() throws IOException {
        Path lake = work.resolve("guarded");
        RunSummary good = run(input, lake, TestSpark.settings());
        List<Row> songplaysBefore = sorted(lake, "songplays");
        String summaryBefore = Files.readString(lake.resolve("_run/summary.json"));

        Path broken = Trees.copy(input, work.resolve("broken"));
        Path day = broken.resolve("log_data/2018/11/2018-11-03-events.json");
        Files.writeString(day, "garbage\n".repeat(500) + Files.readString(day));

        LakeException failure = assertThrows(LakeException.class,
                () -> run(broken, lake, TestSpark.settings().withMaxRejectedFraction(0.05)));

        assertTrue(failure.getMessage().contains("Too many bad records"), failure.getMessage());
        assertTrue(failure.getMessage().contains("--max-rejected-fraction"), failure.getMessage());
        assertTrue(failure.getMessage().contains("is unchanged"), failure.getMessage());
        assertEquals(songplaysBefore, sorted(lake, "songplays"));
        assertEquals(summaryBefore, Files.readString(lake.resolve("_run/summary.json")));
        assertEquals(good.tables().get("songs"), TestSpark.session().read().parquet(lake.resolve("songs").toString()).count());
        assertFalse(Files.exists(lake.resolve("_staging")), "no empty staging folder beside _failed/");
        try (Stream<Path> failed = Files.list(lake.resolve("_failed"))) {
            Path kept = failed.findFirst().orElseThrow();
            assertEquals(500, TestSpark.session().read().json(kept.resolve("_rejected").toString()).count(),
                    "the failed run's rejected lines are kept for inspection");
        }
        // With a threshold that allows it, the same input loads.
        RunSummary lenient = run(broken, lake, TestSpark.settings().withMaxRejectedFraction(0.5));
        assertEquals(500, lenient.inputs().get("log_data").rejected());
    }

    @Test
    void aMissingInputOrAnOutputThatIsAFileIsAClearError() throws IOException {
        LakeException noInput = assertThrows(LakeException.class,
                () -> run(work.resolve("nowhere"), work.resolve("x"), TestSpark.settings()));
        assertTrue(noInput.getMessage().contains("has no song_data/ folder"), noInput.getMessage());

        Path file = Files.writeString(work.resolve("a-file"), "not a folder");
        LakeException fileOutput = assertThrows(LakeException.class, () -> run(input, file, TestSpark.settings()));
        assertTrue(fileOutput.getMessage().contains("is a file"), fileOutput.getMessage());
    }

    /** A run under way holds the lake: a second one must not take its staging for a killed run's and remove it. */
    @Test
    void aRunIntoALakeAnotherRunHoldsChangesNothing() throws IOException {
        Path lake = Files.createDirectories(work.resolve("held"));
        Path staged = Files.createDirectories(lake.resolve("_staging/20261127T010000Z-live/songs"));
        Files.writeString(staged.resolve("part-0.parquet"), "being written");
        try (com.sparkify.lake.load.LakeLock live = com.sparkify.lake.load.LakeLock.take(lake, "file:" + lake,
                "20261127T010000Z-live", java.time.Instant.parse("2026-11-27T01:00:00Z"))) {
            LakeException refused = assertThrows(LakeException.class, () -> run(input, lake, TestSpark.settings()));
            assertTrue(refused.getMessage().startsWith("Another run holds the lake file:" + lake
                    + " since 2026-11-27T01:00:00Z (run 20261127T010000Z-live, pid "), refused.getMessage());
            assertTrue(Files.exists(staged.resolve("part-0.parquet")), "the live run's staging is left alone");
        }
    }
}
