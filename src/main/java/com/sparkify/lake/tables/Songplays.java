package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.year;

import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** songplays: one row per play, matched to the catalog where the song is in it (SPEC rule 2). */
public final class Songplays {

    public static final String NAME = "songplays";
    public static final List<String> PARTITIONS = List.of("year", "month");

    /** Two durations closer than this (seconds) are the same recording. */
    public static final double DURATION_TOLERANCE = 0.01;

    private Songplays() {
    }

    /**
     * @param events  distinct events (only plays are used)
     * @param catalog song records as read from song_data
     */
    public static Dataset<Row> from(Dataset<Row> events, Dataset<Row> catalog) {
        Dataset<Row> plays = Events.plays(events).withColumn("songplay_id", songplayId());

        // Candidate songs per play, reduced to the smallest song_id so that a play never becomes two rows.
        Dataset<Row> songs = catalog.select(col("song_id"), col("artist_id"), col("title"),
                col("artist_name"), col("duration"));
        Dataset<Row> matches = plays.select(col("songplay_id"), col("song"), col("artist"), col("length"))
                .join(broadcast(songs), col("title").equalTo(col("song"))
                        .and(col("artist_name").equalTo(col("artist")))
                        .and(abs(col("duration").minus(col("length"))).leq(DURATION_TOLERANCE)))
                .groupBy(col("songplay_id"))
                .agg(min(struct(col("song_id"), col("artist_id"))).as("match"));

        Column startTime = timestamp_millis(col("ts"));
        return plays.join(matches, "songplay_id", "left")
                .select(col("songplay_id"),
                        startTime.as("start_time"),
                        col("userId").cast(DataTypes.LongType).as("user_id"),
                        col("level"),
                        col("match.song_id").as("song_id"),
                        col("match.artist_id").as("artist_id"),
                        col("sessionId").as("session_id"),
                        col("location"),
                        col("userAgent").as("user_agent"),
                        year(startTime).as("year"),
                        month(startTime).as("month"));
    }

    /**
     * The id is the event's own identity (SPEC rule 1) spelled out: ts:userId:sessionId:itemInSession,
     * empty where a part is null. Distinct events give distinct ids, and the same event gets the same id on
     * any run, partitioning or cluster, which a generated number would not.
     */
    static Column songplayId() {
        Column[] parts = Stream.of("ts", "userId", "sessionId", "itemInSession")
                .map(name -> coalesce(col(name).cast(DataTypes.StringType), lit("")))
                .toArray(Column[]::new);
        return concat_ws(":", parts);
    }
}
