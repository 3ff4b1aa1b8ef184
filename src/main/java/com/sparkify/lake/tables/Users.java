package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** users: one row per user seen in any event, with what that user's latest event says (SPEC rule 3). */
public final class Users {

    public static final String NAME = "users";
    public static final List<String> PARTITIONS = List.of();

    /**
     * Key and merge rule: user_id. Each user a batch's new or changed events name is built again from all of
     * that user's events, so the latest event wins (rule 3), not the latest batch.
     */
    public static final String KEY = "user_id";

    /** The events of every user that {@code changes} (a batch's new or changed events) names. */
    public static Dataset<Row> affected(Dataset<Row> events, Dataset<Row> changes) {
        Dataset<Row> users = changes.where(col("userId").isNotNull()).select(col("userId")).distinct();
        return events.join(users, "userId", "left_semi");
    }

    /**
     * Whether every new or changed event is later (by ts) than every event the lake had: then no change
     * replaces an event the lake has (a replacement keeps its ts), and a user's latest event after the batch is
     * among the batch's own, so the batch alone gives the users it names.
     */
    public static boolean laterThanAll(Dataset<Row> changes, Dataset<Row> loaded) {
        Row earliest = changes.agg(min(col("ts"))).head();
        // Iceberg answers MAX from its files' statistics, without reading them.
        Row latest = loaded.agg(max(col("ts"))).head();
        return !earliest.isNullAt(0) && (latest.isNullAt(0) || earliest.getLong(0) > latest.getLong(0));
    }

    /** The rows of {@code users} (the users table) for the users that {@code changes} names. */
    public static Dataset<Row> named(Dataset<Row> users, Dataset<Row> changes) {
        Dataset<Row> named = changes.where(col("userId").isNotNull())
                .select(col("userId").cast(DataTypes.LongType).as(KEY)).distinct();
        return users.join(named, users.col(KEY).equalTo(named.col(KEY)), "left_semi")
                .select(col("user_id"), col("first_name"), col("last_name"), col("gender"), col("level"));
    }

    /** The merge rule for a batch: each user its events name, as their latest event says. */
    public static Merge merge(InputChange change) {
        if (!change.removes() && laterThanAll(change.changes(), change.eventsBefore())) {
            // The usual day: every event of the batch is later than all the lake had, so each user's latest
            // event is in the batch, and the users the lake has are their rows before it.
            return new Merge(named(change.users(), change.changes()), from(change.changes()));
        }
        return new Merge(from(affected(change.eventsBefore(), change.touched())),
                from(affected(change.eventsAfter(), change.touched())));
    }

    private Users() {
    }

    /** @param events distinct events, logged-out ones included (their userId is null) */
    public static Dataset<Row> from(Dataset<Row> events) {
        // Latest = greatest ts, then greatest itemInSession; sessionId last only so that two events
        // equal on both still give one answer on every run.
        return events
                .where(col("userId").isNotNull())
                .groupBy(col("userId").cast(DataTypes.LongType).as("user_id"))
                .agg(max(struct(col("ts"), col("itemInSession"), col("sessionId"),
                        col("firstName"), col("lastName"), col("gender"), col("level"))).as("latest"))
                .select(col("user_id"), col("latest.firstName").as("first_name"),
                        col("latest.lastName").as("last_name"), col("latest.gender").as("gender"),
                        col("latest.level").as("level"));
    }
}
