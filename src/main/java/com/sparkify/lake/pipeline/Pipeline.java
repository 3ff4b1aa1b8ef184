package com.sparkify.lake.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.joins.BroadcastHashJoinExec;
import org.apache.spark.storage.StorageLevel;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.Settings;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.extract.EventLog;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.extract.Inputs;
import com.sparkify.lake.extract.SongCatalog;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.LakeLock;
import com.sparkify.lake.load.TableWriter;
import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.store.StoreErrors;
import com.sparkify.lake.store.StoreRequests;
import com.sparkify.lake.tables.Artists;
import com.sparkify.lake.tables.Events;
import com.sparkify.lake.tables.Songplays;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.Time;
import com.sparkify.lake.tables.Users;

/** One run: extract both inputs, build the five tables, load them into the lake. */
public final class Pipeline {

    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final SparkSession spark;
    private final Settings settings;
    private final Progress progress;
    /** The checks' results, once they ran: part of the run's summary. */
    private List<Checks.Result> checked = List.of();

    public Pipeline(SparkSession spark, Settings settings, Progress progress) {
        this.spark = spark;
        this.settings = settings;
        this.progress = progress;
    }

    public RunSummary run(String input, String output) {
        for (String location : List.of(input, output)) {
            if (StoreErrors.hasUserInfo(location)) {
                throw new LakeException("Credentials do not belong in a URI (" + StoreErrors.safe(location)
                        + "): put them in --config FILE or the AWS environment variables.");
            }
        }
        settings.applyTo(spark);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        try {
            return runChecked(input, output, hadoop);
        } catch (LakeException e) {
            throw e;
        } catch (org.apache.hadoop.fs.FSError e) {
            // Hadoop's local file system throws an Error, not an exception, when a write fails (a full disk): it
            // would end the process with a stack trace.
            Optional<String> full = Lake.diskFull(e, output, hadoop);
            throw new LakeException("Writing the lake failed: " + full.orElse(firstLine(e.getCause() == null ? e
                    : e.getCause())) + ". Free some space and run etl again: it first drops or finishes what this "
                    + "run left.", e);
        } catch (Exception e) {
            // A store that refuses or cannot be reached part-way (a Spark job's task): say so briefly. Spark's
            // own exceptions are checked ones that Scala throws undeclared, hence Exception.
            Optional<LakeException> explained = StoreErrors.explain(blamed(e, input, output), e, hadoop);
            if (explained.isPresent()) {
                throw explained.get();
            }
            Optional<String> full = Lake.diskFull(e, output, hadoop);
            if (full.isPresent()) {
                throw new LakeException("Writing the lake failed: " + full.get() + ". Free some space and run etl "
                        + "again: it first drops or finishes what this run left.", e);
            }
            throw e;
        }
    }

    /** The input when the failure's text names its bucket or folder, otherwise the output. */
    private static String blamed(Throwable failure, String input, String output) {
        String inputPlace = new org.apache.hadoop.fs.Path(input).toUri().getHost();
        if (inputPlace == null || inputPlace.equals(new org.apache.hadoop.fs.Path(output).toUri().getHost())) {
            return output;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains(inputPlace)) {
                return input;
            }
        }
        return output;
    }

    private RunSummary runChecked(String input, String output, Configuration hadoop) {
        Instant started = Instant.now();
        String runId = RUN_ID.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
        String songData = Inputs.songData(input, hadoop);
        String logData = Inputs.logData(input, hadoop);
        Lake lake = Lake.open(output, hadoop);
        // From here on the input is only named: qualified as the lake is (song_data's folder, already qualified).
        input = new org.apache.hadoop.fs.Path(songData).getParent().toString();
        StoreRequests requests = StoreRequests.of(hadoop, input, output);
        if (requests.any()) {
            progress.countRequests(requests::sofar);
        }
        // One run at a time: taken before the recovery below, which takes any staging for a killed run's.
        try (LakeLock lock = lake.lock(runId, started);
             Interruption stop = Interruption.watch(lake, runId, lock, settings.format() == Settings.Format.ICEBERG)) {
            if (lock.previousHolder() != null) {
                progress.say(String.format(Locale.ROOT, "%-18s %s", "lock", "taken over from "
                        + LakeLock.describe(lock.previousHolder()) + ", which is no longer running"));
            }
            return runLocked(runId, started, input, songData, logData, lake, hadoop);
        }
    }

    private RunSummary runLocked(String runId, Instant started, String input, String songData, String logData,
                                 Lake lake, Configuration hadoop) {
        boolean iceberg = LakeCatalog.isIceberg(lake.uri(), hadoop);
        if (iceberg != (settings.format() == Settings.Format.ICEBERG) && !isEmpty(lake)) {
            throw new LakeException(lake.uri() + " holds a " + (iceberg ? "lake of Iceberg tables" : "Parquet lake")
                    + ": " + (iceberg ? "give --format iceberg (or format = iceberg under [lake] in the config)"
                    : "leave --format iceberg out") + ", or write the other kind of lake to another --output.");
        }
        lake.recover();
        if (settings.format() == Settings.Format.ICEBERG) {
            return new IcebergRun(spark, settings, progress, this).run(runId, started, input, songData, logData,
                    lake, hadoop);
        }
        try {
            return runParquet(runId, input, songData, logData, lake);
        } catch (Exception | org.apache.hadoop.fs.FSError e) { // SparkException is checked, but Scala code throws
            // it from anywhere; FSError is Hadoop's local file system's failed write (a full disk).
            // What a run that failed before publishing wrote is of no use, and on a full disk it is in the way.
            boolean nothingPublished = lake.discard(runId);
            Optional<String> full = lake.diskFull(e);
            if (full.isPresent()) {
                throw new LakeException("Writing the lake failed: " + full.get() + ". " + (nothingPublished
                        ? "Nothing was published: the lake's tables are as they were, and what this run wrote is "
                        + "removed." : "The next run puts back any table left out.") + " Free some space and run "
                        + "etl again.", e);
            }
            throw e;
        }
    }

    private RunSummary runParquet(String runId, String input, String songData, String logData, Lake lake) {
        String staging = lake.staging(runId);

        Extracted songs = progress.stage("extract song_data",
                () -> reading(songData, () -> SongCatalog.read(spark, songData, settings.requestsInFlight())),
                Pipeline::describe);
        reportSkipped(songs);
        Extracted events = progress.stage("extract log_data",
                () -> reading(logData, () -> EventLog.read(spark, logData)), Pipeline::describe);
        reportSkipped(events);
        List<Dataset<Row>> cached = new ArrayList<>();
        try {
            // The input's size is known only now, from the listing the reads made: shuffles and writes from
            // here on are sized to it. On a cluster the executors have registered by now, so the core count
            // is the cluster's.
            Settings.Tuning tuning = settings.tuningFor(songs.bytes() + events.bytes(),
                    spark.sparkContext().defaultParallelism(), spark.sparkContext().getConf());
            Settings.apply(tuning, spark);
            progress.say(String.format(Locale.ROOT, "%-18s %s", "tuning", tuning.describe()));
            Map<String, RunSummary.InputCounts> inputs = new LinkedHashMap<>();
            inputs.put(songs.input(), counts(songs));
            inputs.put(events.input(), counts(events));
            // Nothing rejected, nothing written: a write of no rows leaves one empty part file (an upload on a
            // store), and the lake then has no _rejected/ at all.
            progress.stage("quarantine", () -> songs.rejectedCount() + events.rejectedCount() == 0 ? 0L
                    : TableWriter.json(songs.rejected().unionByName(events.rejected()), staging + "/" + Lake.REJECTED),
                    rows -> rows == 0 ? "nothing rejected, nothing kept"
                            : rows + " rejected records kept with file and reason");

            String tooBad = tooManyRejected(List.of(songs, events));
            if (tooBad != null) {
                RunSummary failed = summary(runId, RunSummary.FAILED, input, lake, inputs, Map.of(), tooBad);
                lake.writeText(staging + "/" + Lake.RUN + "/" + Lake.SUMMARY, failed.toJson());
                String kept = lake.keepFailed(runId);
                throw tooManyRejected(tooBad, lake, kept);
            }

            Dataset<Row> catalog = songs.records();
            // The repeated keys are counted once, before the two tables that need the distinct events: so the
            // count runs once, and Spark plans the de-duplication knowing how few they are (Events.distinct).
            Dataset<Row> repeated = Events.repeatedKeys(events.records()).persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(repeated);
            progress.stage("repeated events", repeated::count,
                    n -> String.format(Locale.ROOT, "%,d events delivered more than once", n));
            Dataset<Row> distinct = Events.distinct(events.records(), repeated);
            // With the repeated keys broadcast, the distinct events are the cached events minus a hash lookup:
            // users and songplays each recompute them for less than caching them again costs (5 M events:
            // "load users" 18.6 s with a cache of them, 4.1 s without). Too many repeated keys to broadcast
            // mean a shuffle join, which is done once and kept.
            if (!broadcasts(distinct)) {
                distinct = distinct.persist(StorageLevel.MEMORY_AND_DISK());
                cached.add(distinct);
            }
            Map<String, Long> tables = new LinkedHashMap<>();
            // From here on nothing fails a run on purpose but the checks: on an object store the tables are now
            // written in place (Lake.tableTarget).
            int files = tuning.filesPerPartition();
            Dataset<Row> songsTable = Songs.from(catalog);
            load(tables, Songs.NAME, songsTable, Songs.PARTITIONS, lake, runId, files);
            load(tables, Artists.NAME, Artists.from(catalog), Artists.PARTITIONS, lake, runId, files);
            load(tables, Users.NAME, Users.from(distinct), Users.PARTITIONS, lake, runId, files);
            load(tables, Songplays.NAME, Songplays.from(distinct, catalog), Songplays.PARTITIONS, lake, runId, files);
            // time needs only start_time, which the written songplays hold: reading that column back costs
            // less than building the fact table a second time.
            load(tables, Time.NAME, Time.from(spark.read().parquet(lake.tableTarget(runId, Songplays.NAME))),
                    Time.PARTITIONS, lake, runId, files);

            RunSummary done = summary(runId, RunSummary.SUCCEEDED, input, lake, inputs, tables, null);
            lake.writeText(staging + "/" + Lake.RUN + "/" + Lake.SUMMARY, done.toJson());
            if (settings.checks()) {
                String failed = check(lake, runId, staging, tables, songsTable);
                if (failed != null) {
                    lake.writeText(staging + "/" + Lake.RUN + "/" + Lake.SUMMARY, summary(runId, RunSummary.FAILED,
                            input, lake, inputs, tables, failed).toJson());
                    throw new LakeException(failed + where(lake, runId));
                }
            }
            List<String> entries = new ArrayList<>(tables.keySet());
            entries.add(Lake.REJECTED);
            entries.add(Lake.RUN);
            progress.stage("publish", () -> {
                lake.publish(runId, entries);
                return lake.uri();
            }, uri -> (lake.stagesTables() ? "tables moved into " : "tables written in place, summary moved into ")
                    + uri);
            // The summary published with the tables was written before the checks and the publishing: now the
            // whole run is known, it replaces that one (one object written whole, on a store too).
            RunSummary whole = summary(runId, RunSummary.SUCCEEDED, input, lake, inputs, tables, null);
            lake.writeText(lake.uri() + "/" + Lake.RUN + "/" + Lake.SUMMARY, whole.toJson());
            return whole;
        } finally {
            songs.release();
            events.release();
            cached.forEach(Dataset::unpersist);
        }
    }

    /**
     * Runs the data-quality checks on the new tables. Where tables are staged, a lake that fails one is not
     * published; on an object store, where they were written in place, the failure is reported all the same
     * and the run exits non-zero, so a scheduler knows the lake cannot be trusted.
     */
    private String check(Lake lake, String runId, String staging, Map<String, Long> tables, Dataset<Row> songs) {
        String written = lake.stagesTables() ? staging : lake.uri();
        // The tables are read back as written, but for songs: one file per (year, artist) folder, tens of
        // thousands of them, made reading it back cost more than all the rest of the run's checks. Its rows
        // are checked as the run wrote them, from the cached catalog; `sparkify-lake check` reads it from
        // storage like the others.
        Checks checks = new Checks(name -> name.equals(Songs.NAME) ? songs : LakeTables.table(spark, written, name));
        checked = progress.stage("check", () -> checks.run(tables),
                all -> all.stream().filter(Checks.Result::passed).count() + " of " + all.size() + " checks passed");
        List<String> failed = checked.stream().filter(r -> !r.passed()).map(Checks.Result::line).toList();
        return failed.isEmpty() ? null : "The new tables failed " + failed.size() + " data-quality check(s):\n  "
                + String.join("\n  ", failed) + "\n";
    }

    /** Where the tables that failed their checks are, after keeping them: a failed run's last words. */
    private static String where(Lake lake, String runId) {
        if (lake.stagesTables()) {
            return "They were not published: the lake at " + lake.uri() + " is unchanged, and the new tables are "
                    + "kept in " + lake.keepFailed(runId) + ".";
        }
        return "They are already in place in " + lake.uri() + " (tables on an object store are written in place): "
                + "do not trust them until a run passes.";
    }

    private void load(Map<String, Long> tables, String name, Dataset<Row> table, List<String> partitions,
                      Lake lake, String runId, int filesPerPartition) {
        long rows = progress.stage("load " + name,
                () -> TableWriter.parquet(table, lake.tableTarget(runId, name), partitions, filesPerPartition),
                written -> String.format(Locale.ROOT, "%,d rows", written));
        tables.put(name, rows);
    }

    /** A folder with nothing in it but what a run leaves while it starts (its staging, its lock). */
    private static boolean isEmpty(Lake lake) {
        return lake.entries().stream().allMatch(name -> name.startsWith("_staging") || name.startsWith("_failed")
                || name.equals(LakeLock.NAME));
    }

    private static boolean broadcasts(Dataset<Row> plan) {
        return plan.queryExecution().sparkPlan().find(node -> node instanceof BroadcastHashJoinExec).isDefined();
    }

    /** Bad records are quarantined, so what still fails a read is the storage itself: say which input. */
    <T> T reading(String path, java.util.function.Supplier<T> read) {
        try {
            return read.get();
        } catch (LakeException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked, but Scala code throws it from anywhere
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            Optional<LakeException> store = StoreErrors.explain(path, e, hadoop);
            if (store.isPresent()) {
                throw store.get();
            }
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            // A link that leads back into the folder holding it: a listing that never ends, or the system's
            // "too many levels of symbolic links". Its own message is a path hundreds of folders deep.
            Optional<String> loop = Inputs.linkLoop(path, hadoop);
            if (loop.isPresent()) {
                throw new LakeException("Reading " + path + " failed: " + loop.get() + ". Remove the link or point "
                        + "it elsewhere; the lake's tables are as they were.", e);
            }
            if (root instanceof OutOfMemoryError || String.valueOf(root.getMessage()).contains("Java heap space")) {
                // One line of a log file is one record, held whole in memory: name the file whose line did not fit.
                Optional<String> longLine = Inputs.longLine(path, hadoop);
                throw new LakeException("Reading " + path + " failed: " + longLine.map(line -> line + ", more "
                        + "than this run's memory can hold as one record (one line is one event). Split or remove "
                        + "that line; the lake's tables are as they were.").orElse("the run ran out of memory ("
                        + firstLine(root) + "). Give it more (--conf spark.driver.memory=…, or JAVA_OPTS=-Xmx… "
                        + "for bin/sparkify-lake); the lake's tables are as they were."), e);
            }
            Optional<String> gone = Inputs.vanished(root, hadoop);
            if (gone.isPresent()) {
                throw new LakeException("Reading " + path + " failed: " + gone.get() + " was listed as input but "
                        + "was gone when it was read (moved or deleted while the run read its input). The lake's "
                        + "tables are as they were; run etl again once the input is settled.", e);
            }
            // Spark's own message can misname the cause (a file it may not read "does not exist"): give the
            // innermost one too, usually the operating system's or the object store's own words.
            String cause = firstLine(e) + (root == e ? "" : " (cause: " + firstLine(root) + ")");
            throw new LakeException("Reading " + path + " failed: " + cause, e);
        }
    }

    private static String firstLine(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    /** The failure of a run with too many rejected records, which it keeps in {@code kept}. */
    static LakeException tooManyRejected(String why, Lake lake, String kept) {
        return new LakeException(why + " The lake at " + lake.uri() + " is unchanged. The rejected records, each "
                + "with its file and reason, are in " + kept + "/" + Lake.REJECTED + "/. Mend the input, or allow "
                + "more with --max-rejected-fraction.");
    }

    /** The run-failing message, or null when every input stays within the allowed rejected share. */
    String tooManyRejected(List<Extracted> inputs) {
        for (Extracted input : inputs) {
            if (input.rejectedFraction() > settings.maxRejectedFraction()) {
                return String.format(Locale.ROOT, "Too many bad records: %.1f%% of %s (%,d of %,d) were "
                                + "rejected, more than the %.1f%% that --max-rejected-fraction allows.",
                        100 * input.rejectedFraction(), input.input(), input.rejectedCount(), input.read(),
                        100 * settings.maxRejectedFraction());
            }
        }
        return null;
    }

    private RunSummary summary(String runId, String status, String input, Lake lake,
                               Map<String, RunSummary.InputCounts> inputs, Map<String, Long> tables,
                               String message) {
        return new RunSummary(runId, status, input, lake.uri(), progress.started().toString(), inputs, tables,
                progress.stages(), checked, progress.seconds(), message, Settings.Format.PARQUET.label(),
                RunSummary.FULL, Map.of());
    }

    static RunSummary.InputCounts counts(Extracted input) {
        return new RunSummary.InputCounts(input.files(), input.read(), input.loaded(), input.rejectedCount(),
                input.skipped());
    }

    static String describe(Extracted input) {
        return String.format(Locale.ROOT, "%,d files, %,d records, %,d rejected", input.files(), input.read(),
                input.rejectedCount()) + (input.skipped().isEmpty() ? ""
                : String.format(Locale.ROOT, ", %,d skipped", input.skipped().size()));
    }

    /** Names the files of an input's folder that were not read, so none goes missing unnoticed. */
    void reportSkipped(Extracted input) {
        int shown = 5;
        input.skipped().stream().limit(shown).forEach(file -> progress.say(String.format(Locale.ROOT,
                "%-18s %s: not a .json file, so not input", "  skipped", file)));
        if (input.skipped().size() > shown) {
            progress.say(String.format(Locale.ROOT, "%-18s and %,d more (all in _run/summary.json)", "  skipped",
                    input.skipped().size() - shown));
        }
    }
}
