package com.sparkify.lake.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.config.Settings;

/** The one SparkSession of a test JVM, and the real sample data. */
public final class TestSpark {

    private static SparkSession spark;

    private TestSpark() {
    }

    public static Settings settings() {
        return Settings.defaults().withMaster("local[2]").withShufflePartitions(4);
    }

    public static synchronized SparkSession session() {
        if (spark == null) {
            spark = Engine.start(settings());
        }
        return spark;
    }

    public static Dataset<Row> rows(StructType schema, List<Row> rows) {
        return session().createDataFrame(rows, schema);
    }

    /**
     * The Udacity workspace sample in ../shared/data. In CI it must be there; elsewhere a test that needs it
     * is skipped with a note on where it comes from.
     */
    public static Path sample() {
        String override = System.getenv("SPARKIFY_SAMPLE");
        Path sample = Path.of(override != null ? override : "../shared/data/sparkify-sample").toAbsolutePath().normalize();
        boolean present = Files.isDirectory(sample.resolve("song_data")) && Files.isDirectory(sample.resolve("log_data"));
        String where = sample + " is missing. It is the Udacity 'Data Lake' workspace sample (71 song files, "
                + "30 log files), described in shared/data/sparkify-sample/_PROVENANCE.md; set SPARKIFY_SAMPLE to "
                + "another copy.";
        if (!present) {
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(where);
            }
            Assumptions.abort(where);
        }
        return sample;
    }
}
