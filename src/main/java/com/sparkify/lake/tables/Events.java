package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** The event log as the tables see it: each event once (SPEC rule 1). */
public final class Events {

    /** What identifies an event; the same four values seen twice are one event delivered twice. */
    public static final List<String> KEY = List.of("userId", "sessionId", "itemInSession", "ts");

    public static final String NEXT_SONG = "NextSong";

    /**
     * The event's identity as one string, the lake's key for an event: ts:userId:sessionId:itemInSession, empty
     * where a part is null. Distinct events get distinct ids, the same event the same id on any run.
     */
    public static final String ID = "event_id";

    /**
     * Merge rule of the events a lake has loaded (an Iceberg lake keeps them, to rebuild what a batch
     * changes): keyed by {@link #ID}; an event a batch delivers again is kept once, as the smallest of its
     * deliveries, whichever batch brought which.
     */
    public static Column id() {
        Column[] parts = Stream.of("ts", "userId", "sessionId", "itemInSession")
                .map(name -> coalesce(col(name).cast(DataTypes.StringType), lit("")))
                .toArray(Column[]::new);
        return concat_ws(":", parts);
    }

    /**
     * What a batch changes among the events the lake has: the batch's events that are new, and those that
     * replace a delivery the lake had because they are smaller (rule 1), each with its {@link #ID}.
     *
     * @param loaded the events the lake has, with their ids
     * @param batch  the batch's events as read (repeats included)
     */
    public static Dataset<Row> changes(Dataset<Row> loaded, Dataset<Row> batch) {
        Dataset<Row> incoming = batch.withColumn(ID, id());
        Dataset<Row> before = loaded.join(incoming.select(ID).distinct(), ID, "left_semi");
        Dataset<Row> after = distinct(before.drop(ID).unionByName(incoming.drop(ID))).withColumn(ID, id());
        // EXCEPT compares by position, and a join on a named column puts that column first.
        Column[] order = java.util.Arrays.stream(loaded.columns()).map(name -> col(name)).toArray(Column[]::new);
        return after.select(order).except(before.select(order));
    }

    /**
     * The span of ts of a batch's events: the least and the greatest, or null when some event has no ts (or
     * there is none), in which case no span bounds what the batch may touch.
     */
    public static long[] span(Dataset<Row> batch) {
        Row bounds = batch.agg(min(col("ts")), max(col("ts")), count(lit(1)), count(col("ts"))).head();
        if (bounds.getLong(2) == 0 || bounds.getLong(2) != bounds.getLong(3)) {
            return null;
        }
        return new long[] {bounds.getLong(0), bounds.getLong(1)};
    }

    /** The events within a span of ts (all of them for a null span), as a filter Iceberg prunes files by. */
    public static Dataset<Row> within(Dataset<Row> events, long[] span) {
        return span == null ? events : events.where(col("ts").between(span[0], span[1]));
    }

    /** The events after a batch: those the lake had, less the ones the batch replaced, plus the changes. */
    public static Dataset<Row> after(Dataset<Row> loaded, Dataset<Row> changes) {
        return loaded.join(changes.select(ID), ID, "left_anti").unionByName(changes);
    }

    private Events() {
    }

    /**
     * Each event once. Should two deliveries of one event differ in another field, the smallest of the
     * whole records is kept, so the choice does not depend on which file or task Spark read first.
     */
    public static Dataset<Row> distinct(Dataset<Row> events) {
        return distinct(events, repeatedKeys(events));
    }

    /** The keys delivered more than once: a count of the four key columns, the only shuffle of all events. */
    public static Dataset<Row> repeatedKeys(Dataset<Row> events) {
        return events.groupBy(KEY.stream().map(name -> col(name)).toArray(Column[]::new))
                .agg(count(lit(1)).as("copies")).where(col("copies").gt(1)).drop("copies");
    }

    /**
     * Each event once, given its {@link #repeatedKeys}. Delivered-twice events are few: only they go through
     * the costly choice, and the rest pass through an anti-join against their keys. Given those keys cached
     * and counted, Spark knows how small they are and broadcasts them, so the events are not shuffled at all.
     */
    public static Dataset<Row> distinct(Dataset<Row> events, Dataset<Row> repeatedKeys) {
        Column[] key = KEY.stream().map(name -> col(name)).toArray(Column[]::new);
        Dataset<Row> repeated = repeatedKeys.as("repeated");
        Dataset<Row> all = events.as("event");
        // userId is null for logged-out events, and two such deliveries are still one event: null-safe.
        Column sameEvent = KEY.stream().map(name -> col("event." + name).eqNullSafe(col("repeated." + name)))
                .reduce(Column::and).orElseThrow();
        Dataset<Row> once = all.join(repeated, sameEvent, "left_anti");

        Column[] rest = Arrays.stream(events.columns()).filter(name -> !KEY.contains(name))
                .map(name -> col(name)).toArray(Column[]::new);
        Column[] columns = Arrays.stream(events.columns())
                .map(name -> KEY.contains(name) ? col(name) : col("choice." + name).as(name))
                .toArray(Column[]::new);
        Dataset<Row> chosen = all.join(repeated, sameEvent, "left_semi")
                .groupBy(key).agg(min(struct(rest)).as("choice")).select(columns);
        return once.unionByName(chosen);
    }

    public static Dataset<Row> plays(Dataset<Row> events) {
        return events.where(col("page").equalTo(NEXT_SONG));
    }
}
