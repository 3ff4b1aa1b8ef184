package com.sparkify.lake.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.year;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import com.sparkify.lake.load.StoredLake;
import com.sparkify.lake.tables.StarSchema;

/**
 * Data-quality checks on a built lake: keys, references between the fact table and its dimensions,
 * partition folders against the columns they come from, and row counts against the run summary.
 * Every check is a query for its offending rows; all of them run as one Spark job, not one job each.
 */
public final class Checks {

    /** One check's outcome: how many rows offend, and a few of them. */
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

    /**
     * What a run changed in one table: the rows of the files it added, and of the files it removed. A rewritten
     * file is in both, holding the rows the run kept as well as those it changed.
     */
    public record Change(Dataset<Row> added, Dataset<Row> removed) {
    }

    private final Function<String, Dataset<Row>> source;
    private final Function<String, Change> changes;
    private final Map<String, Dataset<Row>> tables = new HashMap<>();
    private final Map<String, Change> changed = new HashMap<>();

    /** Checks the tables {@code source} gives by name: read from a lake, or as a run holds them. */
    public Checks(Function<String, Dataset<Row>> source) {
        this(source, null);
    }

    /**
     * Checks only what a run changed, on tables that passed every check before it. Each rule then reads the
     * changed rows, and the whole tables only where a changed row or key could break it: a repeated key has
     * at least one copy among the added rows; an orphan is an added row, or an old row whose dimension row
     * went away. So the outcome is that of checking the whole tables, at the cost of a day's rows, not the
     * lake's (one new day at 5 M events: the checks were a third of the run).
     *
     * @param changes the run's change of each table, by name
     */
    public Checks(Function<String, Dataset<Row>> source, Function<String, Change> changes) {
        this.source = source;
        this.changes = changes;
    }

    /** Checks a lake as it is stored. */
    public static Checks onLake(SparkSession spark, String lake) {
        return onLake(spark, lake, com.sparkify.lake.config.LakeConfig.none());
    }

    /** Checks a lake as it is stored, opening an Iceberg lake's catalog with {@code config}. */
    public static Checks onLake(SparkSession spark, String lake, com.sparkify.lake.config.LakeConfig config) {
        return new Checks(StoredLake.tables(spark, lake, config));
    }

    /**
     * @param expectedRows rows per table as the run summary gives them, or an empty map to skip that check
     */
    public List<Result> run(Map<String, Long> expectedRows) {
        try {
            List<Result> results = offendingRows();
            results.addAll(rowCounts(expectedRows));
            return results;
        } finally {
            tables.values().forEach(Dataset::unpersist);
        }
    }

    /** A named query for the rows that break a rule, each row described by one string. */
    private record Rule(String name, Dataset<Row> offending) {
    }

    private List<Result> offendingRows() {
        List<Rule> rules = new ArrayList<>();
        for (String name : StarSchema.NAMES) {
            rules.add(uniqueKey(name, KEYS.get(name)));
        }
        rules.add(reference("songplays", "user_id", "users"));
        rules.add(reference("songplays", "song_id", "songs"));
        rules.add(reference("songplays", "artist_id", "artists"));
        rules.add(reference("songplays", "start_time", "time"));
        rules.add(reference("songs", "artist_id", "artists"));
        rules.add(partitions("songplays"));
        rules.add(partitions("time"));

        Dataset<Row> all = null;
        for (int i = 0; i < rules.size(); i++) {
            Dataset<Row> tagged = rules.get(i).offending().select(lit(i).as("rule"), col("example"));
            all = all == null ? tagged : all.unionAll(tagged);
        }
        // The smallest few examples of each rule, so that two runs on one broken lake say the same thing.
        Column rank = row_number().over(Window.partitionBy(col("rule")).orderBy(col("example")));
        Map<Integer, Row> found = new HashMap<>();
        for (Row row : all.withColumn("rank", rank).groupBy(col("rule"))
                .agg(count(lit(1)).as("offending"),
                        collect_list(when(col("rank").leq(EXAMPLES), col("example"))).as("examples"))
                .collectAsList()) {
            found.put(row.getInt(0), row);
        }
        List<Result> results = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Row row = found.get(i);
            results.add(row == null ? new Result(rules.get(i).name(), 0, List.of())
                    : new Result(rules.get(i).name(), row.getLong(1), sorted(row.getList(2))));
        }
        return results;
    }

    private static List<String> sorted(List<String> examples) {
        return examples.stream().sorted().toList();
    }

    /**
     * Only the columns the checks use. Each rule reads its tables again: from a few Parquet files, by column,
     * that costs less than building an in-memory copy first (5 M events: the check took 21.6 s with copies of
     * every table, 17.5 s without). A table of {@link StoredLake#MANY_FILES many files} is read once and kept,
     * unless the caller keeps it.
     */
    private Dataset<Row> table(String name) {
        return tables.computeIfAbsent(name, n -> {
            Dataset<Row> stored = source.apply(n);
            Dataset<Row> columns = stored.select(COLUMNS.get(n).stream().map(c -> col(c)).toArray(Column[]::new));
            // A table the caller keeps already (the report's views) is read from memory as it is.
            boolean kept = !stored.storageLevel().equals(StorageLevel.NONE());
            return !kept && StoredLake.manyFiles(columns) ? columns.persist(StorageLevel.MEMORY_AND_DISK()) : columns;
        });
    }

    /** The rows the run added to a table, or the whole table when the checks are not of a change. */
    private Dataset<Row> added(String name) {
        return changes == null ? table(name) : columns(name, change(name).added());
    }

    /** The keys of a dimension that were in it before the run and are not now (the checks of a change only). */
    private Dataset<Row> gone(String dimension) {
        String key = KEYS.get(dimension);
        Change change = change(dimension);
        // Keys were unique before the run: a key of a removed file lives on only in a file the run added.
        return change.removed().select(col(key)).except(change.added().select(col(key)));
    }

    private Change change(String name) {
        return changed.computeIfAbsent(name, changes);
    }

    private static Dataset<Row> columns(String name, Dataset<Row> rows) {
        return rows.select(COLUMNS.get(name).stream().map(c -> col(c)).toArray(Column[]::new));
    }

    private Rule uniqueKey(String name, String key) {
        Dataset<Row> added = added(name);
        Dataset<Row> nulls = added.where(col(key).isNull()).select(lit("null").as("example"));
        Dataset<Row> candidates = table(name).select(col(key)).where(col(key).isNotNull());
        if (changes != null) {
            // Two rows with one key, at least one of them added: look the added keys up in the whole table.
            // Joined on names that differ: the added rows and the table may come from one lineage (in tests).
            Dataset<Row> addedKeys = added.select(col(key).as("added_key")).where(col("added_key").isNotNull())
                    .distinct();
            candidates = candidates.join(addedKeys, col(key).equalTo(col("added_key")), "left_semi");
        }
        Dataset<Row> repeated = candidates.groupBy(col(key)).agg(count(lit(1)).as("n"))
                .where(col("n").gt(1)).select(col(key).cast("string").as("example"));
        return new Rule(name + "." + key + " is unique and never null", nulls.unionAll(repeated));
    }

    /** Every non-null {@code column} of {@code table} names a row of {@code dimension} (null user_id: a
     *  logged-out play; null song_id or artist_id: a play the catalog does not hold). */
    private Rule reference(String table, String column, String dimension) {
        String name = "every " + table + "." + column + " exists in " + dimension;
        Dataset<Row> keys = table(dimension).select(col(KEYS.get(dimension)).as("dimension_key"));
        if (changes == null) {
            Dataset<Row> from = table(table);
            return new Rule(name, from.where(col(column).isNotNull())
                    .join(keys, col(column).equalTo(col("dimension_key")), "left_anti")
                    .select(col(column).cast("string").as("example")));
        }
        // The added rows' values, a few: those the dimension holds are found by reading it for them only, so
        // the whole dimension is scanned but never shuffled. Then the old rows that named a key that went.
        Dataset<Row> values = added(table).select(col(column).as("value")).where(col("value").isNotNull());
        Dataset<Row> wanted = values.distinct();
        Dataset<Row> found = keys.join(wanted, col("dimension_key").equalTo(col("value")), "left_semi");
        Dataset<Row> missing = values.join(found, col("value").equalTo(col("dimension_key")), "left_anti")
                .select(col("value").cast("string").as("example"));
        Dataset<Row> gone = gone(dimension).withColumnRenamed(KEYS.get(dimension), "gone_key");
        Dataset<Row> from = table(table);
        Dataset<Row> lost = from.join(gone, col(column).equalTo(col("gone_key")), "left_semi")
                .select(col(column).cast("string").as("example"));
        return new Rule(name, missing.unionAll(lost));
    }

    private Rule partitions(String name) {
        Column wrong = col("year").notEqual(year(col("start_time"))).or(col("month").notEqual(month(col("start_time"))))
                .or(col("year").isNull()).or(col("month").isNull());
        Column example = concat(lit("("), concat_ws(" ",
                concat(lit(KEYS.get(name) + "="), col(KEYS.get(name)).cast("string")),
                concat(lit("year="), col("year").cast("string")),
                concat(lit("month="), col("month").cast("string"))), lit(")"));
        return new Rule(name + " partitions year=/month= agree with start_time (UTC)",
                added(name).where(wrong).select(example.as("example")));
    }

    private List<Result> rowCounts(Map<String, Long> expected) {
        if (expected.isEmpty()) {
            return new ArrayList<>();
        }
        Dataset<Row> counts = null;
        for (String name : expected.keySet()) {
            Dataset<Row> count = table(name).agg(count(lit(1)).as("rows")).select(lit(name).as("table"), col("rows"));
            counts = counts == null ? count : counts.unionAll(count);
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        counts.collectAsList().forEach(row -> actual.put(row.getString(0), row.getLong(1)));
        List<Result> results = new ArrayList<>();
        expected.forEach((name, rows) -> {
            long found = actual.get(name);
            results.add(new Result(String.format("%s has the %,d rows the run summary gives", name, rows),
                    Math.abs(found - rows), List.of(String.format("found %,d", found))));
        });
        return results;
    }
}
