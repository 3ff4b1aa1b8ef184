package com.sparkify.lake.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.Settings;
import com.sparkify.lake.extract.EventLog;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.extract.Inputs;
import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.extract.SongCatalog;
import com.sparkify.lake.extract.WholeFiles;
import com.sparkify.lake.load.IcebergTables;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.Publication;
import com.sparkify.lake.load.RunRecord;
import com.sparkify.lake.load.TableWriter;
import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.tables.Artists;
import com.sparkify.lake.tables.Events;
import com.sparkify.lake.tables.Songplays;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.Time;
import com.sparkify.lake.tables.Users;

/**
 * A run into an Iceberg lake: only the input files the lake has not loaded yet are read, every table change
 * goes onto the run's branch, the checks read the branches, and the tables are published together (see
 * {@link Publication}). The lake keeps what it loaded (the files, their song records and events) in tables of
 * its own, so that a batch changes exactly the rows that one load of all the input would give differently.
 */
final class IcebergRun {

    static final String FILES = IcebergTables.INPUT_PREFIX + "files";
    static final String RECORDS = IcebergTables.INPUT_PREFIX + "songs";
    static final String EVENTS = IcebergTables.INPUT_PREFIX + "events";
    static final String REJECTED = IcebergTables.REJECTED;

    /** The star schema in the order it is published: what is referred to before what refers to it (artists,
     *  then the songs that name them, then the plays that name both), so a reader between two commits never
     *  finds a key that leads nowhere. What the lake loaded comes last. */
    static final List<String> ORDER = List.of(Artists.NAME, Songs.NAME, Users.NAME, Time.NAME, Songplays.NAME,
            RECORDS, EVENTS, FILES, REJECTED, RunRecord.TABLE);
    /** The tables a run changes: every table but the record of runs, which describes them. */
    private static final List<String> CHANGED = ORDER.subList(0, ORDER.size() - 1);

    private static final StructType FILE_COLUMNS = new StructType()
            .add("path", DataTypes.StringType).add("input", DataTypes.StringType)
            .add("bytes", DataTypes.LongType).add("modified", DataTypes.TimestampType)
            .add("run_id", DataTypes.StringType)
            // What the file held (see Fingerprints): a file delivered again with the same bytes is not a change.
            .add("fingerprint", DataTypes.StringType);

    private final SparkSession spark;
    private final Settings settings;
    private final Progress progress;
    private final Pipeline pipeline;
    /** The checks' results, once they ran: part of the run's summary. */
    private List<Checks.Result> checked = List.of();
    /** Per table, the rows this run wrote and the rows it took away (see {@link RunRecord.TableFigures}). */
    private final Map<String, long[]> figures = new LinkedHashMap<>();

    IcebergRun(SparkSession spark, Settings settings, Progress progress, Pipeline pipeline) {
        this.spark = spark;
        this.settings = settings;
        this.progress = progress;
        this.pipeline = pipeline;
    }

    RunSummary run(String runId, Instant started, String input, String songData, String logData, Lake lake,
                   Configuration hadoop) {
        LakeCatalog catalog = LakeCatalog.open(spark, lake.uri(), settings.config(), true);
        String finished = Publication.recover(catalog, ORDER);
        if (finished != null) {
            progress.say("finished publishing run " + finished + ", which was stopped while it published");
        }
        boolean loadedBefore = catalog.has(FILES) && catalog.table(FILES).currentSnapshot() != null;
        boolean full = settings.fullRefresh() || !loadedBefore;
        String kind = !loadedBefore ? RunSummary.FULL : settings.fullRefresh() ? RunSummary.FULL_REFRESH
                : RunSummary.INCREMENTAL;

        Inputs.Selection songListing = Inputs.select(pipeline.reading(songData, () -> list(songData, hadoop)));
        Inputs.Selection logListing = Inputs.select(pipeline.reading(logData, () -> list(logData, hadoop)));
        List<WholeFiles.Found> songFiles = songListing.read();
        List<WholeFiles.Found> logFiles = logListing.read();
        // The files this run loads and records as loaded (new ones, and changed ones it reloads), by input.
        List<WholeFiles.Found> songsRecorded = songFiles;
        List<WholeFiles.Found> logsRecorded = logFiles;
        List<String> changed = new ArrayList<>();
        boolean reloadSongs = false;
        boolean reloadLogs = false;
        if (!full) {
            Map<String, Row> loaded = new java.util.HashMap<>();
            spark.table(catalog.sparkName(FILES)).collectAsList().forEach(row -> loaded.put(row.getString(0), row));
            int[] again = new int[1];
            songsRecorded = unloaded(songFiles, loaded, changed, again, hadoop);
            reloadSongs = !changed.isEmpty();
            logsRecorded = unloaded(logFiles, loaded, changed, again, hadoop);
            reloadLogs = changed.size() > (reloadSongs ? countIn(changed, songFiles) : 0);
            if (again[0] > 0) {
                progress.say(String.format(Locale.ROOT, "%-18s %,d file(s) delivered again with the content the lake "
                        + "loaded (new times, same bytes): not loaded again", "input again", again[0]));
            }
            String named = String.join(", ", changed.subList(0, Math.min(5, changed.size())))
                    + (changed.size() > 5 ? " and " + (changed.size() - 5) + " more" : "");
            if (!changed.isEmpty() && !settings.reloadChanged()) {
                throw new LakeException(String.format(Locale.ROOT, "%,d input file(s) changed since the lake loaded "
                        + "them: %s. Their old rows are in the lake. Load them again with --reload-changed (their "
                        + "old rows give way to their new ones; the rest stays), restore the files, or rebuild "
                        + "from all the input with --full-refresh.", changed.size(), named));
            }
            if (!changed.isEmpty()) {
                kind = RunSummary.RELOAD;
                progress.say(String.format(Locale.ROOT, "%-18s %,d changed file(s) loaded again: %s", "reload changed",
                        changed.size(), named));
                List<String> reloaded = changed;
                songsRecorded = concat(songsRecorded, songFiles.stream().filter(f -> reloaded.contains(f.path())).toList());
                logsRecorded = concat(logsRecorded, logFiles.stream().filter(f -> reloaded.contains(f.path())).toList());
            }
            // Reloading a changed file reads every file of its input again: which of the lake's records came
            // from the old file alone, and which other files also delivered, only all of them tell.
            if (!reloadSongs) {
                songFiles = songsRecorded;
            }
            if (!reloadLogs) {
                logFiles = logsRecorded;
            }
            if (songFiles.isEmpty() && logFiles.isEmpty()) {
                progress.say("nothing new: every input file was loaded before; the lake is unchanged");
                RunSummary none = summary(runId, RunSummary.SUCCEEDED, input, lake, Map.of(),
                        currentRows(catalog), RunSummary.NOTHING_NEW, currentSnapshots(catalog), null);
                if (finished != null) {
                    // The summary on disk is of the run before the one just finished: say what the lake is now.
                    lake.writeText(lake.uri() + "/" + Lake.RUN + "/" + Lake.SUMMARY, none.toJson());
                }
                return none;
            }
        }
        List<WholeFiles.Found> songBatch = songFiles;
        List<WholeFiles.Found> logBatch = logFiles;
        Extracted songs = progress.stage("extract song_data", () -> pipeline.reading(songData,
                () -> SongCatalog.read(spark, songBatch, settings.requestsInFlight())
                        .withSkipped(songListing.skipped())), Pipeline::describe);
        pipeline.reportSkipped(songs);
        // A batch of every log file reads the folder, as the Parquet lake's run does: given the files one by one,
        // Spark would look each up again (a request per file on a store) after the listing above.
        boolean everyLog = full || reloadLogs;
        Extracted events = progress.stage("extract log_data", () -> pipeline.reading(logData,
                () -> everyLog ? EventLog.read(spark, logData)
                        : EventLog.read(spark, logBatch).withSkipped(logListing.skipped())), Pipeline::describe);
        pipeline.reportSkipped(events);
        List<Dataset<Row>> cached = new ArrayList<>();
        try {
            Settings.Tuning tuning = settings.tuningFor(songs.bytes() + events.bytes(),
                    spark.sparkContext().defaultParallelism(), spark.sparkContext().getConf());
            Settings.apply(tuning, spark);
            progress.say(String.format(Locale.ROOT, "%-18s %s", "tuning", tuning.describe()));
            Map<String, RunSummary.InputCounts> inputs = new LinkedHashMap<>();
            inputs.put(songs.input(), Pipeline.counts(songs));
            inputs.put(events.input(), Pipeline.counts(events));
            String tooBad = pipeline.tooManyRejected(List.of(songs, events));
            if (tooBad != null) {
                String kept = lake.staging(runId) + "/" + Lake.REJECTED;
                TableWriter.json(songs.rejected().unionByName(events.rejected()), kept);
                throw Pipeline.tooManyRejected(tooBad, lake, lake.keepFailed(runId));
            }

            Publication publication = new Publication(catalog, runId);
            IcebergTables tables = new IcebergTables(spark, catalog, publication, runId, kind);
            Dataset<Row> records = songs.records().select(columns(Schemas.SONG));
            Dataset<Row> batchEvents = events.records().select(columns(Schemas.EVENT));
            prepare(tables, records, batchEvents);
            try {
                if (full) {
                    loadAll(tables, records, batchEvents, cached);
                } else {
                    loadBatch(tables, records, batchEvents, cached, reloadSongs, reloadLogs);
                }
                List<WholeFiles.Found> all = new ArrayList<>(full ? songBatch : songsRecorded);
                int songsLoaded = all.size();
                all.addAll(full ? logBatch : logsRecorded);
                List<String> reloaded = changed;
                progress.stage("record input", () -> {
                    Dataset<Row> files = fileRows(all, songsLoaded, runId, hadoop);
                    Dataset<Row> rejected = songs.rejected().unionByName(events.rejected())
                            .withColumn("run_id", lit(runId));
                    if (!reloaded.isEmpty()) {
                        // Every file of a reloaded input was read again: the others' rejected lines are kept already.
                        rejected = rejected.where(normalised(col("file")).isin(all.stream()
                                .map(f -> normalised(f.path())).toArray()));
                    }
                    if (full) {
                        tables.replace(FILES, files);
                    } else {
                        if (!reloaded.isEmpty()) {
                            tables.delete(FILES, "path", spark.createDataFrame(reloaded.stream()
                                    .map(path -> RowFactory.create(path)).toList(), new StructType()
                                    .add("path", DataTypes.StringType)), List.of());
                        }
                        tables.append(FILES, files);
                    }
                    if (songs.rejectedCount() + events.rejectedCount() > 0) {
                        tables.append(REJECTED, rejected);
                    }
                    return all.size();
                }, n -> String.format(Locale.ROOT, "%,d files recorded as loaded", n));

                Map<String, Long> rows = new LinkedHashMap<>();
                Map<String, RunRecord.TableFigures> tablesNow = new LinkedHashMap<>();
                for (String name : CHANGED) {
                    IcebergTables.Counts counts = tables.counts(name);
                    long[] wrote = figures.getOrDefault(name, new long[] {counts.added(), counts.deleted()});
                    tablesNow.put(name, new RunRecord.TableFigures(name, counts.rows(), counts.rows() - counts.before(),
                            wrote[0], wrote[1], counts.snapshotId()));
                    if (ORDER.indexOf(name) < 5) {
                        rows.put(name, counts.rows());
                    }
                }
                boolean whole = full || !checkedBefore(catalog);
                if (settings.checks()) {
                    check(tables, rows, whole);
                }
                String how = !settings.checks() ? RunRecord.CHECKS_SKIPPED
                        : whole ? RunRecord.CHECKED_ALL : RunRecord.CHECKED_CHANGES;
                tables.append(RunRecord.TABLE, RunRecord.pending(spark, new RunRecord.Entry(runId, kind, started,
                        null, how, List.copyOf(tablesNow.values()), checked.stream()
                                .map(c -> new RunRecord.Check(c.name(), c.offending())).toList(),
                        all.stream().map(WholeFiles.Found::path).toList())));
                Map<String, Publication.Published> published = progress.stage("publish", () -> {
                    lake.beginPublishing();
                    return publication.publish(ORDER);
                }, p -> "tables published in " + lake.uri());
                Map<String, RunSummary.Snapshot> snapshots = new LinkedHashMap<>();
                rows.keySet().forEach(name -> {
                    Publication.Published at = published.get(name);
                    RunRecord.TableFigures figure = tablesNow.get(name);
                    snapshots.put(name, new RunSummary.Snapshot(at == null ? 0 : at.snapshotId(),
                            at == null ? null : at.metadataFile(), figure.net(), figure.written(), figure.replaced()));
                });
                RunSummary done = summary(runId, RunSummary.SUCCEEDED, input, lake, inputs, rows, kind,
                        snapshots, null);
                lake.writeText(lake.uri() + "/" + Lake.RUN + "/" + Lake.SUMMARY, done.toJson());
                return done;
            } catch (RuntimeException | org.apache.hadoop.fs.FSError e) {
                // The branches hold everything the run wrote; without them it is as if it never ran. Not with
                // the store gone: Iceberg would retry each table's metadata 20 times, minutes in all, before
                // this run could say so; the next run drops them instead.
                if (!com.sparkify.lake.store.StoreErrors.unreachable(e)) {
                    abandon(catalog, publication);
                }
                throw e;
            }
        } finally {
            songs.release();
            events.release();
            cached.forEach(Dataset::unpersist);
        }
    }

    /** Drops this run's branches unless it had begun to publish, which the next run then finishes. */
    private static void abandon(LakeCatalog catalog, Publication publication) {
        try {
            if (catalog.properties().get(Publication.PUBLISHING) == null) {
                publication.abandon(ORDER);
            }
        } catch (RuntimeException cleanup) {
            // The next run drops them: the failure that got here is the one to report.
        }
    }

    private void prepare(IcebergTables tables, Dataset<Row> records, Dataset<Row> events) {
        Dataset<Row> songplays = Songplays.from(events.withColumn(Events.ID, Events.id()), records);
        tables.prepare(Songs.NAME, Songs.from(records), Songs.PARTITIONS);
        tables.prepare(Artists.NAME, Artists.from(records), Artists.PARTITIONS);
        tables.prepare(Users.NAME, Users.from(events), Users.PARTITIONS);
        tables.prepare(Time.NAME, Time.from(songplays), Time.PARTITIONS);
        tables.prepare(Songplays.NAME, songplays, Songplays.PARTITIONS);
        tables.prepare(RECORDS, records, List.of());
        // In time order, each file of the record spans a stretch of time: a batch of one day then reads the
        // files of its own hours, not the whole record (see loadBatch).
        tables.prepare(EVENTS, events.withColumn(Events.ID, Events.id()), List.of(), "ts");
        tables.prepare(FILES, spark.createDataFrame(List.of(), FILE_COLUMNS), List.of());
        tables.prepare(REJECTED, spark.createDataFrame(List.of(), com.sparkify.lake.extract.RecordParser.REJECTED)
                .withColumn("run_id", lit("")), List.of());
        tables.prepare(RunRecord.TABLE, spark.createDataFrame(List.of(), RunRecord.COLUMNS), List.of());
    }

    /** The first load, or --full-refresh: every table built from all the input, as the Parquet lake is. */
    private void loadAll(IcebergTables tables, Dataset<Row> records, Dataset<Row> batchEvents,
                         List<Dataset<Row>> cached) {
        // The repeated keys counted first, as the Parquet lake's run does: knowing how few they are, Spark
        // broadcasts them instead of shuffling every event twice ("load users" on 5 M events: 41.8 s before).
        Dataset<Row> repeated = Events.repeatedKeys(batchEvents).persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(repeated);
        progress.stage("repeated events", repeated::count,
                n -> String.format(Locale.ROOT, "%,d events delivered more than once", n));
        Dataset<Row> distinct = Events.distinct(batchEvents, repeated).withColumn(Events.ID, Events.id())
                .persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(distinct);
        replace(tables, Songs.NAME, Songs.from(records));
        replace(tables, Artists.NAME, Artists.from(records));
        replace(tables, Users.NAME, Users.from(distinct));
        replace(tables, Songplays.NAME, Songplays.from(distinct, records));
        // time needs only start_time, which the written songplays hold.
        replace(tables, Time.NAME, Time.from(tables.staged(Songplays.NAME)));
        progress.stage("record songs", () -> {
            tables.replace(RECORDS, records.distinct());
            return 0L;
        }, n -> "song records kept for later batches");
        progress.stage("record events", () -> {
            tables.replace(EVENTS, distinct);
            return 0L;
        }, n -> "events kept for later batches");
    }

    private void replace(IcebergTables tables, String name, Dataset<Row> rows) {
        progress.stage("load " + name, () -> {
            tables.replace(name, rows);
            IcebergTables.Counts counts = tables.counts(name);
            figures.put(name, new long[] {counts.rows(), counts.before()});
            return counts.rows();
        }, n -> String.format(Locale.ROOT, "%,d rows", n));
    }

    /**
     * A batch of new files: each table's rows that the batch may change are built twice, from what the lake
     * had and from that plus the batch, and only the difference is written. Both come from the lake's record
     * of its input, not from the star tables, so nothing reads the songs table's many small files.
     */
    private void loadBatch(IcebergTables tables, Dataset<Row> batchRecords, Dataset<Row> batchEvents,
                           List<Dataset<Row>> cached, boolean reloadSongs, boolean reloadLogs) {
        Dataset<Row> recordsBefore = tables.current(RECORDS);
        Dataset<Row> newRecords;
        Dataset<Row> goneRecords;
        if (reloadSongs) {
            // Every song file read again: the records it gives are the catalog now, those the lake had and no
            // file gives any more went with a changed file.
            Dataset<Row> now = keep(batchRecords.distinct(), cached);
            newRecords = progress.stage("compare songs", () -> keep(now.except(recordsBefore), cached),
                    rows -> String.format(Locale.ROOT, "%,d song records new", rows.count()));
            goneRecords = keep(recordsBefore.except(now), cached);
        } else {
            newRecords = progress.stage("compare songs",
                    () -> keep(batchRecords.distinct().except(recordsBefore), cached),
                    rows -> String.format(Locale.ROOT, "%,d song records new", rows.count()));
            goneRecords = spark.createDataFrame(List.of(), recordsBefore.schema());
        }
        Dataset<Row> touchedRecords = newRecords.unionByName(goneRecords);
        Dataset<Row> recordsAfter = (reloadSongs ? recordsBefore.except(goneRecords) : recordsBefore)
                .unionByName(newRecords);
        Dataset<Row> eventsBefore = tables.current(EVENTS);
        Dataset<Row> batch = keep(batchEvents, cached);
        Dataset<Row> spanBefore;
        Dataset<Row> changes;
        Dataset<Row> gone;
        if (reloadLogs) {
            // Every log file read again, each event once: what differs from the lake's record is the change,
            // new versions and events no file gives any more alike.
            Dataset<Row> now = keep(Events.distinct(batch).withColumn(Events.ID, Events.id())
                    .select(columns(eventsBefore)), cached);
            spanBefore = eventsBefore;
            changes = progress.stage("compare events", () -> keep(now.except(eventsBefore), cached),
                    rows -> String.format(Locale.ROOT, "%,d events new or changed", rows.count()));
            gone = keep(eventsBefore.join(now.select(Events.ID), Events.ID, "left_anti")
                    .select(columns(eventsBefore)), cached);
            progress.say(String.format(Locale.ROOT, "%-18s %,d events no input file holds any more", "", gone.count()));
        } else {
            // An event's id holds its ts, so the events a batch can replace, and the instants whose time rows it
            // can change, lie within the batch's own span of ts: read the record there only. The record is written
            // in ts order, so Iceberg skips every file outside that span by its min and max.
            spanBefore = Events.within(eventsBefore, Events.span(batch));
            Dataset<Row> within = spanBefore;
            changes = progress.stage("compare events",
                    () -> keep(Events.changes(within, batch).select(columns(eventsBefore)), cached),
                    rows -> String.format(Locale.ROOT, "%,d events new or changed", rows.count()));
            gone = spark.createDataFrame(List.of(), eventsBefore.schema()).select(columns(eventsBefore));
        }
        long changedEvents = changes.count();
        boolean removals = !gone.isEmpty() || !goneRecords.isEmpty();
        // What a table's affected rows are found by: the events and song records that differ, either way.
        Dataset<Row> touched = changes.unionByName(gone);
        Dataset<Row> eventsAfter = Events.after(reloadLogs
                ? eventsBefore.join(gone.select(Events.ID), Events.ID, "left_anti") : eventsBefore, changes);
        Dataset<Row> spanAfter = reloadLogs ? eventsAfter : Events.after(spanBefore, changes);
        // A new song record may match a play of any day, which only a reading of the whole record finds.
        boolean newSongs = !touchedRecords.isEmpty();
        Dataset<Row> playsBefore = newSongs ? eventsBefore : spanBefore;
        Dataset<Row> playsAfter = newSongs ? eventsAfter : spanAfter;

        merge(tables, Songs.NAME, Songs.KEY, Songs.PARTITIONS,
                Songs.from(Songs.affected(recordsBefore, touchedRecords)),
                Songs.from(Songs.affected(recordsAfter, touchedRecords)), cached);
        merge(tables, Artists.NAME, Artists.KEY, Artists.PARTITIONS,
                Artists.from(Artists.affected(recordsBefore, touchedRecords)),
                Artists.from(Artists.affected(recordsAfter, touchedRecords)), cached);
        if (!removals && Users.laterThanAll(changes, eventsBefore)) {
            // The usual day: every event of the batch is later than all the lake had, so each user's latest
            // event is in the batch, and the users the lake has are their rows before it.
            merge(tables, Users.NAME, Users.KEY, Users.PARTITIONS,
                    Users.named(tables.current(Users.NAME), changes), Users.from(changes), cached);
        } else {
            merge(tables, Users.NAME, Users.KEY, Users.PARTITIONS,
                    Users.from(Users.affected(eventsBefore, touched)),
                    Users.from(Users.affected(eventsAfter, touched)), cached);
        }
        merge(tables, Time.NAME, Time.KEY, Time.PARTITIONS,
                Time.from(Time.affected(spanBefore, touched)),
                Time.from(Time.affected(spanAfter, touched)), cached);
        Dataset<Row> replayed = keep(Songplays.affected(playsAfter, touched, touchedRecords), cached);
        // A play whose event went has no row after: its row before is found by the event's id.
        Dataset<Row> replayedIds = replayed.select(Events.ID).unionByName(gone.select(Events.ID));
        merge(tables, Songplays.NAME, Songplays.KEY, Songplays.PARTITIONS,
                Songplays.from(playsBefore.join(replayedIds, Events.ID, "left_semi"), recordsBefore),
                Songplays.from(replayed, recordsAfter), cached);

        progress.stage("record songs", () -> {
            if (!goneRecords.isEmpty()) {
                // A record has no key of its own: the song ids that differ are written again whole.
                tables.delete(RECORDS, Songs.KEY, touchedRecords.select(Songs.KEY), List.of());
                tables.append(RECORDS, Songs.affected(recordsAfter, touchedRecords));
            } else if (!newRecords.isEmpty()) {
                tables.append(RECORDS, newRecords);
            }
            return newRecords.count();
        }, n -> String.format(Locale.ROOT, "%,d new song records kept", n));
        progress.stage("record events", () -> {
            if (changedEvents > 0 || !gone.isEmpty()) {
                tables.delete(EVENTS, Events.ID, spanBefore.join(touched.select(Events.ID), Events.ID,
                        "left_semi").select(Events.ID), List.of());
                if (changedEvents > 0) {
                    tables.append(EVENTS, changes);
                }
            }
            return changedEvents;
        }, n -> String.format(Locale.ROOT, "%,d new or changed events kept", n));
    }

    /** Writes the difference between a table's affected rows before and after the batch. */
    private void merge(IcebergTables tables, String name, String key, List<String> partitions,
                       Dataset<Row> before, Dataset<Row> after, List<Dataset<Row>> cached) {
        progress.stage("merge " + name, () -> {
            Dataset<Row> was = keep(before, cached);
            Dataset<Row> is = keep(after, cached);
            // One shuffle finds both sides of the difference: each row is counted -1 before and +1 after, and
            // a row that is the same on both sides adds up to 0. A key has one row per side at most.
            Column[] all = columns(after);
            Dataset<Row> difference = keep(was.withColumn(SIDE, lit(-1)).unionByName(is.withColumn(SIDE, lit(1)))
                    .groupBy(all).agg(sum(col(SIDE)).as(SIDE)).where(col(SIDE).notEqual(0)), cached);
            Dataset<Row> gone = difference.where(col(SIDE).lt(0)).drop(SIDE);
            Dataset<Row> come = difference.where(col(SIDE).gt(0)).select(all);
            long deleted = tables.delete(name, key, gone, partitions);
            long added = come.count();
            if (added > 0) {
                tables.append(name, come);
            }
            figures.put(name, new long[] {added, deleted});
            return new long[] {added, deleted};
        }, n -> String.format(Locale.ROOT, "%,d rows written, %,d replaced: net %+,d", n[0], n[1], n[0] - n[1]));
    }

    private static final String SIDE = "side";

    /**
     * Whether the tables are as a run that passed its checks left them, so that checking what this run changes
     * is checking the whole: the last recorded run checked its tables, and every table is still as it published
     * it (or as maintain compacted it: same rows). Not so after a run with --skip-checks, nor after another tool
     * changed a table's rows, nor on a lake with no record of its runs.
     */
    private static boolean checkedBefore(LakeCatalog catalog) {
        List<RunRecord.Entry> runs = RunRecord.read(catalog);
        if (runs.isEmpty() || runs.get(runs.size() - 1).checked().equals(RunRecord.CHECKS_SKIPPED)) {
            return false;
        }
        Map<String, RunRecord.TableFigures> last = RunRecord.byTable(runs.get(runs.size() - 1));
        for (String name : CHANGED) {
            RunRecord.TableFigures published = last.get(name);
            if (catalog.has(name) && (published == null
                    || !RunRecord.current(catalog.table(name), published.snapshotId()))) {
                return false;
            }
        }
        return true;
    }

    /** @param whole whether to check the whole tables, or only what this run changed in them */
    private void check(IcebergTables tables, Map<String, Long> rows, boolean whole) {
        // songs is one file per (year, artist) folder: reading 15,000 of them back cost 50 s of a 70 s run. Its
        // rows are checked as the run builds them, from the song records on the branch (a few files), as the
        // Parquet lake's run checks them from its catalog; its row count is the branch's own, from Iceberg's
        // metadata. `sparkify-lake check` reads it from storage like the other tables.
        java.util.function.Function<String, Dataset<Row>> source = name -> name.equals(Songs.NAME)
                ? Songs.from(tables.staged(RECORDS)) : tables.staged(name);
        Checks checks = whole ? new Checks(source) : new Checks(source, name -> {
            if (name.equals(Songs.NAME)) {
                IcebergTables.Changed records = tables.changed(RECORDS);
                return new Checks.Change(Songs.from(records.added()), Songs.from(records.removed()));
            }
            IcebergTables.Changed changed = tables.changed(name);
            return new Checks.Change(changed.added(), changed.removed());
        });
        checked = progress.stage("check", () -> checks.run(rows),
                all -> all.stream().filter(Checks.Result::passed).count() + " of " + all.size() + " checks passed"
                        + (whole ? "" : ", on what this run changed"));
        List<String> failed = checked.stream().filter(r -> !r.passed()).map(Checks.Result::line).toList();
        if (!failed.isEmpty()) {
            throw new LakeException("The new tables failed " + failed.size() + " data-quality check(s), so they "
                    + "were not published: every table of the lake is as it was.\n  " + String.join("\n  ", failed));
        }
    }

    /**
     * Computes the rows now and keeps them, with a plan that starts from them. A batch's plans join the lake's
     * tables with themselves several times over; left whole, Spark spent seconds per query analysing them
     * (8 s before a 0.1 s job), more than the work.
     */
    private static Dataset<Row> keep(Dataset<Row> rows, List<Dataset<Row>> cached) {
        Dataset<Row> kept = rows.localCheckpoint(true);
        cached.add(kept);
        return kept;
    }

    private Map<String, Long> currentRows(LakeCatalog catalog) {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String name : ORDER.subList(0, 5)) {
            rows.put(name, catalog.committedRows(name));
        }
        return rows;
    }

    private static Map<String, RunSummary.Snapshot> currentSnapshots(LakeCatalog catalog) {
        Map<String, RunSummary.Snapshot> snapshots = new LinkedHashMap<>();
        for (String name : ORDER.subList(0, 5)) {
            var table = catalog.table(name);
            if (table.currentSnapshot() != null) {
                snapshots.put(name, new RunSummary.Snapshot(table.currentSnapshot().snapshotId(),
                        ((org.apache.iceberg.HasTableOperations) table).operations().current().metadataFileLocation(),
                        0, 0, 0));
            }
        }
        return snapshots;
    }

    /**
     * The files the lake has not loaded. A file it loaded is not loaded again when its bytes are those it loaded:
     * the same size and time, or, when the time moved (delivered again), the same fingerprint, counted in
     * {@code again}. Any other loaded file has changed: its rows are in the lake as they were. Its path goes to
     * {@code changed}.
     */
    private static List<WholeFiles.Found> unloaded(List<WholeFiles.Found> found, Map<String, Row> loaded,
                                                   List<String> changed, int[] again, Configuration hadoop) {
        List<WholeFiles.Found> fresh = new ArrayList<>();
        for (WholeFiles.Found file : found) {
            Row before = loaded.get(file.path());
            if (before == null) {
                fresh.add(file);
            } else if (before.getLong(before.fieldIndex("bytes")) != file.length()) {
                changed.add(file.path());
            } else if (instant(before.get(before.fieldIndex("modified"))).toEpochMilli() != file.modified()) {
                // Only now is the file read (or its ETag compared): the size is the same and the time is not.
                String was = before.isNullAt(before.fieldIndex("fingerprint")) ? null
                        : before.getString(before.fieldIndex("fingerprint"));
                if (was != null && was.equals(com.sparkify.lake.extract.Fingerprints.of(file, hadoop))) {
                    again[0]++;
                } else {
                    changed.add(file.path());
                }
            }
        }
        return fresh;
    }

    private static int countIn(List<String> paths, List<WholeFiles.Found> files) {
        java.util.Set<String> among = new java.util.HashSet<>();
        files.forEach(file -> among.add(file.path()));
        return (int) paths.stream().filter(among::contains).count();
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }

    /** Spark spells a local file {@code file:/x} in one place and {@code file:///x} in another. */
    private static String normalised(String file) {
        return file.replaceFirst("^file:/+", "file:/");
    }

    private static Column normalised(Column file) {
        return org.apache.spark.sql.functions.regexp_replace(file, "^file:/+", "file:/");
    }

    private static Instant instant(Object value) {
        return value instanceof Instant instant ? instant : ((Timestamp) value).toInstant();
    }

    private Dataset<Row> fileRows(List<WholeFiles.Found> files, int songFiles, String runId, Configuration hadoop) {
        Map<String, String> fingerprints = com.sparkify.lake.extract.Fingerprints.of(files, hadoop,
                settings.requestsInFlight());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            WholeFiles.Found file = files.get(i);
            rows.add(RowFactory.create(file.path(), i < songFiles ? SongCatalog.FOLDER : EventLog.FOLDER,
                    file.length(), Instant.ofEpochMilli(file.modified()), runId, fingerprints.get(file.path())));
        }
        return spark.createDataFrame(rows, FILE_COLUMNS);
    }

    private static List<WholeFiles.Found> list(String root, Configuration hadoop) {
        try {
            return WholeFiles.list(root, hadoop);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Column[] columns(StructType schema) {
        return java.util.Arrays.stream(schema.fieldNames()).map(name -> col(name)).toArray(Column[]::new);
    }

    private static Column[] columns(Dataset<Row> table) {
        return java.util.Arrays.stream(table.columns()).map(name -> col(name)).toArray(Column[]::new);
    }

    private RunSummary summary(String runId, String status, String input, Lake lake,
                               Map<String, RunSummary.InputCounts> inputs, Map<String, Long> tables, String kind,
                               Map<String, RunSummary.Snapshot> snapshots, String message) {
        return new RunSummary(runId, status, input, lake.uri(), progress.started().toString(), inputs, tables,
                progress.stages(), checked, progress.seconds(), message, Settings.Format.ICEBERG.label(), kind,
                snapshots);
    }
}
