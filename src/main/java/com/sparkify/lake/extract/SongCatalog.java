package com.sparkify.lake.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Reads {@code <input>/song_data}: one small JSON file per song, at any depth. */
public final class SongCatalog {

    public static final String FOLDER = "song_data";

    private SongCatalog() {
    }

    /**
     * @param inFlight how many files a JVM reads at once at most: on an object store each costs a round trip,
     *                 and the catalog is thousands of files of a few hundred bytes
     */
    public static Extracted read(SparkSession spark, String songData, int inFlight) {
        return read(spark, songData, () -> inFlight);
    }

    /** @param inFlight asked once the folder is listed: the listing's round trips say how far the store is */
    public static Extracted read(SparkSession spark, String songData, java.util.function.IntSupplier inFlight) {
        // The root is listed once, recursively: a glob over X/Y/Z costs a listing call per folder on S3.
        try {
            Inputs.Selection listed = Inputs.select(WholeFiles.list(songData,
                    spark.sparkContext().hadoopConfiguration()));
            return read(spark, listed.read(), inFlight.getAsInt()).withSkipped(listed.skipped());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads the given song files (an incremental load's new ones), input files all ({@link Inputs#select}). */
    public static Extracted read(SparkSession spark, List<WholeFiles.Found> found, int inFlight) {
        // Whole files, because a song file may be one pretty-printed object over many lines.
        // Two tasks per core, as for a shuffle: each keeps its share of the JVM's reads in flight.
        int slices = 2 * spark.sparkContext().defaultParallelism();
        Dataset<Row> files = WholeFiles.read(spark, found, slices, inFlight);
        Dataset<Row> records = files.flatMap((FlatMapFunction<Row, Row>) JsonValues::split,
                Encoders.row(JsonValues.RAW));
        return RecordParser.classify(spark, FOLDER, records, Schemas.SONG,
                Schemas.SONG_REQUIRED.stream().map(RecordParser::required).toList(),
                found.stream().map(WholeFiles.Found::path).toArray(String[]::new),
                found.stream().mapToLong(WholeFiles.Found::length).sum());
    }

}
