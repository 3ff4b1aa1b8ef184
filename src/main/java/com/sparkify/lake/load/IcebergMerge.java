package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.tables.Events;
import com.sparkify.lake.tables.InputChange;
import com.sparkify.lake.tables.Merge;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.StarSchema;
import com.sparkify.lake.tables.Users;

/**
 * A batch of new files merged into an Iceberg lake: what the batch changes in the lake's record of its input
 * (song records and events) is found first; then each star table's merge rule (in its own file) gives the rows
 * the batch may change, before and after, and only the difference is written. Both sides come from the record
 * of the input, not from the star tables, so nothing reads the songs table's many small files.
 */
final class IcebergMerge {

    private static final String SIDE = "side";

    private final SparkSession spark;
    private final Stages stages;
    private final IcebergTables tables;
    private final List<Dataset<Row>> cached;
    /** Per table, the rows written and the rows replaced. */
    private final Map<String, long[]> figures;

    IcebergMerge(SparkSession spark, Stages stages, IcebergTables tables, List<Dataset<Row>> cached,
                 Map<String, long[]> figures) {
        this.spark = spark;
        this.stages = stages;
        this.tables = tables;
        this.cached = cached;
        this.figures = figures;
    }

    void run(Dataset<Row> batchRecords, Dataset<Row> batchEvents, boolean reloadSongs, boolean reloadLogs) {
        Dataset<Row> recordsBefore = tables.current(InputRecord.RECORDS);
        Dataset<Row> now = reloadSongs ? keep(batchRecords.distinct()) : batchRecords.distinct();
        Dataset<Row> newRecords = stages.stage("compare songs", () -> keep(now.except(recordsBefore)),
                rows -> String.format(Locale.ROOT, "%,d song records new", rows.count()));
        // Every song file read again: the records the lake had that no file gives any more went with a changed file.
        Dataset<Row> goneRecords = reloadSongs ? keep(recordsBefore.except(now))
                : spark.createDataFrame(List.of(), recordsBefore.schema());
        Dataset<Row> recordsAfter = (reloadSongs ? recordsBefore.except(goneRecords) : recordsBefore)
                .unionByName(newRecords);
        InputChange change = eventsChange(recordsBefore, recordsAfter, newRecords.unionByName(goneRecords),
                !goneRecords.isEmpty(), keep(batchEvents), reloadLogs);
        long changedEvents = change.changes().count();
        for (StarSchema.Table table : StarSchema.TABLES) {
            merge(table.name(), table.key(), table.partitions(), table.merge().apply(change));
        }
        recordSongs(change, newRecords, goneRecords);
        recordEvents(change, changedEvents);
    }

    /** The batch's change to the events, and with it all a table's merge rule reads. */
    private InputChange eventsChange(Dataset<Row> recordsBefore, Dataset<Row> recordsAfter,
                                     Dataset<Row> touchedRecords, boolean recordsGone, Dataset<Row> batch,
                                     boolean reloadLogs) {
        Dataset<Row> eventsBefore = tables.current(InputRecord.EVENTS);
        Dataset<Row> spanBefore;
        Dataset<Row> changes;
        Dataset<Row> gone;
        if (reloadLogs) {
            // Every log file read again, each event once: what differs from the lake's record is the change,
            // new versions and events no file holds any more alike.
            Dataset<Row> now = keep(Events.distinct(batch).withColumn(Events.ID, Events.id())
                    .select(columns(eventsBefore)));
            spanBefore = eventsBefore;
            changes = stages.stage("compare events", () -> keep(now.except(eventsBefore)),
                    rows -> String.format(Locale.ROOT, "%,d events new or changed", rows.count()));
            gone = keep(eventsBefore.join(now.select(Events.ID), Events.ID, "left_anti").select(columns(eventsBefore)));
            stages.say(String.format(Locale.ROOT, "%-18s %,d events no input file holds any more", "", gone.count()));
        } else {
            // An event's id holds its ts, so the events a batch can replace, and the instants whose time rows it
            // can change, lie within the batch's own span of ts: read the record there only. The record is
            // written in ts order, so Iceberg skips every file outside that span by its min and max.
            spanBefore = Events.within(eventsBefore, Events.span(batch));
            Dataset<Row> within = spanBefore;
            changes = stages.stage("compare events",
                    () -> keep(Events.changes(within, batch).select(columns(eventsBefore))),
                    rows -> String.format(Locale.ROOT, "%,d events new or changed", rows.count()));
            gone = spark.createDataFrame(List.of(), eventsBefore.schema()).select(columns(eventsBefore));
        }
        Dataset<Row> eventsAfter = Events.after(reloadLogs
                ? eventsBefore.join(gone.select(Events.ID), Events.ID, "left_anti") : eventsBefore, changes);
        Dataset<Row> spanAfter = reloadLogs ? eventsAfter : Events.after(spanBefore, changes);
        return new InputChange(recordsBefore, recordsAfter, touchedRecords, eventsBefore, eventsAfter, spanBefore,
                spanAfter, changes, gone, recordsGone || !gone.isEmpty(), tables.current(Users.NAME), this::keep);
    }

    /** Writes the difference between a table's affected rows before and after the batch. */
    private void merge(String name, String key, List<String> partitions, Merge sides) {
        stages.stage("merge " + name, () -> {
            Dataset<Row> was = keep(sides.before());
            Dataset<Row> is = keep(sides.after());
            // One shuffle finds both sides of the difference: each row is counted -1 before and +1 after, and
            // a row that is the same on both sides adds up to 0. A key has one row per side at most.
            Column[] all = columns(sides.after());
            Dataset<Row> difference = keep(was.withColumn(SIDE, lit(-1)).unionByName(is.withColumn(SIDE, lit(1)))
                    .groupBy(all).agg(sum(col(SIDE)).as(SIDE)).where(col(SIDE).notEqual(0)));
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

    private void recordSongs(InputChange change, Dataset<Row> newRecords, Dataset<Row> goneRecords) {
        stages.stage("record songs", () -> {
            if (!goneRecords.isEmpty()) {
                // A record has no key of its own: the song ids that differ are written again whole.
                tables.delete(InputRecord.RECORDS, Songs.KEY, change.touchedRecords().select(Songs.KEY), List.of());
                tables.append(InputRecord.RECORDS, Songs.affected(change.recordsAfter(), change.touchedRecords()));
            } else if (!newRecords.isEmpty()) {
                tables.append(InputRecord.RECORDS, newRecords);
            }
            return newRecords.count();
        }, n -> String.format(Locale.ROOT, "%,d new song records kept", n));
    }

    private void recordEvents(InputChange change, long changedEvents) {
        stages.stage("record events", () -> {
            if (changedEvents > 0 || !change.gone().isEmpty()) {
                tables.delete(InputRecord.EVENTS, Events.ID, change.spanBefore().join(change.touched()
                        .select(Events.ID), Events.ID, "left_semi").select(Events.ID), List.of());
                if (changedEvents > 0) {
                    tables.append(InputRecord.EVENTS, change.changes());
                }
            }
            return changedEvents;
        }, n -> String.format(Locale.ROOT, "%,d new or changed events kept", n));
    }

    /**
     * Computes the rows now and keeps them, with a plan that starts from them. A batch's plans join the lake's
     * tables with themselves several times over; left whole, Spark spent seconds per query analysing them
     * (8 s before a 0.1 s job), more than the work.
     */
    private Dataset<Row> keep(Dataset<Row> rows) {
        Dataset<Row> kept = rows.localCheckpoint(true);
        cached.add(kept);
        return kept;
    }

    static Column[] columns(Dataset<Row> table) {
        return java.util.Arrays.stream(table.columns()).map(name -> col(name)).toArray(Column[]::new);
    }
}
