package com.sparkify.lake.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

/**
 * The whole pipeline on the real Udacity sample. Expected figures are SPEC.md's; the users count (97) and the
 * other figures below were worked out from the raw files with a separate script that applies the contract's
 * rules (de-duplicate on the event key; one user per non-empty userId over all events; latest by ts, then
 * itemInSession), not read off this program's output.
 */
class SampleLakeTest {

    static RunSummary summary;
    static String lake;
    static String progressText;

    @BeforeAll
    static void buildTheLake() {
        SampleLake.Built built = SampleLake.get();
        lake = built.lake().toString();
        summary = built.summary();
        progressText = built.progress();
    }

    private static Dataset<Row> table(String name) {
        return TestSpark.session().read().parquet(lake + "/" + name);
    }

    @Test
    void theSummaryHasSpecsFigures() {
        assertEquals(Map.of("songs", 71L, "artists", 69L, "users", 97L, "songplays", 6_820L, "time", 6_813L),
                summary.tables());
        assertEquals(new RunSummary.InputCounts(71, 71, 71, 0, List.of()), summary.inputs().get("song_data"));
        assertEquals(new RunSummary.InputCounts(30, 8_056, 8_056, 0, List.of()), summary.inputs().get("log_data"));
        assertEquals(RunSummary.SUCCEEDED, summary.status());
    }

    @Test
    void theTablesInTheLakeHoldWhatTheSummarySays() throws Exception {
        for (var table : summary.tables().entrySet()) {
            assertEquals(table.getValue(), table(table.getKey()).count(), table.getKey());
        }
        RunSummary kept = RunSummary.fromJson(Files.readString(Path.of(lake, "_run", "summary.json")));
        assertEquals(summary.tables(), kept.tables());
        assertEquals(summary.inputs(), kept.inputs());
    }

    @Test
    void theSummaryOnDiskIsTheWholeRunWithOneSpellingOfPaths() throws Exception {
        RunSummary kept = RunSummary.fromJson(Files.readString(Path.of(lake, "_run", "summary.json")));
        List<String> stages = kept.stages().stream().map(Progress.Stage::name).toList();
        assertEquals(List.of("check", "publish"), stages.subList(stages.size() - 2, stages.size()), stages.toString());
        assertEquals(17, kept.checks().size(), "every check's result is recorded");
        assertTrue(kept.checks().stream().allMatch(Checks.Result::passed));
        double stageSeconds = kept.stages().stream().mapToDouble(Progress.Stage::seconds).sum();
        assertTrue(kept.seconds() >= stageSeconds, "the total covers every stage: " + kept.seconds() + " < "
                + stageSeconds);
        assertTrue(kept.input().startsWith("file:/") && kept.lake().startsWith("file:/"),
                kept.input() + " and " + kept.lake());
    }

    @Test
    void everyKeyIsUniqueAndNeverNull() {
        Map<String, String> keys = Map.of("songplays", "songplay_id", "users", "user_id", "songs", "song_id",
                "artists", "artist_id", "time", "start_time");
        keys.forEach((name, key) -> {
            Dataset<Row> table = table(name);
            assertEquals(0, table.where(col(key).isNull()).count(), name + "." + key + " null");
            assertEquals(table.count(), table.select(key).distinct().count(), name + "." + key + " unique");
        });
    }

    @Test
    void columnsTypesAndHivePartitionsAreTheContracts() {
        assertSchema("songplays", Map.of("songplay_id", DataTypes.StringType, "start_time", DataTypes.TimestampType,
                "user_id", DataTypes.LongType, "session_id", DataTypes.LongType, "level", DataTypes.StringType,
                "song_id", DataTypes.StringType, "artist_id", DataTypes.StringType, "location", DataTypes.StringType,
                "user_agent", DataTypes.StringType), List.of("year", "month"));
        assertSchema("users", Map.of("user_id", DataTypes.LongType, "first_name", DataTypes.StringType,
                "last_name", DataTypes.StringType, "gender", DataTypes.StringType, "level", DataTypes.StringType), List.of());
        assertSchema("songs", Map.of("song_id", DataTypes.StringType, "title", DataTypes.StringType,
                "duration", DataTypes.DoubleType), List.of("year", "artist_id"));
        assertSchema("artists", Map.of("artist_id", DataTypes.StringType, "name", DataTypes.StringType,
                "location", DataTypes.StringType, "latitude", DataTypes.DoubleType, "longitude", DataTypes.DoubleType),
                List.of());
        assertSchema("time", Map.of("start_time", DataTypes.TimestampType, "hour", DataTypes.IntegerType,
                "day", DataTypes.IntegerType, "week", DataTypes.IntegerType, "weekday", DataTypes.IntegerType),
                List.of("year", "month"));
        assertTrue(Files.isDirectory(Path.of(lake, "songplays", "year=2018", "month=11")));
        assertTrue(Files.isDirectory(Path.of(lake, "time", "year=2018", "month=11")));
        assertTrue(Files.isDirectory(Path.of(lake, "songs", "year=0", "artist_id=AR5KOSW1187FB35FF4")));
        assertEquals(43, table("songs").where("year = 0").count(), "43 songs of unknown year, kept as 0");
    }

    private static void assertSchema(String name, Map<String, DataType> columns, List<String> partitions) {
        Path folder = Path.of(lake, name);
        Dataset<Row> table = table(name);
        columns.forEach((column, type) -> assertEquals(type, table.schema().apply(column).dataType(), name + "." + column));
        // Partition columns live in folder names, not in the files: read a file alone and they are absent.
        Dataset<Row> files = TestSpark.session().read().option("basePath", folder.toString())
                .parquet(folder.toString());
        assertEquals(columns.size() + partitions.size(), files.columns().length, name + " columns");
        for (String partition : partitions) {
            assertTrue(List.of(files.columns()).contains(partition), name + " partitioned by " + partition);
        }
    }

    @Test
    void theOneMatchedPlayFieldByField() {
        List<Row> matched = table("songplays").where(col("song_id").isNotNull()).collectAsList();
        assertEquals(1, matched.size());
        Row play = matched.get(0);
        assertEquals("1542837407796:15:818:5", play.getAs("songplay_id"));
        assertEquals(Instant.parse("2018-11-21T21:56:47.796Z"), play.getAs("start_time"));
        assertEquals(15L, (long) play.getAs("user_id"));
        assertEquals("paid", play.getAs("level"));
        assertEquals("SOZCTXZ12AB0182364", play.getAs("song_id"));
        assertEquals("AR5KOSW1187FB35FF4", play.getAs("artist_id"));
        assertEquals(818L, (long) play.getAs("session_id"));
        assertEquals("Chicago-Naperville-Elgin, IL-IN-WI", play.getAs("location"));
        assertEquals("\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu "
                + "Chromium/36.0.1985.125 Chrome/36.0.1985.125 Safari/537.36\"", play.getAs("user_agent"));
        assertEquals(2018, (int) play.getAs("year"));
        assertEquals(11, (int) play.getAs("month"));
    }

    @Test
    void timeIsUtcEvenThoughThisJvmIsNot() {
        assertNotEquals(0, TimeZone.getDefault().getOffset(System.currentTimeMillis()));
        // A fresh session setting, as a reader of the lake on this machine would have it: the stored instants
        // must still be the UTC ones the contract names.
        SparkSession spark = TestSpark.session();
        Row time = table("time").where(col("start_time").equalTo(
                org.apache.spark.sql.functions.lit(Instant.parse("2018-11-21T21:56:47.796Z")))).first();
        assertEquals(List.of(21, 21, 47, 11, 2018, 3), List.of(time.getAs("hour"), time.getAs("day"),
                time.getAs("week"), time.getAs("month"), time.getAs("year"), time.getAs("weekday")));
        assertEquals(6_813, spark.read().parquet(lake + "/time").where("year = 2018 and month = 11").count());
    }

    @Test
    void usersHaveTheirCurrentLevel() {
        Dataset<Row> users = table("users");
        assertEquals(22, users.where("level = 'paid'").count());
        // The eight users whose level changed during the month all end it paid.
        for (long id : new long[] {15, 16, 29, 36, 49, 80, 85, 88}) {
            assertEquals(List.of("paid"), users.where(col("user_id").equalTo(id)).select("level")
                    .as(org.apache.spark.sql.Encoders.STRING()).collectAsList(), "user " + id);
        }
    }

    @Test
    void emptyStringsAreNullAndQuirkyValuesAreKept() {
        assertEquals(27, table("artists").where(col("location").isNull()).count(), "\"\" locations become null");
        assertEquals(0, table("artists").where(col("location").equalTo("")).count());
        assertEquals(5_203, table("songplays").where(col("user_agent").startsWith("\"")).count(),
                "user agents keep their literal quotes");
    }

    @Test
    void progressSaysEachStageWithCounts() {
        assertTrue(progressText.contains("extract song_data"), progressText);
        assertTrue(progressText.matches("(?s).*load songplays\\s+6,820 rows.*"), progressText);
        assertTrue(progressText.matches("(?s).*check\\s+\\d+ of \\d+ checks passed.*"), progressText);
        assertFalse(Files.exists(Path.of(lake, "_rejected")), "nothing rejected: no quarantine folder, no empty file");
    }
}
