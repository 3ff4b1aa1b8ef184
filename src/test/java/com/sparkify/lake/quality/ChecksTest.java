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

import com.sparkify.lake.pipeline.Engine;
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
        Engine.prepare(spark, TestSpark.settings()); // the literal below is read in UTC
        Dataset<Row> december = spark.sql("SELECT TIMESTAMP'2018-12-02 10:00:00' AS start_time, 10 AS hour, "
                + "2 AS day, 48 AS week, 7 AS weekday");
        december.write().mode(SaveMode.Append).parquet(lake.resolve("time/year=2018/month=11").toString());

        List<String> failures = failed(Checks.onLake(spark, lake.toString()).run(Map.of()));

        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("FAIL  time partitions year=/month= agree with start_time (UTC): "
                + "1 offending, e.g. (start_time=2018-12-02"), failures.get(0));
    }

    /**
     * A run's change to a good lake, checked two ways: the whole tables after it, and only what it changed.
     * The second must find exactly what the first finds, offending rows and examples alike.
     */
    private void assertChangeCheckedLikeWhole(Map<String, Dataset<Row>> added, Map<String, Dataset<Row>> removed,
                                             List<String> expectedFailures) {
        assertEquals(expectedFailures, assertChangeCheckedLikeWhole(added, removed));
    }

    /** @return the failures both ways found */
    private List<String> assertChangeCheckedLikeWhole(Map<String, Dataset<Row>> added,
                                                      Map<String, Dataset<Row>> removed) {
        Path lake = SampleLake.get().lake();
        Map<String, Dataset<Row>> after = new java.util.HashMap<>();
        for (String name : Checks.KEYS.keySet()) {
            Dataset<Row> before = spark.read().parquet(lake.resolve(name).toString());
            Dataset<Row> table = removed.containsKey(name) ? before.exceptAll(removed.get(name)) : before;
            after.put(name, added.containsKey(name) ? table.unionByName(added.get(name)) : table);
        }
        java.util.function.Function<String, Dataset<Row>> none = name -> after.get(name).limit(0);
        List<Checks.Result> whole = new Checks(after::get).run(Map.of());
        List<Checks.Result> change = new Checks(after::get, name -> new Checks.Change(
                added.getOrDefault(name, none.apply(name)), removed.getOrDefault(name, none.apply(name)))).run(Map.of());

        assertEquals(whole, change);
        return failed(whole);
    }

    private Dataset<Row> sampleTable(String name, String where) {
        return spark.read().parquet(SampleLake.get().lake().resolve(name).toString()).where(where);
    }

    @Test
    void aChangeWithoutFaultsPassesAsTheWholeLakeDoes() {
        // user 15 rewritten (a copy-on-write merge: removed and added again), a new time row and its play.
        Dataset<Row> play = sampleTable("songplays", "songplay_id = '1542837407796:15:818:5'");
        assertChangeCheckedLikeWhole(
                Map.of("users", sampleTable("users", "user_id = 15"),
                        "songplays", play.withColumn("songplay_id", org.apache.spark.sql.functions.lit("new:1"))),
                Map.of("users", sampleTable("users", "user_id = 15")), List.of());
    }

    @Test
    void anAddedUserWhoseKeyIsTakenIsCaughtFromTheChange() {
        assertChangeCheckedLikeWhole(Map.of("users", sampleTable("users", "user_id = 15")), Map.of(),
                List.of("FAIL  users.user_id is unique and never null: 1 offending, e.g. 15"));
    }

    @Test
    void anAddedPlayOfAnUnknownUserIsCaughtFromTheChange() {
        Dataset<Row> stranger = sampleTable("songplays", "songplay_id = '1542837407796:15:818:5'")
                .withColumn("songplay_id", org.apache.spark.sql.functions.lit("x:99999:1:1"))
                .withColumn("user_id", org.apache.spark.sql.functions.lit(99999L));
        assertChangeCheckedLikeWhole(Map.of("songplays", stranger), Map.of(),
                List.of("FAIL  every songplays.user_id exists in users: 1 offending, e.g. 99999"));
    }

    @Test
    void aUserRemovedWhileTheirOldPlaysStayIsCaughtFromTheChange() {
        // The plays are old rows the change does not hold; only the user's key going away points at them.
        long plays = sampleTable("songplays", "user_id = 15").count();
        assertChangeCheckedLikeWhole(Map.of(), Map.of("users", sampleTable("users", "user_id = 15")),
                List.of(String.format("FAIL  every songplays.user_id exists in users: %,d offending, e.g. 15, 15, 15",
                        plays)));
    }

    @Test
    void anAddedTimeInTheWrongMonthIsCaughtFromTheChange() {
        Engine.prepare(spark, TestSpark.settings()); // months in UTC
        // A row of November 2018 moved 40 days back, its year= and month= left as they were.
        Dataset<Row> wrong = sampleTable("time", "true").orderBy("start_time").limit(1)
                .withColumn("start_time", org.apache.spark.sql.functions.expr("start_time - INTERVAL 40 DAYS"));
        List<String> failures = assertChangeCheckedLikeWhole(Map.of("time", wrong), Map.of());
        assertEquals(1, failures.size(), failures.toString());
        assertTrue(failures.get(0).startsWith("FAIL  time partitions year=/month= agree with start_time (UTC): "
                + "1 offending, e.g. (start_time=2018-09-2"), failures.get(0));
    }
}
