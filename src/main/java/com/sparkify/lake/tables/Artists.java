package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** artists: one row per artist_id, as that artist's record with the smallest song_id gives it (SPEC rule 4). */
public final class Artists {

    public static final String NAME = "artists";
    public static final List<String> PARTITIONS = List.of();

    /**
     * Key and merge rule: artist_id. Each artist a batch's song records name is built again from all of that
     * artist's records, so the one with the smallest song_id wins even when it arrives after the others.
     */
    public static final String KEY = "artist_id";

    /** The song records of every artist that {@code batch} names. */
    public static Dataset<Row> affected(Dataset<Row> records, Dataset<Row> batch) {
        return records.join(batch.select(col(KEY)).distinct(), KEY, "left_semi");
    }

    /** The merge rule for a batch: each artist it names, built from all of that artist's records. */
    public static Merge merge(InputChange change) {
        return new Merge(from(affected(change.recordsBefore(), change.touchedRecords())),
                from(affected(change.recordsAfter(), change.touchedRecords())));
    }

    private Artists() {
    }

    /** @param catalog song records as read from song_data */
    public static Dataset<Row> from(Dataset<Row> catalog) {
        return catalog
                .groupBy(col("artist_id"))
                .agg(min(struct(col("song_id"), col("artist_name"), col("artist_location"),
                        col("artist_latitude"), col("artist_longitude"))).as("first"))
                .select(col("artist_id"), col("first.artist_name").as("name"),
                        col("first.artist_location").as("location"),
                        col("first.artist_latitude").as("latitude"), col("first.artist_longitude").as("longitude"));
    }
}
