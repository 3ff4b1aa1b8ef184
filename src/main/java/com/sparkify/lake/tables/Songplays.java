package com.sparkify.lake.tables;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array_min;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.transform;
import static org.apache.spark.sql.functions.year;

import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;

/** songplays: one row per play, matched to the catalog where the song is in it (SPEC rule 2). */
public final class Songplays {

    public static final String NAME = "songplays";
    public static final List<String> PARTITIONS = List.of("year", "month");

    /**
     * Key and merge rule: songplay_id, the event's id. A play is built again when its event is new or changed
     * in a batch, or when the batch brings a song record of its title and artist: a song that arrives after
     * its plays matches them then, as one load of everything would have, and a smaller song_id takes over.
     */
    public static final String KEY = "songplay_id";

    /**
     * The events whose plays a batch may change.
     *
     * @param events  the events after the batch, with their ids
     * @param changes the batch's new or changed events, with their ids
     * @param records the batch's song records
     */
    public static Dataset<Row> affected(Dataset<Row> events, Dataset<Row> changes, Dataset<Row> records) {
        Dataset<Row> titles = records.select(col("title").as("song"), col("artist_name").as("artist")).distinct();
        Dataset<Row> rematched = Events.plays(events).join(titles, scala.jdk.javaapi.CollectionConverters.asScala(List.of("song", "artist")).toSeq(), "left_semi");
        Dataset<Row> ids = changes.select(col(Events.ID)).unionByName(rematched.select(col(Events.ID))).distinct();
        return events.join(ids, Events.ID, "left_semi");
    }

    /** The merge rule for a batch: the plays of its new, changed or gone events, and those of the songs it
     *  brings, matched again. */
    public static Merge merge(InputChange change) {
        // A new song record may match a play of any day, which only a reading of the whole record finds.
        boolean newSongs = !change.touchedRecords().isEmpty();
        Dataset<Row> playsBefore = newSongs ? change.eventsBefore() : change.spanBefore();
        Dataset<Row> playsAfter = newSongs ? change.eventsAfter() : change.spanAfter();
        Dataset<Row> replayed = change.kept().apply(affected(playsAfter, change.touched(), change.touchedRecords()));
        // A play whose event went has no row after: its row before is found by the event's id.
        Dataset<Row> replayedIds = replayed.select(Events.ID).unionByName(change.gone().select(Events.ID));
        return new Merge(from(playsBefore.join(replayedIds, Events.ID, "left_semi"), change.recordsBefore()),
                from(replayed, change.recordsAfter()));
    }

    /** When a play happened: its ts (epoch milliseconds) as a UTC instant. */
    public static Column startTime() {
        return timestamp_millis(col("ts"));
    }

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

        // The catalog's recordings of each (title, artist name), broadcast: a play looks up its one entry and
        // keeps the smallest (song_id, artist_id) among the recordings of its length. A play is never doubled
        // (one entry at most) nor dropped (a left join), and the millions of plays stay where they were read
        // instead of being shuffled to a join and then again to pick one match each.
        Dataset<Row> recordings = catalog
                .groupBy(col("title"), col("artist_name"))
                .agg(collect_list(struct(col("song_id"), col("artist_id"), col("duration"))).as("recordings"));
        Column sameLength = array_min(transform(
                filter(col("recordings"),
                        (Column r) -> abs(r.getField("duration").minus(col("length"))).leq(DURATION_TOLERANCE)),
                (Column r) -> struct(r.getField("song_id").as("song_id"), r.getField("artist_id").as("artist_id"))));
        Dataset<Row> matched = plays.join(broadcast(recordings),
                        col("title").equalTo(col("song")).and(col("artist_name").equalTo(col("artist"))), "left")
                .withColumn("match", sameLength);

        Column startTime = startTime();
        return matched
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

    /** The id is the event's own ({@link Events#id}): the same play gets the same id on any run. */
    static Column songplayId() {
        return Events.id();
    }
}
