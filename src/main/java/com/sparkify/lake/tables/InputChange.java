package com.sparkify.lake.tables;

import java.util.function.UnaryOperator;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * What a batch changes in the input a lake has loaded, as each table's merge rule reads it: the song records
 * and the events before and after the batch, and which of them differ. Pure Datasets: a test can build one
 * from hand-made rows.
 *
 * @param recordsBefore  the song records the lake had
 * @param recordsAfter   the song records after the batch
 * @param touchedRecords the song records new or gone with the batch
 * @param eventsBefore   the events the lake had, with their ids
 * @param eventsAfter    the events after the batch
 * @param spanBefore     the events the lake had within the batch's span of ts (all of them when unbounded)
 * @param spanAfter      the same span after the batch
 * @param changes        the batch's new or changed events
 * @param gone           the events no input file holds any more (a reloaded input)
 * @param removes        whether the batch takes anything away: an event or a song record no file holds
 * @param users          the users table as the lake has it
 * @param kept           computes rows now and plans from them (see the lake's merge): for the rows a rule
 *                       uses more than once
 */
public record InputChange(Dataset<Row> recordsBefore, Dataset<Row> recordsAfter, Dataset<Row> touchedRecords,
                          Dataset<Row> eventsBefore, Dataset<Row> eventsAfter, Dataset<Row> spanBefore,
                          Dataset<Row> spanAfter, Dataset<Row> changes, Dataset<Row> gone, boolean removes,
                          Dataset<Row> users,
                          UnaryOperator<Dataset<Row>> kept) {

    /** The events that differ, either way: what a table's affected rows are found by. */
    public Dataset<Row> touched() {
        return changes.unionByName(gone);
    }
}
