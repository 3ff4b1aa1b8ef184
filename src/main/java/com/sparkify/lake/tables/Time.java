package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.hour;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.weekday;
import static org.apache.spark.sql.functions.weekofyear;
import static org.apache.spark.sql.functions.year;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * time: one row per distinct start_time of a play (SPEC rule 5). Its parts are taken in the session time
 * zone, which the run pins to UTC (pipeline.Engine.prepare).
 */
public final class Time {

    public static final String NAME = "time";
    public static final List<String> PARTITIONS = List.of("year", "month");

    /**
     * Key and merge rule: start_time. Each instant at which a batch brings a new or changed event is built
     * again from all plays at that instant: a new play may add one, a changed event may remove one.
     */
    public static final String KEY = "start_time";

    /** The plays at every instant that {@code changes} (a batch's new or changed events) names, as songplays
     *  rows carry them (start_time). */
    public static Dataset<Row> affected(Dataset<Row> events, Dataset<Row> changes) {
        return Events.plays(events.join(changes.select(col("ts")).distinct(), "ts", "left_semi"))
                .select(Songplays.startTime().as("start_time"));
    }

    /** The merge rule for a batch: each instant of its new, changed or gone events, from all plays then. */
    public static Merge merge(InputChange change) {
        return new Merge(from(affected(change.spanBefore(), change.touched())),
                from(affected(change.spanAfter(), change.touched())));
    }

    private Time() {
    }

    /** @param songplays the fact table, or anything with a start_time column */
    public static Dataset<Row> from(Dataset<Row> songplays) {
        return songplays
                .select(col("start_time"))
                .distinct()
                .select(col("start_time"),
                        hour(col("start_time")).as("hour"),
                        dayofmonth(col("start_time")).as("day"),
                        // Spark's weekofyear is the ISO-8601 week: Monday first, week 1 holds the first Thursday.
                        weekofyear(col("start_time")).as("week"),
                        month(col("start_time")).as("month"),
                        year(col("start_time")).as("year"),
                        // weekday() counts Monday = 0; ISO counts Monday = 1.
                        weekday(col("start_time")).plus(1).as("weekday"));
    }
}
