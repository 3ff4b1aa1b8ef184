package com.sparkify.lake.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.pipeline.Pipeline;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "etl", mixinStandardHelpOptions = true,
        description = {"Builds the lake: songplays, users, songs, artists and time, as partitioned Parquet or as "
                + "Apache Iceberg tables (--format iceberg), which later runs load incrementally.",
            "Without --input it runs the demo: it generates a small data set under --demo-dir and builds "
                + "the lake from it."})
final class EtlCommand implements Callable<Integer> {

    @Option(names = "--input", paramLabel = "IN",
            description = "Folder or URI holding song_data/ and log_data/.")
    String input;

    @Option(names = "--output", paramLabel = "OUT",
            description = "Folder or URI of the lake (created if missing). Required with --input.")
    String output;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master: local[N], spark://HOST:PORT, yarn, k8s://… (default: the one spark-submit "
                + "passes, else " + Settings.DEFAULT_MASTER + ", Spark embedded in this process).")
    String master;

    @Option(names = "--max-rejected-fraction", paramLabel = "F",
            defaultValue = "" + Settings.DEFAULT_MAX_REJECTED_FRACTION,
            description = "Fail the run, leaving the lake as it was, when more than this share of an input's "
                + "records is rejected (default: ${DEFAULT-VALUE}).")
    double maxRejectedFraction;

    @Option(names = "--shuffle-partitions", paramLabel = "N",
            description = "Partitions after a shuffle (default: one per 64 MiB of input, at least two per core, "
                + "at most 4,000; adaptive execution merges small ones).")
    Integer shufflePartitions;

    @Option(names = "--files-per-partition", paramLabel = "N",
            description = "Tasks writing each partition folder, so at most N files each before "
                + "spark.sql.files.maxRecordsPerFile (default 5,000,000 rows) splits one (default: one per GiB of "
                + "input, at most 64).")
    Integer filesPerPartition;

    @Option(names = "--requests-in-flight", paramLabel = "N",
            description = "Requests to an object store that the driver and each executor have out at once at most, "
                + "per bucket: reads of input files, uploads, commits. Default: sized from the store's answer times "
                + "as the run goes (64 for a store 20 ms away or nearer, 192 at 60 ms, at most 256); the run says "
                + "the number it chose.")
    Integer requestsInFlight;

    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "A Spark property, as with spark-submit; repeatable. E.g. --conf spark.executor.memory=2g "
                + "--conf spark.executor.cores=2. Each wins over this program's own default for that property.")
    Map<String, String> sparkConf = new LinkedHashMap<>();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = {"parquet (default): plain Parquet folders, rebuilt by every run.",
                "iceberg: Iceberg tables; a run loads only input files that are new since the last one and "
                    + "publishes all its changes at once after the checks pass (default: format under [lake] in "
                    + "--config, else parquet)."})
    String format;

    @Option(names = "--full-refresh",
            description = "An Iceberg lake: rebuild every table from all the input, not only from the new files "
                + "(needed after an input file that was loaded changed).")
    boolean fullRefresh;

    @Option(names = "--reload-changed",
            description = "An Iceberg lake: also load again the input files whose content changed since the lake "
                + "loaded them; their old rows give way to their new ones, and every table ends as one load of "
                + "all the input would make it, without rebuilding the rest.")
    boolean reloadChanged;

    @Option(names = "--skip-checks",
            description = "Publish the new tables without running the data-quality checks on them first.")
    boolean skipChecks;

    @Option(names = "--config", paramLabel = "FILE",
            description = {"INI file (dl.cfg format) with an [AWS] section: AWS_ACCESS_KEY_ID, "
                + "AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, region, endpoint, path_style_access; and a [spark] "
                + "section of spark.* / spark.hadoop.* settings. See dl.cfg.example.",
                "Without it, credentials come from the AWS environment variables, then the default AWS chain "
                + "(profiles, roles)."})
    Path config;

    @Option(names = "--demo-dir", paramLabel = "DIR", defaultValue = "sparkify-demo",
            description = "Where the demo (no --input) generates its data and builds its lake "
                + "(default: ${DEFAULT-VALUE}).")
    Path demoDir;

    /** The run's settings, from the options given and the defaults of the rest. */
    Settings settings() {
        Settings settings = Settings.defaults().withMaxRejectedFraction(maxRejectedFraction).withSpark(sparkConf)
                .withChecks(!skipChecks).withRequestsInFlight(requestsInFlight)
                .withConfig(config == null ? LakeConfig.none() : LakeConfig.load(config));
        if (master != null) {
            settings = settings.withMaster(master);
        }
        if (format != null) {
            try {
                settings = settings.withFormat(Settings.Format.named(format, "--format"));
            } catch (LakeException wrong) {
                throw new UsageError(wrong.getMessage());
            }
        } else if (settings.config().format().isPresent()) {
            settings = settings.withFormat(Settings.Format.named(settings.config().format().get(),
                    "format under [lake] in " + config));
        }
        if (fullRefresh && settings.format() != Settings.Format.ICEBERG) {
            throw new UsageError("--full-refresh is for an Iceberg lake (--format iceberg); a Parquet lake is "
                    + "rebuilt in full by every run.");
        }
        if (reloadChanged && settings.format() != Settings.Format.ICEBERG) {
            throw new UsageError("--reload-changed is for an Iceberg lake (--format iceberg); a Parquet lake is "
                    + "rebuilt in full by every run.");
        }
        if (reloadChanged && fullRefresh) {
            throw new UsageError("--reload-changed and --full-refresh: give one. --full-refresh reloads every "
                    + "file already.");
        }
        settings = settings.withFullRefresh(fullRefresh);
        if (reloadChanged) {
            settings = settings.withReload(Settings.Reload.CHANGED);
        }
        if (shufflePartitions != null) {
            settings = settings.withShufflePartitions(shufflePartitions);
        }
        if (filesPerPartition != null) {
            settings = settings.withFilesPerPartition(filesPerPartition);
        }
        return settings;
    }

    /** A lake inside its input (or around it) would be written among the input files and read as input. */
    static void requireApart(String input, String output) {
        String in = canonical(input);
        String out = canonical(output);
        if (out.equals(in) || out.startsWith(in + "/") || in.startsWith(out + "/")) {
            throw new UsageError("--output " + output + (out.equals(in) ? " is" : in.startsWith(out + "/")
                    ? " holds" : " is inside") + " the input " + input + ": the tables would be written among "
                    + "the input files. Choose a folder apart from it.");
        }
    }

    private static String canonical(String location) {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
        java.net.URI uri = path.toUri();
        if (uri.getScheme() == null || "file".equals(uri.getScheme())) {
            return "file:" + Path.of(uri.getPath()).toAbsolutePath().normalize();
        }
        String rest = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
        return uri.getScheme() + "://" + uri.getAuthority() + rest;
    }

    @Override
    public Integer call() {
        if (maxRejectedFraction < 0 || maxRejectedFraction > 1) {
            throw new UsageError("--max-rejected-fraction must be between 0 and 1, not " + maxRejectedFraction);
        }
        Settings settings = settings();
        Progress progress = new Progress(System.err);
        String in = input;
        String out = output;
        if (in == null) {
            Path demoInput = demoDir.resolve("input");
            Generator.Spec demo = new Generator.Spec(2_000, 50_000, 42, 30, Generator.Spec.REAL_FIRST_DAY);
            progress.stage("generate demo data", () -> GenerateCommand.generate(demo, demoInput, true),
                    written -> String.format("%,d song files, %,d events in %s", written.songFiles(),
                            written.events(), demoInput));
            in = demoInput.toString();
            out = out == null ? demoDir.resolve("lake").toString() : out;
        } else if (out == null) {
            throw new UsageError("--output is required with --input: say where the lake goes.");
        }
        requireApart(in, out);

        Settings run = settings;
        // A session that already runs in this JVM (a test's, a notebook's) belongs to its owner: reuse it, and
        // stop only the one started here.
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = progress.stage("start spark", () -> Engine.start(run), s -> "master " + run.master());
        try {
            RunSummary summary = new Pipeline(spark, settings, progress).run(in, out);
            System.out.println();
            System.out.print(summary.toTable());
            System.out.println();
            if (RunSummary.NOTHING_NEW.equals(summary.kind())) {
                System.out.println("Nothing new to load: the lake in " + summary.lake() + " is unchanged.");
            } else {
                System.out.println("The lake is in " + summary.lake() + " (run summary: " + summary.lake()
                        + "/_run/summary.json).");
            }
            if (input == null) {
                String lake = out;
                System.out.println();
                System.out.println("Try it next:");
                System.out.println("  bin/sparkify-lake query --list");
                System.out.println("  bin/sparkify-lake query top-users --lake " + lake);
                System.out.println("  bin/sparkify-lake sql --lake " + lake
                        + " \"SELECT hour, COUNT(*) AS plays FROM songplays JOIN time USING (start_time) GROUP BY hour ORDER BY plays DESC\"");
                System.out.println("  bin/sparkify-lake report --lake " + lake + " --out report.html");
                System.out.println("  bin/sparkify-lake check --lake " + lake);
            }
            return 0;
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
    }
}
