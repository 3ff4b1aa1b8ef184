package com.sparkify.lake;

import org.apache.spark.sql.SparkSession;

/**
 * Every knob of a run, in one place. The command line fills it; tests build it directly.
 *
 * @param master               Spark master URL; {@code local[*]} runs Spark embedded in this JVM
 * @param maxRejectedFraction  share of an input's records that may be rejected before the run fails
 * @param shufflePartitions    partitions after a shuffle; adaptive execution coalesces small ones
 * @param checks               run the data-quality checks on the new tables before they are published
 */
public record Settings(String master, double maxRejectedFraction, int shufflePartitions, boolean checks) {

    public static final String DEFAULT_MASTER = "local[*]";
    /** Real exports carry the odd broken line; a twentieth of an input being bad means something else is wrong. */
    public static final double DEFAULT_MAX_REJECTED_FRACTION = 0.05;

    public static Settings defaults() {
        return new Settings(DEFAULT_MASTER, DEFAULT_MAX_REJECTED_FRACTION, defaultShufflePartitions(), true);
    }

    public Settings withMaster(String newMaster) {
        return new Settings(newMaster, maxRejectedFraction, shufflePartitions, checks);
    }

    public Settings withMaxRejectedFraction(double fraction) {
        return new Settings(master, fraction, shufflePartitions, checks);
    }

    public Settings withShufflePartitions(int partitions) {
        return new Settings(master, maxRejectedFraction, partitions, checks);
    }

    public Settings withChecks(boolean run) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, run);
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
        // Spark packs small files into one task by charging each an "open cost" (4 MB by default). A song
        // file is a few hundred bytes: at 4 MB each, 15,000 of them made 470 tasks that spent their time being
        // scheduled. At 64 KB they fill a few tasks per core, and a cluster's many cores still split them.
        spark.conf().set("spark.sql.files.openCostInBytes", String.valueOf(64 * 1024));
    }
}
