package com.sparkify.lake.load;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.tables.StarSchema;

/** A built lake's star tables as they are now, by name: Parquet folders, or an Iceberg lake's current snapshots. */
public final class StoredLake {

    /**
     * A table stored as more files than this is read once and kept where it is asked more than once (the checks,
     * the sql shell, the report): from tens of thousands of one-row files, the songs table of a big catalog,
     * each read opens every file again.
     */
    public static final int MANY_FILES = 1_000;

    private StoredLake() {
    }

    /** Whether {@code table} is read from more than {@link #MANY_FILES} files. */
    public static boolean manyFiles(Dataset<Row> table) {
        return ManyFilesTable.readHere(table) || table.inputFiles().length > MANY_FILES;
    }

    /** @param config the config file: an Iceberg lake on an object store needs its {@code [catalog]} */
    public static Function<String, Dataset<Row>> tables(SparkSession spark, String lake, LakeConfig config) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String root = LakeCatalog.qualified(lake, hadoop);
        if (LakeCatalog.isIceberg(root, hadoop)) {
            LakeCatalog catalog = LakeCatalog.open(spark, root, config, false);
            for (String name : StarSchema.NAMES) {
                catalog.table(name);
            }
            return name -> spark.table(catalog.sparkName(name));
        }
        requireLake(spark, lake);
        return name -> ManyFilesTable.read(spark, lake + "/" + name, MANY_FILES)
                .orElseGet(() -> Lake.table(spark, lake, name));
    }

    private static void requireLake(SparkSession spark, String lake) {
        Path root = new Path(lake);
        FileSystem fs;
        try {
            fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
        } catch (IOException e) {
            throw new LakeException("Cannot read the lake " + lake + ": " + e.getMessage(), e);
        }
        String table = null;
        try {
            for (String name : StarSchema.NAMES) {
                table = name;
                if (!fs.getFileStatus(new Path(root, name)).isDirectory()) {
                    throw new LakeException(lake + "/" + name + " is not a folder: is " + lake + " a lake?");
                }
            }
        } catch (FileNotFoundException e) {
            if (built(fs, root)) {
                // On an object store a Parquet lake's run deletes a table and writes it anew, in place.
                throw new LakeException(lake + " has no " + table + " table right now, though a run built the lake: "
                        + "a run is replacing it. Ask again once it has ended; if none is running, run etl again.");
            }
            // The hint must not advise writing a lake into an input folder.
            String hint = isInput(fs, root)
                    ? " It holds song_data/ or log_data/: it is an input. Build a lake from it with: sparkify-lake etl "
                        + "--input " + lake + " --output LAKE (a folder outside it), then give LAKE here."
                    : " Build one with: sparkify-lake etl --input IN --output " + lake;
            throw new LakeException(lake + " is not a lake built by sparkify-lake: " + e.getMessage() + "." + hint);
        } catch (IOException e) {
            throw new LakeException("Cannot read the lake " + lake + ": " + e.getMessage(), e);
        }
    }

    private static boolean built(FileSystem fs, Path root) {
        try {
            return fs.exists(new Path(new Path(root, Lake.RUN), Lake.SUMMARY));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isInput(FileSystem fs, Path root) {
        try {
            return fs.exists(new Path(root, "song_data")) || fs.exists(new Path(root, "log_data"));
        } catch (IOException e) {
            return false;
        }
    }
}
