package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** songs: one row per song_id (SPEC rule 4). */
public final class Songs {

    public static final String NAME = "songs";
    public static final List<String> PARTITIONS = List.of("year", "artist_id");

    /**
     * Key and merge rule: song_id. A batch's song records join those the lake has; each song_id the batch names
     * is built again from all records of it, so the smallest record wins whichever batch brought it.
     */
    public static final String KEY = "song_id";

    /** The song records of every song_id that {@code batch} names: what its rows are built again from. */
    public static Dataset<Row> affected(Dataset<Row> records, Dataset<Row> batch) {
        return records.join(batch.select(col(KEY)).distinct(), KEY, "left_semi");
    }

    /** The merge rule for a batch: the songs of each song_id it names, built from all their records. */
    public static Merge merge(InputChange change) {
        return new Merge(from(affected(change.recordsBefore(), change.touchedRecords())),
                from(affected(change.recordsAfter(), change.touchedRecords())));
    }

    private Songs() {
    }

    /** @param catalog song records as read from song_data */
    public static Dataset<Row> from(Dataset<Row> catalog) {
        // A song listed twice (the catalog overlaps itself) keeps its smallest record: one row, chosen
        // the same way on every run.
        return catalog
                .groupBy(col("song_id"))
                .agg(min(struct(col("title"), col("artist_id"), col("year"), col("duration"))).as("song"))
                .select(col("song_id"), col("song.title").as("title"), col("song.artist_id").as("artist_id"),
                        col("song.year").as("year"), col("song.duration").as("duration"));
    }
}
