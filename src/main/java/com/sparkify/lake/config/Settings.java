package com.sparkify.lake.config;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.LakeException;

/**
 * Every knob of a run, in one place. The command line fills it; tests build it directly; a config file can
 * feed {@link #withSpark} the same way {@code --conf} does.
 *
 * @param master               Spark master URL; {@code local[*]} runs Spark embedded in this JVM
 * @param maxRejectedFraction  share of an input's records that may be rejected before the run fails
 * @param shufflePartitions    partitions after a shuffle, or null to size them from the input (see
 *                             {@link #tuningFor}); adaptive execution merges small ones either way
 * @param filesPerPartition    how many tasks write each partition folder of a partitioned table, and so at
 *                             most how many files it gets (before {@code spark.sql.files.maxRecordsPerFile}
 *                             splits big ones); null to size it from the input
 * @param sparkConf            any further Spark properties ({@code spark.*}), as {@code --conf key=value} gives
 *                             them; they win over this class's own defaults
 * @param checks               run the data-quality checks on the new tables before they are published
 * @param config               the {@code --config} file: object-store credentials and settings; its
 *                             {@code [spark]} section's spark.* keys join {@code sparkConf} (the command line
 *                             wins), its spark.hadoop.* keys go to the Hadoop configuration only
 * @param requestsInFlight     requests to the object store that each JVM (the driver, each executor) has out at
 *                             once at most: reads of input files, uploads, commits, deletes; null to follow the
 *                             store's answer times (see store.RequestsInFlight)
 * @param format               how the lake stores its tables: plain Parquet folders, or Iceberg tables
 * @param reload               an Iceberg lake: which input files a run loads (see {@link Reload})
 */
public record Settings(String master, double maxRejectedFraction, Integer shufflePartitions,
                       Integer filesPerPartition, Map<String, String> sparkConf, boolean checks, LakeConfig config,
                       Integer requestsInFlight, Format format, Reload reload) {

    /** Which input files a run into an Iceberg lake loads. */
    public enum Reload {
        /** The files the lake has not loaded; a loaded file whose content changed stops the run. */
        NEW,
        /** Those, and the loaded files whose content changed: their old rows give way to their new ones. */
        CHANGED,
        /** Every file: every table rebuilt from all the input (--full-refresh). */
        ALL
    }

    public boolean fullRefresh() {
        return reload == Reload.ALL;
    }

    public boolean reloadChanged() {
        return reload == Reload.CHANGED;
    }

    /** How the lake stores its tables. */
    public enum Format {
        /** Hive-partitioned Parquet folders, replaced whole by every run. */
        PARQUET,
        /** Apache Iceberg tables: atomic commits, incremental loads, history. */
        ICEBERG;

        public static Format named(String name, String where) {
            for (Format format : values()) {
                if (format.name().equalsIgnoreCase(name.strip())) {
                    return format;
                }
            }
            throw new LakeException(where + " must be parquet or iceberg, not '" + name + "'.");
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final String DEFAULT_MASTER = "local[*]";
    /** Real exports carry the odd broken line; a twentieth of an input being bad means something else is wrong. */
    public static final double DEFAULT_MAX_REJECTED_FRACTION = 0.05;


    public static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
    public static final String EXTENSIONS = "spark.sql.extensions";
    public static final String ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions";
    /** Spark properties that go to the Hadoop configuration (the prefix dropped), not to Spark's. */
    public static final String HADOOP_PREFIX = "spark.hadoop.";
    public static final String MAX_RECORDS_PER_FILE = "spark.sql.files.maxRecordsPerFile";
    public static final String WHOLE_STAGE_CODEGEN = "spark.sql.codegen.wholeStage";

    /** Input bytes per shuffle partition. The JSON input shrinks once parsed and projected, so a partition
     *  holds well under this after a shuffle; adaptive execution merges what is too small. */
    static final long INPUT_BYTES_PER_SHUFFLE_PARTITION = 64L << 20;
    /** Past this many partitions the scheduling and the shuffle's file count cost more than they spread. */
    static final int MAX_SHUFFLE_PARTITIONS = 4_000;
    /** One writer per partition folder per this much input: a month of songplays from 10 GiB of logs gets
     *  ten files written side by side instead of one task writing them all. */
    static final long INPUT_BYTES_PER_WRITER = 1L << 30;
    static final int MAX_FILES_PER_PARTITION = 64;
    /** A Parquet file of this many rows is a few hundred MB at most for any table of the lake: big enough
     *  to read efficiently, small enough that one file never becomes a single straggling task for a reader. */
    static final long DEFAULT_MAX_RECORDS_PER_FILE = 5_000_000;
    /**
     * From this much input on, Spark compiles each stage of a plan into one Java class (whole-stage code
     * generation); below it, it runs the operators as they are. A run compiles some 200 classes, and on small
     * input that costs more than the compiled code saves: four daily Iceberg loads of a generated input in one
     * JVM took 137 CPU-seconds with it, 109 without (the first loads 41 and 35 s against 29 and 27; once a
     * JVM's compiled classes are cached, 21 either way). On the 91 MiB of the M set it makes no difference that
     * the noise shows (57 to 66 s either way), so it is kept from well below that on.
     */
    static final long WHOLE_STAGE_CODEGEN_FROM_BYTES = 16L << 20;

    public Settings {
        if (shufflePartitions != null && shufflePartitions < 1) {
            throw new LakeException("The number of shuffle partitions must be at least 1, not " + shufflePartitions + ".");
        }
        if (filesPerPartition != null && filesPerPartition < 1) {
            throw new LakeException("The number of files per partition must be at least 1, not " + filesPerPartition + ".");
        }
        if (requestsInFlight != null && requestsInFlight < 1) {
            throw new LakeException("The requests in flight must be at least 1, not " + requestsInFlight + ".");
        }
        sparkConf = Map.copyOf(sparkConf);
    }

    /** Defaults; the master is the one spark-submit hands over (as the {@code spark.master} property), else
     *  Spark embedded in this process. */
    public static Settings defaults() {
        return new Settings(System.getProperty("spark.master", DEFAULT_MASTER), DEFAULT_MAX_REJECTED_FRACTION,
                null, null, Map.of(), true, LakeConfig.none(), null, Format.PARQUET, Reload.NEW);
    }

    public Settings withMaster(String newMaster) {
        return new Settings(newMaster, maxRejectedFraction, shufflePartitions, filesPerPartition, sparkConf,
                checks, config, requestsInFlight, format, reload);
    }

    public Settings withMaxRejectedFraction(double fraction) {
        return new Settings(master, fraction, shufflePartitions, filesPerPartition, sparkConf, checks, config,
                requestsInFlight, format, reload);
    }

    public Settings withShufflePartitions(int partitions) {
        return new Settings(master, maxRejectedFraction, partitions, filesPerPartition, sparkConf, checks, config,
                requestsInFlight, format, reload);
    }

    public Settings withFilesPerPartition(int files) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, files, sparkConf, checks, config,
                requestsInFlight, format, reload);
    }

    /** The config file's settings; spark.* properties already given (on the command line) keep their value. */
    public Settings withConfig(LakeConfig file) {
        Map<String, String> merged = new LinkedHashMap<>();
        file.spark().forEach((key, value) -> {
            if (!key.startsWith(HADOOP_PREFIX)) {
                merged.put(key, value);
            }
        });
        merged.putAll(sparkConf);
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, merged, checks,
                file, requestsInFlight, format, reload);
    }

    /** @param requests the number, or null to follow the store's answer times */
    public Settings withRequestsInFlight(Integer requests) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, sparkConf, checks,
                config, requests, format, reload);
    }

    public Settings withFormat(Format lakeFormat) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, sparkConf, checks,
                config, requestsInFlight, lakeFormat, reload);
    }

    public Settings withFullRefresh(boolean rebuild) {
        return withReload(rebuild ? Reload.ALL : Reload.NEW);
    }

    public Settings withReload(Reload files) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, sparkConf, checks,
                config, requestsInFlight, format, files);
    }

    public Settings withChecks(boolean run) {
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, sparkConf, run,
                config, requestsInFlight, format, reload);
    }

    /** One Spark property, as {@code --conf key=value} or a config file's {@code [spark]} section gives it. */
    public Settings withSpark(String key, String value) {
        if (!key.startsWith("spark.")) {
            throw new LakeException("'" + key + "' is not a Spark property: Spark's start with 'spark.' "
                    + "(e.g. spark.executor.memory=2g).");
        }
        Map<String, String> more = new LinkedHashMap<>(sparkConf);
        more.put(key, value);
        return new Settings(master, maxRejectedFraction, shufflePartitions, filesPerPartition, more, checks,
                config, requestsInFlight, format, reload);
    }

    public Settings withSpark(Map<String, String> properties) {
        Settings settings = this;
        for (Map.Entry<String, String> property : properties.entrySet()) {
            settings = settings.withSpark(property.getKey(), property.getValue());
        }
        return settings;
    }

    public boolean isLocal() {
        return master.startsWith("local");
    }

    /**
     * How to shuffle and write for an input of {@code inputBytes} on {@code parallelism} cores. What the user
     * fixed (here, with --conf, or through spark-submit's {@code launcherConf}) stays as given; the rest scales
     * with the input.
     */
    public Tuning tuningFor(long inputBytes, int parallelism, SparkConf launcherConf) {
        Integer fixed = fixedShufflePartitions(launcherConf);
        int partitions = fixed != null ? fixed
                : Math.max(floorShufflePartitions(parallelism),
                        (int) Math.min(MAX_SHUFFLE_PARTITIONS, ceilDiv(inputBytes, INPUT_BYTES_PER_SHUFFLE_PARTITION)));
        int files = filesPerPartition != null ? filesPerPartition
                : (int) Math.max(1, Math.min(MAX_FILES_PER_PARTITION, ceilDiv(inputBytes, INPUT_BYTES_PER_WRITER)));
        String maxRecords = sparkConf.getOrDefault(MAX_RECORDS_PER_FILE,
                launcherConf.get(MAX_RECORDS_PER_FILE, String.valueOf(DEFAULT_MAX_RECORDS_PER_FILE)));
        String codegen = sparkConf.getOrDefault(WHOLE_STAGE_CODEGEN, launcherConf.get(WHOLE_STAGE_CODEGEN, null));
        boolean wholeStage = codegen != null ? Boolean.parseBoolean(codegen.trim())
                : inputBytes >= WHOLE_STAGE_CODEGEN_FROM_BYTES;
        return new Tuning(inputBytes, partitions, files, number(MAX_RECORDS_PER_FILE, maxRecords), wholeStage);
    }

    /**
     * @param inputBytes        what the input's files add up to, as Spark's file listing found them
     * @param shufflePartitions partitions after each shuffle (adaptive execution merges small ones)
     * @param filesPerPartition writers per partition folder of a partitioned table
     * @param maxRecordsPerFile rows after which a writer starts a new file (0: no limit)
     * @param wholeStageCodegen whether each stage of a plan is compiled into Java (see
     *                          {@link #WHOLE_STAGE_CODEGEN_FROM_BYTES})
     */
    public record Tuning(long inputBytes, int shufflePartitions, int filesPerPartition, long maxRecordsPerFile,
                         boolean wholeStageCodegen) {

        public String describe() {
            return String.format(Locale.ROOT, "%s of input: %d shuffle partitions, %d file%s per partition folder%s",
                    bytes(inputBytes), shufflePartitions, filesPerPartition, filesPerPartition == 1 ? "" : "s",
                    wholeStageCodegen ? "" : ", plans not compiled");
        }

        private static String bytes(long n) {
            if (n < 1L << 20) {
                return String.format(Locale.ROOT, "%,d KiB", (n + 1023) >> 10);
            }
            return n < 1L << 30 ? String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20))
                    : String.format(Locale.ROOT, "%.1f GiB", n / (double) (1L << 30));
        }
    }

    /** The shuffle partitions the user fixed (here, with --conf, or through spark-submit), or null. */
    public Integer fixedShufflePartitions(SparkConf launcherConf) {
        if (shufflePartitions != null) {
            return shufflePartitions;
        }
        String given = sparkConf.getOrDefault(SHUFFLE_PARTITIONS, launcherConf.get(SHUFFLE_PARTITIONS, null));
        return given == null ? null : (int) number(SHUFFLE_PARTITIONS, given);
    }

    private static long number(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new LakeException(key + " must be a whole number, not '" + value + "'.");
        }
    }

    /** Two tasks per core: every core busy, and a slow task does not leave the others idle for long. */
    public static int floorShufflePartitions(int parallelism) {
        return Math.max(4, 2 * parallelism);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

}
