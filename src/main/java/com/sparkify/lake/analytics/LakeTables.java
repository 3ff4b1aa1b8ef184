package com.sparkify.lake.analytics;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;

/** A built lake, its tables readable by name from Spark SQL. */
public final class LakeTables {

    public static final List<String> NAMES = List.of("songplays", "users", "songs", "artists", "time");

    private LakeTables() {
    }

    /** Registers each table of the lake as a temporary view of the same name. */
    public static void register(SparkSession spark, String lake) {
        requireLake(spark, lake);
        for (String name : NAMES) {
            table(spark, lake, name).createOrReplaceTempView(name);
        }
    }

    public static Dataset<Row> table(SparkSession spark, String lake, String name) {
        // basePath keeps the partition columns (year, month, artist_id) when the folder is read directly.
        String folder = lake + "/" + name;
        return spark.read().option("basePath", folder).parquet(folder);
    }

    private static void requireLake(SparkSession spark, String lake) {
        Path root = new Path(lake);
        try {
            FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
            for (String name : NAMES) {
                if (!fs.getFileStatus(new Path(root, name)).isDirectory()) {
                    throw new LakeException(lake + "/" + name + " is not a folder: is " + lake + " a lake?");
                }
            }
        } catch (FileNotFoundException e) {
            throw new LakeException(lake + " is not a lake built by sparkify-lake: " + e.getMessage()
                    + ". Build one with: sparkify-lake etl --input IN --output " + lake);
        } catch (IOException e) {
            throw new LakeException("Cannot read the lake " + lake + ": " + e.getMessage(), e);
        }
    }
}
