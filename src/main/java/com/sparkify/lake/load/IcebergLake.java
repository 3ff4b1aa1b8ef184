package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.lit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.extract.Inputs;
import com.sparkify.lake.extract.Reading;
import com.sparkify.lake.extract.RecordParser;
import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.store.StoreErrors;
import com.sparkify.lake.tables.Artists;
import com.sparkify.lake.tables.Events;
import com.sparkify.lake.tables.Songplays;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.Time;
import com.sparkify.lake.tables.Users;

/**
 * A lake of Iceberg tables: a run reads only the input files the lake has not loaded yet (see
 * {@link InputRecord}), puts every table change onto its own branch, lets the checks read the branches, and
 * publishes the tables together (see {@link Publication}), so that a batch changes exactly the rows that one
 * load of all the input would give differently.
 */
public final class IcebergLake implements LakeKind {

    /** The tables in the order they are published: the star's dimensions before the plays that name them, so a
     *  reader between two commits never finds a key that leads nowhere; what the lake loaded after them, and its
     *  record of runs, which describes all the others, last. */
    public static final List<String> ORDER = List.of(Artists.NAME, Songs.NAME, Users.NAME, Time.NAME, Songplays.NAME,
            InputRecord.RECORDS, InputRecord.EVENTS, InputRecord.FILES, InputRecord.REJECTED, RunRecord.TABLE);
    /** The tables a run changes: every table but the record of runs. */
    private static final List<String> CHANGED = ORDER.subList(0, ORDER.size() - 1);
    private static final List<String> STAR = ORDER.subList(0, 5);

    private final SparkSession spark;
    private final Stages stages;
    private final Settings settings;
    private final Lake lake;
    private final String runId;
    private final Instant started;
    private final InputRecord input;
    private final List<Dataset<Row>> cached = new ArrayList<>();
    /** Per table, the rows this run wrote and the rows it took away (see {@link RunRecord.TableFigures}). */
    private final Map<String, long[]> figures = new LinkedHashMap<>();
    private final Map<String, Long> rows = new LinkedHashMap<>();
    private final Map<String, RunRecord.TableFigures> tablesNow = new LinkedHashMap<>();
    private LakeCatalog catalog;
    /** A run stopped while it published, which this one finished; null if none. */
    private String finished;
    private Batch batch;
    /** The run had nothing to read: its summary gives the tables as they are. */
    private boolean unchanged;
    private Publication publication;
    private IcebergTables tables;
    private boolean wholeChecked = true;
    private Map<String, Publication.Published> published;

    /** @param inFlight the requests to the object store kept out at once (reading input files to fingerprint) */
    public IcebergLake(SparkSession spark, Stages stages, Settings settings, Lake lake, String runId,
                       Instant started, com.sparkify.lake.store.RequestsInFlight inFlight) {
        this.spark = spark;
        this.stages = stages;
        this.settings = settings;
        this.lake = lake;
        this.runId = runId;
        this.started = started;
        this.input = new InputRecord(spark, stages, inFlight);
    }

    @Override
    public String format() {
        return Settings.Format.ICEBERG.label();
    }

    /** Finishes a run stopped while it published, then lists the input: all of it on a first run or a
     *  --full-refresh, else the files the lake has not loaded. */
    @Override
    public Batch choose(String songData, String logData) {
        catalog = LakeCatalog.open(spark, lake.uri(), settings.config(), true);
        finished = Publication.recover(catalog, ORDER);
        if (finished != null) {
            stages.say("finished publishing run " + finished + ", which was stopped while it published");
        }
        boolean loadedBefore = InputRecord.loadedBefore(catalog);
        var hadoop = spark.sparkContext().hadoopConfiguration();
        Inputs.Selection songs = Inputs.select(Reading.list(songData, hadoop));
        Inputs.Selection logs = Inputs.select(Reading.list(logData, hadoop));
        if (loadedBefore && !settings.fullRefresh()) {
            Batch batch = input.unloaded(catalog, songs, logs, settings.reloadChanged());
            unchanged = batch.nothingNew();
            return batch;
        }
        // A batch of every log file reads the folder, as a Parquet lake's run does: given the files one by one,
        // Spark would look each up again (a request per file on a store) after the listing above.
        return new Batch(loadedBefore ? Batch.FULL_REFRESH : Batch.FULL, true, songs.read(), songs.skipped(), null,
                logs.skipped(), InputRecord.concat(songs.read(), logs.read()), songs.read().size(), List.of(),
                false, false);
    }

    /** The rejected records go into the lake's record of its input, with the batch's files (see {@link #write}). */
    @Override
    public void quarantine(Dataset<Row> rejected, long count) {
    }

    @Override
    public String keepFailed(Dataset<Row> rejected, String failedSummary) {
        TableWriter.json(rejected, lake.staging(runId) + "/" + Lake.REJECTED);
        return lake.keepFailed(runId);
    }

    @Override
    public void write(Batch batch, Extracted songs, Extracted events, Settings.Tuning tuning) {
        this.batch = batch;
        publication = new Publication(catalog, runId);
        tables = new IcebergTables(spark, catalog, publication, runId, batch.kind());
        Dataset<Row> records = songs.records().select(columns(Schemas.SONG));
        Dataset<Row> batchEvents = events.records().select(columns(Schemas.EVENT));
        prepare(records, batchEvents);
        if (batch.full()) {
            rebuild(records, batchEvents);
        } else {
            new IcebergMerge(spark, stages, tables, cached, figures).run(records, batchEvents, batch.reloadSongs(),
                    batch.reloadLogs());
        }
        input.record(tables, batch, songs, events, runId);
        for (String name : CHANGED) {
            IcebergTables.Counts counts = tables.counts(name);
            long[] wrote = figures.getOrDefault(name, new long[] {counts.added(), counts.deleted()});
            tablesNow.put(name, new RunRecord.TableFigures(name, counts.rows(), counts.rows() - counts.before(),
                    wrote[0], wrote[1], counts.snapshotId()));
            if (STAR.contains(name)) {
                rows.put(name, counts.rows());
            }
        }
    }

    /** Creates the tables a lake lacks, and adds the columns a lake written by an older version lacks. */
    private void prepare(Dataset<Row> records, Dataset<Row> events) {
        Dataset<Row> songplays = Songplays.from(events.withColumn(Events.ID, Events.id()), records);
        tables.prepare(Songs.NAME, Songs.from(records), Songs.PARTITIONS);
        tables.prepare(Artists.NAME, Artists.from(records), Artists.PARTITIONS);
        tables.prepare(Users.NAME, Users.from(events), Users.PARTITIONS);
        tables.prepare(Time.NAME, Time.from(songplays), Time.PARTITIONS);
        tables.prepare(Songplays.NAME, songplays, Songplays.PARTITIONS);
        tables.prepare(InputRecord.RECORDS, records, List.of());
        // In time order, each file of the record spans a stretch of time: a batch of one day then reads the
        // files of its own hours, not the whole record (see IcebergMerge).
        tables.prepare(InputRecord.EVENTS, events.withColumn(Events.ID, Events.id()), List.of(), "ts");
        tables.prepare(InputRecord.FILES, spark.createDataFrame(List.of(), InputRecord.FILE_COLUMNS), List.of());
        tables.prepare(InputRecord.REJECTED, spark.createDataFrame(List.of(), RecordParser.REJECTED)
                .withColumn("run_id", lit("")), List.of());
        tables.prepare(RunRecord.TABLE, spark.createDataFrame(List.of(), RunRecord.COLUMNS), List.of());
    }

    /** The first load, or --full-refresh: every table built from all the input, as a Parquet lake is. */
    private void rebuild(Dataset<Row> records, Dataset<Row> events) {
        Dataset<Row> distinct = Rebuild.run(stages, records, events, true, new Rebuild.Target() {
            @Override
            public long write(String name, Dataset<Row> table, List<String> partitions) {
                tables.replace(name, table);
                IcebergTables.Counts counts = tables.counts(name);
                figures.put(name, new long[] {counts.rows(), counts.before()});
                return counts.rows();
            }

            @Override
            public Dataset<Row> written(String name) {
                return tables.staged(name);
            }
        }, cached);
        stages.stage("record songs", () -> {
            tables.replace(InputRecord.RECORDS, records.distinct());
            return 0L;
        }, n -> "song records kept for later batches");
        stages.stage("record events", () -> {
            tables.replace(InputRecord.EVENTS, distinct);
            return 0L;
        }, n -> "events kept for later batches");
    }

    @Override
    public Map<String, Long> rows() {
        if (unchanged && rows.isEmpty()) {
            STAR.forEach(name -> rows.put(name, catalog.committedRows(name)));
        }
        return rows;
    }

    /**
     * The branches, and what the run changed on them when the tables were checked whole before (see
     * {@link #checkedBefore}). songs is one file per (year, artist) folder: reading 15,000 of them back cost
     * 50 s of a 70 s run. Its rows are checked as the run builds them, from the song records on the branch (a
     * few files); `sparkify-lake check` reads it from storage like the other tables.
     */
    @Override
    public CheckScope checkScope() {
        wholeChecked = batch.full() || !checkedBefore();
        Function<String, Dataset<Row>> source = name -> name.equals(Songs.NAME)
                ? Songs.from(tables.staged(InputRecord.RECORDS)) : tables.staged(name);
        return new CheckScope(source, wholeChecked ? null : name -> {
            if (name.equals(Songs.NAME)) {
                IcebergTables.Changed records = tables.changed(InputRecord.RECORDS);
                return new IcebergTables.Changed(Songs.from(records.added()), Songs.from(records.removed()));
            }
            return tables.changed(name);
        });
    }

    /**
     * Whether the tables are as a run that passed its checks left them, so that checking what this run changes
     * is checking the whole: the last recorded run checked its tables, and every table is still as it published
     * it (or as maintain compacted it: same rows). Not so after a run with --skip-checks, nor after another tool
     * changed a table's rows, nor on a lake with no record of its runs.
     */
    private boolean checkedBefore() {
        List<RunRecord.Entry> runs = RunRecord.read(catalog);
        if (runs.isEmpty() || runs.get(runs.size() - 1).checked().equals(RunRecord.CHECKS_SKIPPED)) {
            return false;
        }
        Map<String, RunRecord.TableFigures> last = RunRecord.byTable(runs.get(runs.size() - 1));
        for (String name : CHANGED) {
            RunRecord.TableFigures was = last.get(name);
            if (catalog.has(name) && (was == null || !RunRecord.current(catalog.table(name), was.snapshotId()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public LakeException checksFailed(List<String> failed, String failedSummary) {
        return new LakeException("The new tables failed " + failed.size() + " data-quality check(s), so they were "
                + "not published: every table of the lake is as it was.\n  " + String.join("\n  ", failed));
    }

    /** Records the run on its branch of the record of runs, then publishes every table's branch in {@link #ORDER}. */
    @Override
    public String publish(String summary, List<RunRecord.Check> checks) {
        String how = !settings.checks() ? RunRecord.CHECKS_SKIPPED
                : wholeChecked ? RunRecord.CHECKED_ALL : RunRecord.CHECKED_CHANGES;
        tables.append(RunRecord.TABLE, RunRecord.pending(spark, new RunRecord.Entry(runId, batch.kind(), started,
                null, how, List.copyOf(tablesNow.values()), checks,
                batch.loaded().stream().map(file -> file.path()).toList())));
        lake.beginPublishing();
        published = publication.publish(ORDER);
        return "tables published in " + lake.uri();
    }

    @Override
    public Map<String, TableSnapshot> snapshots() {
        Map<String, TableSnapshot> snapshots = new LinkedHashMap<>();
        if (unchanged) {
            for (String name : STAR) {
                Table table = catalog.table(name);
                if (table.currentSnapshot() != null) {
                    snapshots.put(name, new TableSnapshot(table.currentSnapshot().snapshotId(),
                            ((HasTableOperations) table).operations().current().metadataFileLocation(), 0, 0, 0));
                }
            }
            return snapshots;
        }
        if (published == null) {
            return snapshots;
        }
        rows.keySet().forEach(name -> {
            Publication.Published at = published.get(name);
            RunRecord.TableFigures figure = tablesNow.get(name);
            snapshots.put(name, new TableSnapshot(at == null ? 0 : at.snapshotId(),
                    at == null ? null : at.metadataFile(), figure.net(), figure.written(), figure.replaced()));
        });
        return snapshots;
    }

    /** The summary on disk is of the run before the one just finished: say what the lake is now. */
    @Override
    public void nothingNew(String summary) {
        if (finished != null) {
            lake.writeText(lake.uri() + "/" + Lake.RUN + "/" + Lake.SUMMARY, summary);
        }
    }

    /**
     * The branches hold everything the run wrote; without them it is as if it never ran. Not with the store gone:
     * Iceberg would retry each table's metadata 20 times, minutes in all, before this run could say so; the next
     * run drops them instead. Nor once it began to publish, which the next run then finishes.
     */
    @Override
    public Optional<LakeException> undo(Throwable failure) {
        if (publication != null && !StoreErrors.unreachable(failure)) {
            try {
                if (catalog.properties().get(Publication.PUBLISHING) == null) {
                    publication.abandon(ORDER);
                }
            } catch (RuntimeException cleanup) {
                // The next run drops them: the failure that got here is the one to report.
            }
        }
        return Optional.empty();
    }

    @Override
    public void release() {
        cached.forEach(Dataset::unpersist);
    }

    private static org.apache.spark.sql.Column[] columns(org.apache.spark.sql.types.StructType schema) {
        return java.util.Arrays.stream(schema.fieldNames()).map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new);
    }
}
