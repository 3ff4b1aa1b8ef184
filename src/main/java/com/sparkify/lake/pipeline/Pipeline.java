package com.sparkify.lake.pipeline;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSError;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.extract.EventLog;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.extract.Inputs;
import com.sparkify.lake.extract.Reading;
import com.sparkify.lake.extract.SongCatalog;
import com.sparkify.lake.load.Batch;
import com.sparkify.lake.load.CheckScope;
import com.sparkify.lake.load.IcebergLake;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.LakeKind;
import com.sparkify.lake.load.LakeLock;
import com.sparkify.lake.load.ParquetLake;
import com.sparkify.lake.load.RunRecord;
import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.store.StoreErrors;
import com.sparkify.lake.store.RequestsInFlight;
import com.sparkify.lake.store.S3Settings;
import com.sparkify.lake.store.StoreRequests;

/**
 * One run, the same sequence of named steps for every kind of lake: list the input and choose the batch,
 * extract, build and write the tables, check them, publish them, record the run ({@link Run#steps}). What
 * differs between a Parquet and an Iceberg lake is behind {@link LakeKind}.
 */
public final class Pipeline {

    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private final SparkSession spark;
    private final Settings settings;
    private final Progress progress;

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
        Engine.prepare(spark, settings);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        try {
            return runLocked(input, output, hadoop);
        } catch (LakeException e) {
            throw e;
        } catch (Exception | FSError e) { // SparkException is checked, but Scala code throws it from anywhere
            Optional<LakeException> explained = explain(e, input, output, hadoop);
            if (explained.isPresent()) {
                throw explained.get();
            }
            throw e;
        }
    }

    /**
     * A store that refuses or cannot be reached part-way (a Spark job's task), or a full disk, said briefly.
     * Hadoop's local file system throws an Error, not an exception, when a write fails: it would end the process
     * with a stack trace.
     */
    private static Optional<LakeException> explain(Throwable failure, String input, String output,
                                                   Configuration hadoop) {
        if (!(failure instanceof FSError)) {
            Optional<LakeException> store = StoreErrors.explain(blamed(failure, input, output), failure, hadoop);
            if (store.isPresent()) {
                return store;
            }
        }
        Optional<String> full = Lake.diskFull(failure, output, hadoop);
        if (full.isEmpty() && failure instanceof FSError) {
            full = Optional.of(Reading.firstLine(failure.getCause() == null ? failure : failure.getCause()));
        }
        return full.map(reason -> new LakeException("Writing the lake failed: " + reason + ". Free some space and "
                + "run etl again: it first drops or finishes what this run left.", failure));
    }

    /** The input when the failure's text names its bucket or folder, otherwise the output. */
    private static String blamed(Throwable failure, String input, String output) {
        String inputPlace = new Path(input).toUri().getHost();
        if (inputPlace == null || inputPlace.equals(new Path(output).toUri().getHost())) {
            return output;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains(inputPlace)) {
                return input;
            }
        }
        return output;
    }

    /** One run at a time: the lock is taken before the recovery, which takes any staging for a killed run's. */
    private RunSummary runLocked(String input, String output, Configuration hadoop) {
        Instant started = Instant.now();
        String runId = RUN_ID.format(started) + "-" + UUID.randomUUID().toString().substring(0, 8);
        String songData = Inputs.songData(input, hadoop);
        String logData = Inputs.logData(input, hadoop);
        Lake lake = Lake.open(output, hadoop);
        StoreRequests requests = StoreRequests.of(hadoop, input, output);
        if (requests.any()) {
            progress.countRequests(requests::sofar);
        }
        RequestsInFlight inFlight = settings.requestsInFlight() != null
                ? RequestsInFlight.fixed(settings.requestsInFlight()) : RequestsInFlight.following(requests);
        boolean iceberg = settings.format() == Settings.Format.ICEBERG;
        try (LakeLock lock = lake.lock(runId, started);
             Interruption stop = Interruption.watch(lake, runId, lock, iceberg)) {
            if (lock.previousHolder() != null) {
                progress.say(String.format(Locale.ROOT, "%-18s %s", "lock", "taken over from "
                        + LakeLock.describe(lock.previousHolder()) + ", which is no longer running"));
            }
            requireKind(lake, iceberg, hadoop);
            lake.recover();
            LakeKind kind = iceberg ? new IcebergLake(spark, progress, settings, lake, runId, started, inFlight)
                    : new ParquetLake(spark, progress, lake, runId);
            // From here on the input is only named: qualified as the lake is (song_data's folder, qualified).
            String named = new Path(songData).getParent().toString();
            return new Run(runId, named, songData, logData, lake, kind, requests.any() ? inFlight : null).steps();
        }
    }

    /** A lake of the other kind is never written over. */
    private static void requireKind(Lake lake, boolean iceberg, Configuration hadoop) {
        boolean is = LakeCatalog.isIceberg(lake.uri(), hadoop);
        if (is != iceberg && !isEmpty(lake)) {
            throw new LakeException(lake.uri() + " holds a " + (is ? "lake of Iceberg tables" : "Parquet lake")
                    + ": " + (is ? "give --format iceberg (or format = iceberg under [lake] in the config)"
                    : "leave --format iceberg out") + ", or write the other kind of lake to another --output.");
        }
    }

    /** A folder with nothing in it but what a run leaves while it starts (its staging, its lock). */
    private static boolean isEmpty(Lake lake) {
        return lake.entries().stream().allMatch(name -> name.startsWith("_staging") || name.startsWith("_failed")
                || name.equals(LakeLock.NAME));
    }

    /** A run under way: what it reads, the lake it writes, and what it found so far. */
    private final class Run {

        private final String runId;
        private final String input;
        private final String songData;
        private final String logData;
        private final Lake lake;
        private final LakeKind kind;
        private final Map<String, RunSummary.InputCounts> inputs = new LinkedHashMap<>();
        /** The checks' results, once they ran: part of the run's summary. */
        private List<Checks.Result> checked = List.of();
        private Batch batch;
        private Extracted songs;
        private Extracted events;
        /** The requests kept out at once, when the run reads or writes through an object store; else null. */
        private final RequestsInFlight inFlight;

        Run(String runId, String input, String songData, String logData, Lake lake, LakeKind kind,
            RequestsInFlight inFlight) {
            this.inFlight = inFlight;
            this.runId = runId;
            this.input = input;
            this.songData = songData;
            this.logData = logData;
            this.lake = lake;
            this.kind = kind;
        }

        /** The run, in order. */
        RunSummary steps() {
            batch = kind.choose(songData, logData);
            if (batch.nothingNew()) {
                return nothingNew();
            }
            try {
                extract();
                Settings.Tuning tuning = tune();
                quarantine();
                kind.write(batch, songs, events, tuning);
                check();
                publish();
                return record();
            } catch (Exception | FSError e) { // SparkException is checked, but Scala code throws it from anywhere
                Optional<LakeException> clearer = kind.undo(e);
                if (clearer.isPresent()) {
                    throw clearer.get();
                }
                throw e;
            } finally {
                release();
            }
        }

        private RunSummary nothingNew() {
            progress.say("nothing new: every input file was loaded before; the lake is unchanged");
            RunSummary none = summary(RunSummary.SUCCEEDED, RunSummary.NOTHING_NEW, null);
            kind.nothingNew(none.toJson());
            return none;
        }

        /** Reads the batch: each input folder whole, or the files chosen. */
        private void extract() {
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            // Without a store no request waits: the number only bounds the reads' pool.
            // The line says the number the reads were given, chosen after the listing; the number now may differ.
            java.util.concurrent.atomic.AtomicInteger readsGiven = new java.util.concurrent.atomic.AtomicInteger();
            java.util.function.IntSupplier reads = () -> {
                readsGiven.set(inFlight == null ? RequestsInFlight.LEAST : inFlight.now());
                return readsGiven.get();
            };
            songs = progress.stage("extract song_data", () -> Reading.of(songData, hadoop,
                    () -> batch.songFiles() == null ? SongCatalog.read(spark, songData, reads)
                            : SongCatalog.read(spark, batch.songFiles(), reads.getAsInt())
                                    .withSkipped(batch.songsSkipped())),
                    input -> describe(input) + (inFlight == null ? "" : ", " + readsGiven.get() + " in flight"));
            reportSkipped(songs);
            events = progress.stage("extract log_data", () -> Reading.of(logData, hadoop,
                    () -> batch.logFiles() == null ? EventLog.read(spark, logData)
                            : EventLog.read(spark, batch.logFiles()).withSkipped(batch.logsSkipped())),
                    Pipeline::describe);
            reportSkipped(events);
            inputs.put(songs.input(), counts(songs));
            inputs.put(events.input(), counts(events));
        }

        /**
         * The input's size is known only now, from the listing the reads made: shuffles and writes from here on
         * are sized to it. On a cluster the executors have registered by now, so the core count is the cluster's.
         */
        private Settings.Tuning tune() {
            Settings.Tuning tuning = settings.tuningFor(songs.bytes() + events.bytes(),
                    spark.sparkContext().defaultParallelism(), spark.sparkContext().getConf());
            Engine.tune(spark, tuning);
            progress.say(String.format(Locale.ROOT, "%-18s %s", "tuning", tuning.describe()));
            if (inFlight != null) {
                // The reads have timed many more answers than the listing: the writes keep this many out.
                S3Settings.commitThreads(spark.sparkContext().hadoopConfiguration(), inFlight.now());
                progress.say(String.format(Locale.ROOT, "%-18s %s", "store", inFlight.describe()));
            }
            return tuning;
        }

        /** Keeps the rejected records; too many of them end the run with the lake as it was. */
        private void quarantine() {
            var rejected = songs.rejected().unionByName(events.rejected());
            kind.quarantine(rejected, songs.rejectedCount() + events.rejectedCount());
            for (Extracted read : List.of(songs, events)) {
                if (read.rejectedFraction() > settings.maxRejectedFraction()) {
                    String why = String.format(Locale.ROOT, "Too many bad records: %.1f%% of %s (%,d of %,d) were "
                                    + "rejected, more than the %.1f%% that --max-rejected-fraction allows.",
                            100 * read.rejectedFraction(), read.input(), read.rejectedCount(), read.read(),
                            100 * settings.maxRejectedFraction());
                    String kept = kind.keepFailed(rejected, summary(RunSummary.FAILED, batch.kind(), why).toJson());
                    throw new LakeException(why + " The lake at " + lake.uri() + " is unchanged. The rejected "
                            + "records, each with its file and reason, are in " + kept + "/" + Lake.REJECTED
                            + "/. Mend the input, or allow more with --max-rejected-fraction.");
                }
            }
        }

        /** The data-quality checks on the run's tables, before anything is published. */
        private void check() {
            if (!settings.checks()) {
                return;
            }
            CheckScope scope = kind.checkScope();
            Checks checks = scope.whole() ? new Checks(scope.tables()) : new Checks(scope.tables(), name -> {
                var change = scope.changes().apply(name);
                return new Checks.Change(change.added(), change.removed());
            });
            checked = progress.stage("check", () -> checks.run(kind.rows()),
                    all -> all.stream().filter(Checks.Result::passed).count() + " of " + all.size()
                            + " checks passed" + (scope.whole() ? "" : ", on what this run changed"));
            List<String> failed = checked.stream().filter(r -> !r.passed()).map(Checks.Result::line).toList();
            if (!failed.isEmpty()) {
                String why = "The new tables failed " + failed.size() + " data-quality check(s):\n  "
                        + String.join("\n  ", failed) + "\n";
                throw kind.checksFailed(failed, summary(RunSummary.FAILED, batch.kind(), why).toJson());
            }
        }

        private void publish() {
            String pending = summary(RunSummary.SUCCEEDED, batch.kind(), null).toJson();
            List<RunRecord.Check> outcomes = checked.stream()
                    .map(result -> new RunRecord.Check(result.name(), result.offending())).toList();
            progress.stage("publish", () -> kind.publish(pending, outcomes), detail -> detail);
        }

        /** The summary published with the tables was written before publishing: now the whole run is known. */
        private RunSummary record() {
            RunSummary whole = summary(RunSummary.SUCCEEDED, batch.kind(), null);
            lake.writeText(lake.uri() + "/" + Lake.RUN + "/" + Lake.SUMMARY, whole.toJson());
            return whole;
        }

        private void release() {
            if (songs != null) {
                songs.release();
            }
            if (events != null) {
                events.release();
            }
            kind.release();
        }

        /** @param runKind the kind of run (RunSummary.FULL, ...) */
        private RunSummary summary(String status, String runKind, String message) {
            return new RunSummary(runId, status, input, lake.uri(), progress.started().toString(), inputs,
                    kind.rows(), progress.stages(), checked, progress.seconds(), message, kind.format(), runKind,
                    kind.snapshots(), inFlight == null ? null : inFlight.describe());
        }
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
    private void reportSkipped(Extracted input) {
        int shown = 5;
        input.skipped().stream().limit(shown).forEach(file -> progress.say(String.format(Locale.ROOT,
                "%-18s %s: not a .json file, so not input", "  skipped", file)));
        if (input.skipped().size() > shown) {
            progress.say(String.format(Locale.ROOT, "%-18s and %,d more (all in _run/summary.json)", "  skipped",
                    input.skipped().size() - shown));
        }
    }
}
