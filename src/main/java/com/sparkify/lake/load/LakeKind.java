package com.sparkify.lake.load;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.extract.Extracted;

/**
 * What differs between kinds of lake, for one run: the run itself (pipeline.Pipeline) is the same sequence for
 * all of them. A Parquet lake is rebuilt from all the input and published by moving folders
 * ({@link ParquetLake}); an Iceberg lake loads only what it has not loaded and publishes branches
 * ({@link IcebergLake}). A third kind is a third class.
 */
public interface LakeKind {

    /** The kind as the run's summary names it (Settings.Format's label). */
    String format();

    /** What this run must read: the whole input, or the files the lake has not loaded yet. */
    Batch choose(String songData, String logData);

    /** Keeps the batch's rejected records, each with its file and reason, where this kind of lake keeps them. */
    void quarantine(Dataset<Row> rejected, long count);

    /**
     * Sets a failed run's rejected records (and its summary) aside, the lake's tables left as they were.
     *
     * @return where they are
     */
    String keepFailed(Dataset<Row> rejected, String failedSummary);

    /** Writes the run's tables: a rebuild from all the input, or a merge of the batch into what the lake has. */
    void write(Batch batch, Extracted songs, Extracted events, Settings.Tuning tuning);

    /** Rows per star table: after {@link #write}, or as the lake has them when the run had nothing to read. */
    Map<String, Long> rows();

    /** How the checks see the run's tables. */
    CheckScope checkScope();

    /** The run's failure when its tables failed their checks, saying where they are and what the lake holds. */
    LakeException checksFailed(List<String> failed, String failedSummary);

    /**
     * Makes the run's tables the lake's, all together.
     *
     * @param summary the run's summary as it stands
     * @param checks  the checks' outcomes, kept in the lake's record of runs where it has one
     * @return what the publish stage says
     */
    String publish(String summary, List<RunRecord.Check> checks);

    /** Per star table, the snapshot the run published and its figures (or has now); empty for a Parquet lake. */
    Map<String, TableSnapshot> snapshots();

    /** The lake's own summary of a run that had nothing to read, where it must be written again. */
    void nothingNew(String summary);

    /**
     * Undoes what a failed run wrote, where this kind can.
     *
     * @return a clearer failure to report instead of {@code failure}, if there is one
     */
    Optional<LakeException> undo(Throwable failure);

    /** Lets go of what the run kept in memory. */
    void release();
}
