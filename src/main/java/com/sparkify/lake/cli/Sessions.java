package com.sparkify.lake.cli;

import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.LakeCatalog;

/** The Spark session a command runs in: one already running in this JVM is reused and left running. */
final class Sessions {

    private Sessions() {
    }

    static <T> T withSpark(Settings settings, Function<SparkSession, T> work) {
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = Engine.start(settings);
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

    /** The catalog of the Iceberg lake at {@code lake}; a Parquet lake is refused with the reason. */
    static LakeCatalog icebergLake(SparkSession spark, String lake, LakeConfig config) {
        String qualified = LakeCatalog.qualified(lake, spark.sparkContext().hadoopConfiguration());
        if (!LakeCatalog.isIceberg(qualified, spark.sparkContext().hadoopConfiguration())) {
            throw new LakeException(lake + " is not a lake of Iceberg tables (it has no " + LakeCatalog.FOLDER
                    + "/): history and maintain are for lakes built with etl --format iceberg.");
        }
        return LakeCatalog.open(spark, qualified, config, false);
    }
}
