package com.sparkify.lake.analytics;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.StoredLake;
import com.sparkify.lake.tables.StarSchema;

/** A built lake, its tables readable by name from Spark SQL, whether Parquet folders or Iceberg tables. */
public final class LakeTables {

    public static final List<String> NAMES = StarSchema.NAMES;

    private LakeTables() {
    }

    /** Registers each table of the lake as a temporary view of the same name. */
    public static void register(SparkSession spark, String lake) {
        register(spark, lake, LakeConfig.none(), null);
    }

    /**
     * @param config the config file: an Iceberg lake on an object store needs its {@code [catalog]}
     * @param asOf   a run id or a time (an Iceberg lake): the tables as they were then; null for now
     */
    public static void register(SparkSession spark, String lake, LakeConfig config, String asOf) {
        register(spark, lake, config, asOf, false);
    }

    /**
     * As {@link #register(SparkSession, String, LakeConfig, String)}, for a session that answers question after
     * question (the sql shell, the report): a table of {@link StoredLake#MANY_FILES many files} is kept in memory
     * from its first question on, and what an earlier call kept is let go. On the M lake (15,000 songs, each in a
     * folder of its own) the shell answered top-songs in 10 s every time, reading every song file again, and the
     * other named queries in under one (bench/warm-lake).
     */
    public static void registerKept(SparkSession spark, String lake, LakeConfig config, String asOf) {
        register(spark, lake, config, asOf, true);
    }

    private static void register(SparkSession spark, String lake, LakeConfig config, String asOf, boolean kept) {
        Function<String, Dataset<Row>> tables = open(spark, lake, config, asOf);
        for (String name : NAMES) {
            Dataset<Row> table = tables.apply(name);
            if (kept) {
                // Dropping the earlier view lets go of what it kept. Asking isCached first would resolve that
                // view again, and a view of a lake since deleted (an Iceberg lake's metadata gone) would stop
                // this reading.
                spark.catalog().dropTempView(name);
            }
            table.createOrReplaceTempView(name);
            if (kept && StoredLake.manyFiles(table)) {
                spark.catalog().cacheTable(name, org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
            }
        }
    }

    /** The lake's tables by name: as they are now, or (an Iceberg lake) as a run left them. */
    public static Function<String, Dataset<Row>> open(SparkSession spark, String lake, LakeConfig config,
                                                      String asOf) {
        if (asOf == null) {
            return StoredLake.tables(spark, lake, config);
        }
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String root = LakeCatalog.qualified(lake, hadoop);
        if (LakeCatalog.isIceberg(root, hadoop)) {
            LakeCatalog catalog = LakeCatalog.open(spark, root, config, false);
            for (String name : NAMES) {
                catalog.table(name);
            }
            java.util.Map<String, Long> snapshots = History.asOf(catalog, asOf);
            return name -> spark.read().option("versionAsOf", snapshots.get(name)).table(catalog.sparkName(name));
        }
        throw new LakeException("--as-of needs a lake of Iceberg tables (etl --format iceberg); " + lake
                + " is a Parquet lake, which keeps only its latest tables.");
    }

    /**
     * The rows of each table as an Iceberg lake's catalog records them for its current snapshots (what the
     * checks compare the tables' files with), or empty for a Parquet lake, whose run summary says.
     */
    public static java.util.Optional<java.util.Map<String, Long>> committedRows(SparkSession spark, String lake,
                                                                                LakeConfig config) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String root = LakeCatalog.qualified(lake, hadoop);
        if (!LakeCatalog.isIceberg(root, hadoop)) {
            return java.util.Optional.empty();
        }
        LakeCatalog catalog = LakeCatalog.open(spark, root, config, false);
        java.util.Map<String, Long> rows = new java.util.LinkedHashMap<>();
        for (String name : NAMES) {
            rows.put(name, catalog.committedRows(name));
        }
        return java.util.Optional.of(rows);
    }

    /**
     * The rows each table should hold, as the lake's builder recorded them: an Iceberg lake's catalog, else the
     * run summary of a Parquet lake; empty when neither says (the checks then skip the row counts).
     */
    public static java.util.Map<String, Long> rowsAsBuilt(SparkSession spark, String lake, LakeConfig config) {
        return committedRows(spark, lake, config)
                .or(() -> com.sparkify.lake.pipeline.RunSummary.readFrom(lake, spark.sparkContext().hadoopConfiguration())
                        .map(com.sparkify.lake.pipeline.RunSummary::tables))
                .orElse(java.util.Map.of());
    }

    /** A table of a Parquet lake, or of the lake as a run stages it. */
    public static Dataset<Row> table(SparkSession spark, String lake, String name) {
        return Lake.table(spark, lake, name);
    }
}
