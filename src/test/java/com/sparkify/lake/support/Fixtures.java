package com.sparkify.lake.support;

import java.time.Instant;
import java.util.Arrays;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import com.sparkify.lake.extract.Schemas;

/** Hand-made input records, shaped as the extract stage hands them on (Schemas.SONG, Schemas.EVENT). */
public final class Fixtures {

    private Fixtures() {
    }

    public static Row song(String songId, String title, String artistId, String artistName, double duration, int year) {
        return song(songId, title, artistId, artistName, duration, year, null, null, null);
    }

    public static Row song(String songId, String title, String artistId, String artistName, double duration,
                           int year, String location, Double latitude, Double longitude) {
        return RowFactory.create(1, artistId, latitude, longitude, location, artistName, songId, title, duration, year);
    }

    public static Event event() {
        return new Event();
    }

    public static long millis(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    /** An event, a logged-in play by default; set what a test is about. */
    public static final class Event {
        private final Object[] values = new Object[Schemas.EVENT.size()];

        private Event() {
            set("auth", "Logged In");
            set("firstName", "Ada");
            set("lastName", "Lovelace");
            set("gender", "F");
            set("itemInSession", 0);
            set("level", "free");
            set("location", "London");
            set("method", "PUT");
            set("page", "NextSong");
            set("sessionId", 1L);
            set("status", 200);
            set("ts", millis("2018-11-01T10:00:00Z"));
            set("userAgent", "\"Mozilla/5.0\"");
            set("userId", "1");
        }

        public Event set(String field, Object value) {
            values[Schemas.EVENT.fieldIndex(field)] = value;
            return this;
        }

        public Event user(String id) {
            return set("userId", id);
        }

        public Event session(long id) {
            return set("sessionId", id);
        }

        public Event item(int item) {
            return set("itemInSession", item);
        }

        public Event at(String instant) {
            return set("ts", millis(instant));
        }

        public Event page(String page) {
            return set("page", page);
        }

        public Event level(String level) {
            return set("level", level);
        }

        public Event play(String artist, String song, double length) {
            return set("page", "NextSong").set("artist", artist).set("song", song).set("length", length);
        }

        public Row row() {
            return RowFactory.create(Arrays.copyOf(values, values.length));
        }
    }
}
