package com.sparkify.lake.extract;

import static org.apache.spark.sql.functions.col;

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

    public static Extracted read(SparkSession spark, String songData) {
        // Whole files, because a song file may be one pretty-printed object over many lines. The root is
        // listed once, recursively: a glob over X/Y/Z costs a listing call per folder on S3. Spark's binaryFile
        // source opens each file straight from the file system; its whole-text mode sets up a Hadoop record
        // reader per file, copying the whole Hadoop configuration each time, which was most of the cost of
        // reading 15,000 files of a few hundred bytes.
        Dataset<Row> read = spark.read()
                .format("binaryFile")
                .option("recursiveFileLookup", "true")
                .load(songData);
        // The bytes as UTF-8 text, as the text source reads them.
        Dataset<Row> files = read.select(col("path").as("file"), col("content").cast("string").as("content"));
        Dataset<Row> records = files.flatMap((FlatMapFunction<Row, Row>) JsonValues::split,
                Encoders.row(JsonValues.RAW));
        return RecordParser.classify(spark, FOLDER, records, Schemas.SONG,
                Schemas.SONG_REQUIRED.stream().map(RecordParser::required).toList(), files.inputFiles(), Inputs.bytes(read));
    }

}
