package com.sparkify.lake;

import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.store.S3Settings;

/**
 * Every knob of a run, in one place. The command line fills it; tests build it directly.
 *
 * @param master               Spark master URL; {@code local[*]} runs Spark embedded in this JVM
 * @param maxRejectedFraction  share of an input's records that may be rejected before the run fails
 * @param shufflePartitions    partitions after a shuffle; adaptive execution coalesces small ones
 * @param config               the {@code --config} file: object-store credentials and settings, Spark settings
 */
public record Settings(String master, double maxRejectedFraction, int shufflePartitions, LakeConfig config) {

    public static final String DEFAULT_MASTER = "local[*]";
    /** Real exports carry the odd broken line; a twentieth of an input being bad means something else is wrong. */
    public static final double DEFAULT_MAX_REJECTED_FRACTION = 0.05;

    public static Settings defaults() {
        return new Settings(DEFAULT_MASTER, DEFAULT_MAX_REJECTED_FRACTION, defaultShufflePartitions(),
                LakeConfig.none());
    }

    public Settings withMaster(String newMaster) {
        return new Settings(newMaster, maxRejectedFraction, shufflePartitions, config);
    }

    public Settings withMaxRejectedFraction(double fraction) {
        return new Settings(master, fraction, shufflePartitions, config);
    }

    public Settings withShufflePartitions(int partitions) {
        return new Settings(master, maxRejectedFraction, partitions, config);
    }

    public Settings withConfig(LakeConfig newConfig) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, newConfig);
    }

    /** A few tasks per core keeps both cores busy without paying Spark's 200-task default on small data. */
    static int defaultShufflePartitions() {
        return Math.max(4, 4 * Runtime.getRuntime().availableProcessors());
    }

    public boolean isLocal() {
        return master.startsWith("local");
    }

    /** Starts (or joins) the Spark session a run uses. */
    public SparkSession startSpark() {
        SparkSession.Builder builder = SparkSession.builder()
                .appName("sparkify-lake")
                .master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                // The pipeline's plans are wide; Spark warns when it shortens their text otherwise.
                .config("spark.sql.debug.maxToStringFields", "200")
                // Local files without a chmod process per file written: see load.LocalFileSystem.
                .config("spark.hadoop.fs.file.impl", com.sparkify.lake.load.LocalFileSystem.class.getName());
        if (isLocal()) {
            // An embedded driver serves nobody but this process: keep it off the network.
            builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        // The config file's [spark] section; settings a running session cannot change take effect here.
        // spark.hadoop.* stays out of SparkConf (applyTo puts it on the Hadoop configuration, which tasks get
        // too): it is where a user would put an fs.s3a secret, and SparkConf is shown in the UI.
        config.spark().forEach((key, value) -> {
            if (!key.startsWith(HADOOP_PREFIX)) {
                builder.config(key, value);
            }
        });
        SparkSession spark = builder.getOrCreate();
        applyTo(spark);
        return spark;
    }

    /** Session settings the pipeline's correctness depends on; applied to any session it is given. */
    public void applyTo(SparkSession spark) {
        // Hours, days and months of the lake are UTC whatever the machine's zone (SPEC rule 5).
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        // Timestamps come back to Java as Instants, which carry no zone to misread.
        spark.conf().set("spark.sql.datetime.java8API.enabled", "true");
        spark.conf().set("spark.sql.shuffle.partitions", String.valueOf(shufflePartitions));
        spark.conf().set("spark.sql.adaptive.enabled", "true");
        // Writes go through Hadoop's PathOutputCommitter factories, so an s3a:// output gets an S3A committer
        // (S3Settings picks which) instead of the rename-based FileOutputCommitter; file:// keeps that one.
        spark.conf().set("spark.sql.sources.commitProtocolClass",
                "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
        spark.conf().set("spark.sql.parquet.output.committer.class",
                "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");

        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        S3Settings.apply(config, hadoop);
        // Last, so that the user's [spark] settings win over the defaults above.
        for (Map.Entry<String, String> setting : config.spark().entrySet()) {
            String key = setting.getKey();
            if (key.startsWith(HADOOP_PREFIX)) {
                hadoop.set(key.substring(HADOOP_PREFIX.length()), setting.getValue());
            } else if (spark.conf().isModifiable(key)) {
                spark.conf().set(key, setting.getValue());
            }
        }
    }

    private static final String HADOOP_PREFIX = "spark.hadoop.";
}
