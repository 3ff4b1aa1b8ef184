package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.store.RequestsInFlight;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.extract.EventLog;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.extract.Fingerprints;
import com.sparkify.lake.extract.Inputs;
import com.sparkify.lake.extract.SongCatalog;
import com.sparkify.lake.extract.WholeFiles;

/**
 * What an Iceberg lake has loaded, kept in tables of its own beside the star: the input files (path, size,
 * time, fingerprint), the song records and the events. A run reads only the files not among them, and builds
 * what a batch changes from the records and events, not from the star tables.
 */
final class InputRecord {

    static final String FILES = IcebergTables.INPUT_PREFIX + "files";
    static final String RECORDS = IcebergTables.INPUT_PREFIX + "songs";
    static final String EVENTS = IcebergTables.INPUT_PREFIX + "events";
    static final String REJECTED = IcebergTables.REJECTED;

    static final StructType FILE_COLUMNS = new StructType()
            .add("path", DataTypes.StringType).add("input", DataTypes.StringType)
            .add("bytes", DataTypes.LongType).add("modified", DataTypes.TimestampType)
            .add("run_id", DataTypes.StringType)
            // What the file held (see Fingerprints): a file delivered again with the same bytes is not a change.
            .add("fingerprint", DataTypes.StringType);

    private final SparkSession spark;
    private final Stages stages;
    private final Configuration hadoop;
    private final RequestsInFlight requestsInFlight;

    InputRecord(SparkSession spark, Stages stages, RequestsInFlight requestsInFlight) {
        this.spark = spark;
        this.stages = stages;
        this.hadoop = spark.sparkContext().hadoopConfiguration();
        this.requestsInFlight = requestsInFlight;
    }

    /** Whether the lake has loaded anything: a first run loads everything. */
    static boolean loadedBefore(LakeCatalog catalog) {
        return catalog.has(FILES) && catalog.table(FILES).currentSnapshot() != null;
    }

    /**
     * The files of the listings the lake has not loaded, and the loaded ones that changed, which stop the run
     * unless they are to be reloaded.
     */
    Batch unloaded(LakeCatalog catalog, Inputs.Selection songs, Inputs.Selection logs, boolean reloadChanged) {
        Map<String, Row> loaded = new HashMap<>();
        spark.table(catalog.sparkName(FILES)).collectAsList().forEach(row -> loaded.put(row.getString(0), row));
        List<String> changed = new ArrayList<>();
        int[] again = new int[1];
        List<WholeFiles.Found> songsNew = unloaded(songs.read(), loaded, changed, again);
        int songsChanged = changed.size();
        List<WholeFiles.Found> logsNew = unloaded(logs.read(), loaded, changed, again);
        if (again[0] > 0) {
            stages.say(String.format(Locale.ROOT, "%-18s %,d file(s) delivered again with the content the lake "
                    + "loaded (new times, same bytes): not loaded again", "input again", again[0]));
        }
        String kind = changed.isEmpty() ? Batch.INCREMENTAL : reload(changed, reloadChanged);
        List<WholeFiles.Found> songsLoaded = concat(songsNew, songs.read().stream()
                .filter(f -> changed.contains(f.path())).toList());
        List<WholeFiles.Found> logsLoaded = concat(logsNew, logs.read().stream()
                .filter(f -> changed.contains(f.path())).toList());
        // Reloading a changed file reads every file of its input again: which of the lake's records came from
        // the old file alone, and which other files also delivered, only all of them tell.
        boolean reloadSongs = songsChanged > 0;
        boolean reloadLogs = changed.size() > songsChanged;
        return new Batch(kind, false, reloadSongs ? songs.read() : songsLoaded, songs.skipped(),
                reloadLogs ? null : logsLoaded, logs.skipped(), concat(songsLoaded, logsLoaded), songsLoaded.size(),
                List.copyOf(changed), reloadSongs, reloadLogs);
    }

    /** Changed files are an error that names them, unless --reload-changed asked for them to be read again. */
    private String reload(List<String> changed, boolean reloadChanged) {
        String named = String.join(", ", changed.subList(0, Math.min(5, changed.size())))
                + (changed.size() > 5 ? " and " + (changed.size() - 5) + " more" : "");
        if (!reloadChanged) {
            throw new LakeException(String.format(Locale.ROOT, "%,d input file(s) changed since the lake loaded "
                    + "them: %s. Their old rows are in the lake. Load them again with --reload-changed (their old "
                    + "rows give way to their new ones; the rest stays), restore the files, or rebuild from all the "
                    + "input with --full-refresh.", changed.size(), named));
        }
        stages.say(String.format(Locale.ROOT, "%-18s %,d changed file(s) loaded again: %s", "reload changed",
                changed.size(), named));
        return Batch.RELOAD;
    }

    /**
     * The files the lake has not loaded. A file it loaded is not loaded again when its bytes are those it loaded:
     * the same size and time, or, when the time moved (delivered again), the same fingerprint, counted in
     * {@code again}. Any other loaded file has changed: its rows are in the lake as they were. Its path goes to
     * {@code changed}.
     */
    private List<WholeFiles.Found> unloaded(List<WholeFiles.Found> found, Map<String, Row> loaded,
                                            List<String> changed, int[] again) {
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
                if (was != null && was.equals(Fingerprints.of(file, hadoop))) {
                    again[0]++;
                } else {
                    changed.add(file.path());
                }
            }
        }
        return fresh;
    }

    /** Records the batch's files as loaded, with their fingerprints, and keeps its rejected records. */
    void record(IcebergTables tables, Batch batch, Extracted songs, Extracted events, String runId) {
        List<WholeFiles.Found> all = batch.loaded();
        stages.stage("record input", () -> {
            Dataset<Row> files = fileRows(all, batch.songsLoaded(), runId);
            Dataset<Row> rejected = songs.rejected().unionByName(events.rejected()).withColumn("run_id", lit(runId));
            if (!batch.reloaded().isEmpty()) {
                // Every file of a reloaded input was read again: the others' rejected lines are kept already.
                rejected = rejected.where(normalised(col("file")).isin(all.stream()
                        .map(f -> normalised(f.path())).toArray()));
            }
            if (batch.full()) {
                tables.replace(FILES, files);
            } else {
                if (!batch.reloaded().isEmpty()) {
                    tables.delete(FILES, "path", spark.createDataFrame(batch.reloaded().stream()
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
    }

    private Dataset<Row> fileRows(List<WholeFiles.Found> files, int songFiles, String runId) {
        Map<String, String> fingerprints = Fingerprints.of(files, hadoop, requestsInFlight.now());
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            WholeFiles.Found file = files.get(i);
            rows.add(RowFactory.create(file.path(), i < songFiles ? SongCatalog.FOLDER : EventLog.FOLDER,
                    file.length(), Instant.ofEpochMilli(file.modified()), runId, fingerprints.get(file.path())));
        }
        return spark.createDataFrame(rows, FILE_COLUMNS);
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

    static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }
}
