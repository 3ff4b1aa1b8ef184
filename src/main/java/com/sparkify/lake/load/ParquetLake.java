package com.sparkify.lake.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.extract.Extracted;
import com.sparkify.lake.tables.Songs;

/**
 * A lake of partitioned Parquet folders, rebuilt whole by every run from all the input. The run writes its
 * tables into a staging folder and publishes them by moving folders (on a local or HDFS lake); on an object
 * store, where a folder cannot be moved at once, it writes them in place and moves only its summary (see
 * {@link Lake}).
 */
public final class ParquetLake implements LakeKind {

    private final SparkSession spark;
    private final Stages stages;
    private final Lake lake;
    private final String runId;
    private final String staging;
    /** Rows per table, in the order written: also the order of publishing. */
    private final Map<String, Long> rows = new LinkedHashMap<>();
    private final List<Dataset<Row>> cached = new ArrayList<>();
    private Dataset<Row> songs;

    public ParquetLake(SparkSession spark, Stages stages, Lake lake, String runId) {
        this.spark = spark;
        this.stages = stages;
        this.lake = lake;
        this.runId = runId;
        this.staging = lake.staging(runId);
    }

    @Override
    public String format() {
        return Settings.Format.PARQUET.label();
    }

    /** Always all of it: a Parquet lake keeps no record of what it loaded. */
    @Override
    public Batch choose(String songData, String logData) {
        return Batch.everything(Batch.FULL);
    }

    @Override
    public void quarantine(Dataset<Row> rejected, long count) {
        // Nothing rejected, nothing written: a write of no rows leaves one empty part file (an upload on a
        // store), and the lake then has no _rejected/ at all.
        stages.stage("quarantine", () -> count == 0 ? 0L : TableWriter.json(rejected, staging + "/" + Lake.REJECTED),
                n -> n == 0 ? "nothing rejected, nothing kept" : n + " rejected records kept with file and reason");
    }

    @Override
    public String keepFailed(Dataset<Row> rejected, String failedSummary) {
        writeSummary(failedSummary);
        return lake.keepFailed(runId);
    }

    @Override
    public void write(Batch batch, Extracted songRecords, Extracted events, Settings.Tuning tuning) {
        // From here on nothing fails a run on purpose but the checks: on an object store the tables are now
        // written in place (Lake.tableTarget).
        Rebuild.run(stages, songRecords.records(), events.records(), false, new Rebuild.Target() {
            @Override
            public long write(String name, Dataset<Row> table, List<String> partitions) {
                long written = TableWriter.parquet(table, lake.tableTarget(runId, name), partitions,
                        tuning.filesPerPartition());
                rows.put(name, written);
                return written;
            }

            @Override
            public Dataset<Row> written(String name) {
                return spark.read().parquet(lake.tableTarget(runId, name));
            }
        }, cached);
        songs = Songs.from(songRecords.records());
    }

    @Override
    public Map<String, Long> rows() {
        return rows;
    }

    /**
     * The tables read back as written, but for songs: one file per (year, artist) folder, tens of thousands of
     * them, made reading it back cost more than all the rest of the run's checks. Its rows are checked as the
     * run wrote them, from the song records in memory; `sparkify-lake check` reads it from storage like the
     * others.
     */
    @Override
    public CheckScope checkScope() {
        String written = lake.stagesTables() ? staging : lake.uri();
        return new CheckScope(name -> name.equals(Songs.NAME) ? songs : Lake.table(spark, written, name), null);
    }

    /**
     * Where tables are staged, a lake that fails a check is not published; on an object store, where they were
     * written in place, the failure is reported all the same and the run exits non-zero, so a scheduler knows
     * the lake cannot be trusted.
     */
    @Override
    public LakeException checksFailed(List<String> failed, String failedSummary) {
        writeSummary(failedSummary);
        String where = lake.stagesTables()
                ? "They were not published: the lake at " + lake.uri() + " is unchanged, and the new tables are "
                + "kept in " + lake.keepFailed(runId) + "."
                : "They are already in place in " + lake.uri() + " (tables on an object store are written in "
                + "place): do not trust them until a run passes.";
        return new LakeException("The new tables failed " + failed.size() + " data-quality check(s):\n  "
                + String.join("\n  ", failed) + "\n" + where);
    }

    @Override
    public String publish(String summary, List<RunRecord.Check> checks) {
        writeSummary(summary);
        List<String> entries = new ArrayList<>(rows.keySet());
        entries.add(Lake.REJECTED);
        entries.add(Lake.RUN);
        lake.publish(runId, entries);
        return (lake.stagesTables() ? "tables moved into " : "tables written in place, summary moved into ")
                + lake.uri();
    }

    @Override
    public Map<String, TableSnapshot> snapshots() {
        return Map.of();
    }

    @Override
    public void nothingNew(String summary) {
        // Never: a Parquet lake reads all of its input on every run.
    }

    /** What a run that failed before publishing wrote is of no use, and on a full disk it is in the way. */
    @Override
    public Optional<LakeException> undo(Throwable failure) {
        boolean nothingPublished = lake.discard(runId);
        return lake.diskFull(failure).map(full -> new LakeException("Writing the lake failed: " + full + ". "
                + (nothingPublished ? "Nothing was published: the lake's tables are as they were, and what this "
                + "run wrote is removed." : "The next run puts back any table left out.") + " Free some space and "
                + "run etl again.", failure));
    }

    @Override
    public void release() {
        cached.forEach(Dataset::unpersist);
    }

    /** The summary goes out with the tables: one object written whole, on a store too. */
    private void writeSummary(String summary) {
        lake.writeText(staging + "/" + Lake.RUN + "/" + Lake.SUMMARY, summary);
    }
}
