package com.sparkify.lake.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

import com.sparkify.lake.analytics.LakeTables;

/**
 * Data-quality checks on a built lake: keys, references between the fact table and its dimensions,
 * partition folders against the columns they come from, and row counts against the run summary.
 */
public final class Checks {

    /** One check's outcome: how many rows offend, and a few of their keys. */
    public record Result(String name, long offending, List<String> examples) {

        public boolean passed() {
            return offending == 0;
        }

        public String line() {
            return passed() ? "PASS  " + name
                    : String.format("FAIL  %s: %,d offending, e.g. %s", name, offending, String.join(", ", examples));
        }
    }

    static final int EXAMPLES = 3;

    /** The key of each table, as SPEC.md gives it. */
    static final Map<String, String> KEYS = Map.of("songplays", "songplay_id", "users", "user_id",
            "songs", "song_id", "artists", "artist_id", "time", "start_time");

    /** The columns the checks read of each table. */
    static final Map<String, List<String>> COLUMNS = Map.of(
            "songplays", List.of("songplay_id", "user_id", "song_id", "artist_id", "start_time", "year", "month"),
            "users", List.of("user_id"), "songs", List.of("song_id", "artist_id"), "artists", List.of("artist_id"),
            "time", List.of("start_time", "year", "month"));

    private final SparkSession spark;
    private final String lake;
    private final Map<String, Dataset<Row>> tables = new HashMap<>();

    public Checks(SparkSession spark, String lake) {
        this.spark = spark;
        this.lake = lake;
    }

    /**
     * @param expectedRows rows per table as the run summary gives them, or an empty map to skip that check
     */
    public List<Result> run(Map<String, Long> expectedRows) {
        try {
            return runAll(expectedRows);
        } finally {
            tables.values().forEach(Dataset::unpersist);
        }
    }

    private List<Result> runAll(Map<String, Long> expectedRows) {
        List<Result> results = new ArrayList<>();
        for (String name : LakeTables.NAMES) {
            results.add(uniqueKey(name, KEYS.get(name)));
        }
        results.add(reference("songplays", "user_id", "users"));
        results.add(reference("songplays", "song_id", "songs"));
        results.add(reference("songplays", "artist_id", "artists"));
        results.add(reference("songplays", "start_time", "time"));
        results.add(reference("songs", "artist_id", "artists"));
        results.add(partitions("songplays"));
        results.add(partitions("time"));
        expectedRows.forEach((name, rows) -> results.add(rowCount(name, rows)));
        return results;
    }

    /** Each table is read once, only the columns the checks use, and kept in memory while they run: a
     *  table of many partition folders (songs) costs a listing of all of them on every read. */
    private Dataset<Row> table(String name) {
        return tables.computeIfAbsent(name, n -> LakeTables.table(spark, lake, n)
                .select(COLUMNS.get(n).stream().map(c -> col(c)).toArray(Column[]::new))
                .persist(StorageLevel.MEMORY_AND_DISK()));
    }

    private Result uniqueKey(String name, String key) {
        Dataset<Row> table = table(name);
        Dataset<Row> offending = table.where(col(key).isNull()).select(col(key)).unionAll(
                table.where(col(key).isNotNull()).groupBy(col(key)).agg(count("*").as("n")).where(col("n").gt(1)).select(col(key)));
        return result(name + "." + key + " is unique and never null", offending);
    }

    /** Every non-null {@code column} of {@code from} names a row of {@code dimension} (null user_id: a
     *  logged-out play; null song_id or artist_id: a play the catalog does not hold). */
    private Result reference(String table, String column, String dimension) {
        Dataset<Row> from = table(table);
        Dataset<Row> keys = table(dimension).select(col(KEYS.get(dimension)).as("dimension_key"));
        Dataset<Row> orphans = from.where(col(column).isNotNull())
                .join(keys, from.col(column).equalTo(keys.col("dimension_key")), "left_anti")
                .select(col(column));
        return result("every " + table + "." + column + " exists in " + dimension, orphans);
    }

    private Result partitions(String name) {
        Dataset<Row> table = table(name);
        Column wrong = col("year").notEqual(year(col("start_time"))).or(col("month").notEqual(month(col("start_time"))))
                .or(col("year").isNull()).or(col("month").isNull());
        return result(name + " partitions year=/month= agree with start_time (UTC)",
                table.where(wrong).select(col(KEYS.get(name)).cast("string"), col("year"), col("month")));
    }

    private Result rowCount(String name, long expected) {
        long actual = table(name).count();
        return new Result(String.format("%s has the %,d rows the run summary gives", name, expected),
                Math.abs(actual - expected), List.of("found " + String.format("%,d", actual)));
    }

    private static Result result(String name, Dataset<Row> offending) {
        List<Row> firstRows = offending.limit(EXAMPLES).collectAsList();
        long count = firstRows.size() < EXAMPLES ? firstRows.size() : offending.count();
        List<String> examples = firstRows.stream().map(Checks::describe).toList();
        return new Result(name, count, examples);
    }

    private static String describe(Row row) {
        if (row.length() == 1) {
            return String.valueOf(row.get(0));
        }
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
            parts.add(row.schema().fieldNames()[i] + "=" + row.get(i));
        }
        return "(" + String.join(" ", parts) + ")";
    }
}
