package com.sparkify.lake.cli;

import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.Settings;

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
}
