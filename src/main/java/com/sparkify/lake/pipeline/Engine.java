package com.sparkify.lake.pipeline;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.load.LocalFileSystem;
import com.sparkify.lake.store.S3Settings;

/**
 * The Spark a run works on, set up from its {@link Settings}: started embedded or on a cluster, with the
 * session settings the lake's correctness depends on (UTC, the cloud committers, S3A) and the tuning for the
 * input's size.
 */
public final class Engine {

    private Engine() {
    }

    /** Starts (or joins) the Spark session a run uses. */
    public static SparkSession start(Settings settings) {
        requireMasterAnswers(settings.master());
        SparkSession.Builder builder = SparkSession.builder()
                .appName("sparkify-lake")
                .master(settings.master())
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                // The pipeline's plans are wide; Spark warns when it shortens their text otherwise.
                .config("spark.sql.debug.maxToStringFields", "200")
                // Compiled query code is kept by its source text, 100 classes by default. One run needs some 250,
                // so a JVM that runs the same queries again (serve, the sql shell, a test suite) compiled nearly
                // all of them anew each time: a quarter of the CPU of a day's small load. A few thousand classes
                // of some kilobytes each fit easily in the driver's memory.
                .config("spark.sql.codegen.cache.maxEntries", "4000")
                // The lake is not in Spark's warehouse, which would otherwise appear, empty, as spark-warehouse/ in
                // whatever folder the command was started from.
                .config("spark.sql.warehouse.dir", new java.io.File(System.getProperty("java.io.tmpdir"),
                        "sparkify-lake-warehouse").toURI().toString())
                // Local files without a chmod process per file written: see load.LocalFileSystem.
                .config("spark.hadoop.fs.file.impl", LocalFileSystem.class.getName())
                // Iceberg's SQL (branches, row-level deletes, procedures); a session can only get it at its start.
                .config(Settings.EXTENSIONS, Settings.ICEBERG_EXTENSIONS);
        if (settings.isLocal()) {
            // An embedded driver serves nobody but this process: keep it off the network.
            builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        settings.sparkConf().forEach(builder::config);
        if (!settings.isLocal()) {
            String jars = jarsForExecutors(settings, new SparkConf());
            if (jars != null) {
                // Executors on a cluster have Spark but not this project's classes (the record parser's
                // functions, the local file system): ship the jar this class came from.
                builder.config("spark.jars", jars);
            }
        }
        SparkSession spark = builder.getOrCreate();
        prepare(spark, settings);
        return spark;
    }

    /**
     * {@code spark.jars} with this project's jar added, or null when there is nothing to add: spark-submit
     * already lists the application jar, or these classes are not in a jar (a test's classes folder).
     */
    static String jarsForExecutors(Settings settings, SparkConf launcherConf) {
        if (launcherConf.contains("spark.jars")) {
            return null;
        }
        CodeSource source = Engine.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            return null;
        }
        Path location;
        try {
            location = Path.of(source.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
        if (!Files.isRegularFile(location) || !location.toString().endsWith(".jar")) {
            return null;
        }
        String given = settings.sparkConf().get("spark.jars");
        return given == null || given.isBlank() ? location.toString() : given + "," + location;
    }

    /** Session settings the pipeline's correctness depends on; applied to any session it is given. */
    public static void prepare(SparkSession spark, Settings settings) {
        // Hours, days and months of the lake are UTC whatever the machine's zone (SPEC rule 5).
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        // Timestamps come back to Java as Instants, which carry no zone to misread.
        spark.conf().set("spark.sql.datetime.java8API.enabled", "true");
        spark.conf().set("spark.sql.adaptive.enabled", "true");
        // Spark packs small files into one task by charging each an "open cost" (4 MB by default). A song
        // file is a few hundred bytes: at 4 MB each, 15,000 of them made 470 tasks that spent their time being
        // scheduled. At 64 KB they fill a few tasks per core, and a cluster's many cores still split them.
        spark.conf().set("spark.sql.files.openCostInBytes", String.valueOf(64 * 1024));
        // Writes go through Hadoop's PathOutputCommitter factories, so an s3a:// output gets an S3A committer
        // (S3Settings picks which) instead of the rename-based FileOutputCommitter; file:// keeps that one.
        spark.conf().set("spark.sql.sources.commitProtocolClass",
                "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
        spark.conf().set("spark.sql.parquet.output.committer.class",
                "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        if (!spark.sparkContext().master().startsWith("yarn")) {
            dropYarnDefaults(hadoop);
        }
        S3Settings.apply(settings.config(), settings.requestsInFlight(), spark.sparkContext().master().startsWith("local"), hadoop);
        // The config file's spark.hadoop.* settings stay out of SparkConf, which the UI shows: it is where a
        // user would put an fs.s3a secret. The Hadoop configuration reaches the tasks all the same.
        settings.config().spark().forEach((key, value) -> {
            if (key.startsWith(Settings.HADOOP_PREFIX)) {
                hadoop.set(key.substring(Settings.HADOOP_PREFIX.length()), value);
            }
        });
        // A joined session (a test's, a notebook's) was built without this run's properties: the SQL ones
        // can still be set on it.
        settings.sparkConf().forEach((key, value) -> {
            // Static ones (spark.sql.extensions) can only be given at the start, as the builder above did.
            if (key.startsWith("spark.sql.") && !org.apache.spark.sql.internal.SQLConf.isStaticConfigKey(key)) {
                spark.conf().set(key, value);
            }
        });
        // Until the input's size is known (see Settings.tuningFor), shuffles get a few tasks per core.
        Integer fixed = settings.fixedShufflePartitions(spark.sparkContext().getConf());
        spark.conf().set(Settings.SHUFFLE_PARTITIONS, String.valueOf(fixed != null ? fixed
                : Settings.floorShufflePartitions(spark.sparkContext().defaultParallelism())));
    }

    /**
     * Removes YARN's defaults (yarn-default.xml: some 540 of the configuration's 1,100 entries) from the Hadoop
     * configuration of a job that does not run on YARN, where nothing reads them. Spark copies the whole
     * configuration for every Parquet file it reads and Parquet's writer walks all of it for every file it
     * creates: writing and checking a catalog's tens of thousands of song folders paid for those entries each
     * time. Should a later class add a default resource, Hadoop reloads them, which costs speed, nothing else.
     */
    static void dropYarnDefaults(Configuration hadoop) {
        List<String> yarn = new ArrayList<>();
        for (Map.Entry<String, String> entry : hadoop) {
            String[] sources = hadoop.getPropertySources(entry.getKey());
            if (entry.getKey().startsWith("yarn.") && sources != null
                    && List.of(sources).contains("yarn-default.xml")) {
                yarn.add(entry.getKey());
            }
        }
        yarn.forEach(hadoop::unset);
    }

    /** Applies a tuning to the session; the shuffles and writes that follow use it. */
    public static void tune(SparkSession spark, Settings.Tuning tuning) {
        spark.conf().set(Settings.SHUFFLE_PARTITIONS, String.valueOf(tuning.shufflePartitions()));
        spark.conf().set(Settings.MAX_RECORDS_PER_FILE, String.valueOf(tuning.maxRecordsPerFile()));
        spark.conf().set(Settings.WHOLE_STAGE_CODEGEN, String.valueOf(tuning.wholeStageCodegen()));
    }

    /**
     * A standalone master that is not there makes Spark retry for a minute, logging warnings, and then fail with
     * "Cannot call methods on a stopped SparkContext". Asking its port first says what is wrong in seconds.
     */
    public static void requireMasterAnswers(String master) {
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        List<String> tried = new ArrayList<>();
        for (String address : master.substring("spark://".length()).split(",")) {
            int colon = address.lastIndexOf(':');
            String host = colon < 0 ? address : address.substring(0, colon);
            int port = colon < 0 ? 7077 : Integer.parseInt(address.substring(colon + 1).replaceAll("/.*", ""));
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), 5_000);
                return;
            } catch (java.io.IOException e) {
                tried.add(host + ":" + port + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                        : e.getMessage().toLowerCase(java.util.Locale.ROOT)) + ")");
            }
        }
        throw new LakeException("No Spark master answered at " + master + ": " + String.join(", ", tried)
                + ". Check that the master runs and that --master gives the host and port its log and web UI show "
                + "(spark://HOST:7077 by default), and that nothing blocks that port.");
    }
}
