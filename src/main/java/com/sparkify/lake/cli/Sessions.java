package com.sparkify.lake.cli;

import java.nio.file.Path;
import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.Settings;
import com.sparkify.lake.config.LakeConfig;

/** The Spark session a command runs in: one already running in this JVM is reused and left running. */
final class Sessions {

    private Sessions() {
    }

    static <T> T withSpark(Settings settings, Function<SparkSession, T> work) {
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = settings.startSpark();
        try {
            return work.apply(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }

    static <T> T withSpark(Function<SparkSession, T> work) {
        return withSpark(Settings.defaults(), work);
    }

    /** The config file's settings, or none. */
    static LakeConfig config(Path file) {
        return file == null ? LakeConfig.none() : LakeConfig.load(file);
    }

    /** The catalog of the Iceberg lake at {@code lake}; a Parquet lake is refused with the reason. */
    static com.sparkify.lake.load.LakeCatalog icebergLake(SparkSession spark, String lake, Path config) {
        org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String qualified = com.sparkify.lake.load.LakeCatalog.qualified(lake, hadoop);
        if (!com.sparkify.lake.load.LakeCatalog.isIceberg(qualified, hadoop)) {
            throw new com.sparkify.lake.LakeException(lake + " is not a lake of Iceberg tables (it has no "
                    + com.sparkify.lake.load.LakeCatalog.FOLDER + "/): history and maintain are for lakes built "
                    + "with etl --format iceberg.");
        }
        return com.sparkify.lake.load.LakeCatalog.open(spark, qualified, config(config), false);
    }

    /** The defaults with the config file's credentials and Spark settings. */
    static Settings settings(Path file) {
        return Settings.defaults().withConfig(config(file));
    }
}
