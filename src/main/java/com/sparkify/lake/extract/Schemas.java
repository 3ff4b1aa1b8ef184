package com.sparkify.lake.extract;

import java.util.List;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The two raw inputs as SPEC.md describes them. Declared, never inferred: inference reads every file twice. */
public final class Schemas {

    private Schemas() {
    }

    public static final StructType SONG = new StructType()
            .add("num_songs", DataTypes.IntegerType)
            .add("artist_id", DataTypes.StringType)
            .add("artist_latitude", DataTypes.DoubleType)
            .add("artist_longitude", DataTypes.DoubleType)
            .add("artist_location", DataTypes.StringType)
            .add("artist_name", DataTypes.StringType)
            .add("song_id", DataTypes.StringType)
            .add("title", DataTypes.StringType)
            .add("duration", DataTypes.DoubleType)
            .add("year", DataTypes.IntegerType);

    public static final List<String> SONG_REQUIRED = List.of("song_id", "artist_id");

    public static final StructType EVENT = new StructType()
            .add("artist", DataTypes.StringType)
            .add("auth", DataTypes.StringType)
            .add("firstName", DataTypes.StringType)
            .add("gender", DataTypes.StringType)
            .add("itemInSession", DataTypes.IntegerType)
            .add("lastName", DataTypes.StringType)
            .add("length", DataTypes.DoubleType)
            .add("level", DataTypes.StringType)
            .add("location", DataTypes.StringType)
            .add("method", DataTypes.StringType)
            .add("page", DataTypes.StringType)
            .add("registration", DataTypes.DoubleType)
            .add("sessionId", DataTypes.LongType)
            .add("song", DataTypes.StringType)
            .add("status", DataTypes.IntegerType)
            .add("ts", DataTypes.LongType)
            .add("userAgent", DataTypes.StringType)
            .add("userId", DataTypes.StringType);

    public static final List<String> EVENT_REQUIRED = List.of("ts", "page");

    /** The same fields, all as strings: Spark's JSON parser accepts any value for a string, which tells a
     *  wrongly typed field (parses here, not in the real schema) from malformed JSON (parses nowhere). */
    static StructType lenient(StructType schema) {
        StructType lenient = new StructType();
        for (var field : schema.fields()) {
            lenient = lenient.add(field.name(), DataTypes.StringType);
        }
        return lenient;
    }
}
