package com.sparkify.lake.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

class ChecksTest {

    @TempDir
    Path work;

    private final SparkSession spark = TestSpark.session();

    private static Map<String, Checks.Result> byName(List<Checks.Result> results) {
        return results.stream().collect(Collectors.toMap(Checks.Result::name, r -> r));
    }

    private static List<String> failed(List<Checks.Result> results) {
        return results.stream().filter(r -> !r.passed()).map(Checks.Result::line).toList();
    }

    @Test
    void aGoodLakePassesEveryCheck() {
        SampleLake.Built built = SampleLake.get();
        List<Checks.Result> results = Checks.onLake(spark, built.lake().toString()).run(built.summary().tables());
        assertEquals(List.of(), failed(results));
        assertEquals(5 + 5 + 2 + 5, results.size(), "keys, references, partitions, row counts");
    }

    @Test
    void aDuplicatedUserIsCaughtWithItsKey() {
        Path lake = SampleLake.copy(work.resolve("lake"));
        Dataset<Row> users = spark.read().parquet(lake.resolve("users").toString());
        users.where("user_id = 15").write().mode(SaveMode.Append).parquet(lake.resolve("users").toString());

        List<Checks.Result> results = Checks.onLake(spark, lake.toString()).run(SampleLake.get().summary().tables());

        Checks.Result key = byName(results).get("users.user_id is unique and never null");
        assertEquals(1, key.offending());
        assertEquals(List.of("15"), key.examples());
        assertEquals("FAIL  users.user_id is unique and never null: 1 offending, e.g. 15", key.line());
        Checks.Result count = byName(results).get("users has the 97 rows the run summary gives");
        assertEquals("FAIL  users has the 97 rows the run summary gives: 1 offending, e.g. found 98", count.line());
        assertEquals(2, failed(results).size(), failed(results).toString());
    }

    @Test
    void anOrphanSongplayIsCaught() {
        Path lake = SampleLake.copy(work.resolve("lake"));
        String songplays = lake.resolve("songplays").toString();
        Dataset<Row> one = spark.read().parquet(songplays).where("songplay_id = '1542837407796:15:818:5'");
        // The same play by a user the users table does not hold, under a new id.
        one.selectExpr("'x:99999:1:1' AS songplay_id", "start_time", "CAST(99999 AS BIGINT) AS user_id", "level",
                        "song_id", "artist_id", "session_id", "location", "user_agent", "year", "month")
                .write().mode(SaveMode.Append).partitionBy("year", "month").parquet(songplays);

        List<Checks.Result> results = Checks.onLake(spark, lake.toString()).run(Map.of());

        assertEquals(List.of("FAIL  every songplays.user_id exists in users: 1 offending, e.g. 99999"), failed(results));
    }

    @Test
    void aRowInTheWrongPartitionIsCaught() {
        Path lake = SampleLake.copy(work.resolve("lake"));
        // A December start_time written into the year=2018/month=11 folder of time.
        TestSpark.settings().applyTo(spark); // the literal below is read in UTC
        Dataset<Row> december = spark.sql("SELECT TIMESTAMP'2018-12-02 10:00:00' AS start_time, 10 AS hour, "
                + "2 AS day, 48 AS week, 7 AS weekday");
        december.write().mode(SaveMode.Append).parquet(lake.resolve("time/year=2018/month=11").toString());

        List<String> failures = failed(Checks.onLake(spark, lake.toString()).run(Map.of()));

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("FAIL  time partitions year=/month= agree with start_time (UTC): "
                + "1 offending, e.g. (start_time=2018-12-02"), failures.get(0));
    }
}
