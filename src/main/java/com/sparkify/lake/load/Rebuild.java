package com.sparkify.lake.load;

import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.joins.BroadcastHashJoinExec;
import org.apache.spark.storage.StorageLevel;

import com.sparkify.lake.tables.Artists;
import com.sparkify.lake.tables.Events;
import com.sparkify.lake.tables.Songplays;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.Time;
import com.sparkify.lake.tables.Users;

/**
 * Every star table built from all the input: a Parquet lake's every run, an Iceberg lake's first one and its
 * --full-refresh. The kinds of lake differ only in how a table is written ({@link Target}).
 */
final class Rebuild {

    /** Where the rebuilt tables go. */
    interface Target {

        /** @return the rows written */
        long write(String name, Dataset<Row> rows, List<String> partitions);

        /** A table as written, read back. */
        Dataset<Row> written(String name);
    }

    private Rebuild() {
    }

    /**
     * @param keepEvents whether the distinct events are wanted afterwards (with their ids), and so kept in memory
     * @param cached     where what this keeps in memory is listed, for the run to let go of
     * @return the distinct events
     */
    static Dataset<Row> run(Stages stages, Dataset<Row> records, Dataset<Row> events, boolean keepEvents,
                            Target target, List<Dataset<Row>> cached) {
        // The repeated keys are counted once, before the two tables that need the distinct events: so the
        // count runs once, and Spark plans the de-duplication knowing how few they are (Events.distinct).
        Dataset<Row> repeated = Events.repeatedKeys(events).persist(StorageLevel.MEMORY_AND_DISK());
        cached.add(repeated);
        stages.stage("repeated events", repeated::count,
                n -> String.format(Locale.ROOT, "%,d events delivered more than once", n));
        Dataset<Row> distinct = Events.distinct(events, repeated);
        if (keepEvents) {
            distinct = distinct.withColumn(Events.ID, Events.id()).persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(distinct);
        } else if (!broadcasts(distinct)) {
            // With the repeated keys broadcast, the distinct events are the cached events minus a hash lookup:
            // users and songplays each recompute them for less than caching them again costs (5 M events:
            // "load users" 18.6 s with a cache of them, 4.1 s without). Too many repeated keys to broadcast
            // mean a shuffle join, which is done once and kept.
            distinct = distinct.persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(distinct);
        }
        load(stages, target, Songs.NAME, Songs.from(records), Songs.PARTITIONS);
        load(stages, target, Artists.NAME, Artists.from(records), Artists.PARTITIONS);
        load(stages, target, Users.NAME, Users.from(distinct), Users.PARTITIONS);
        load(stages, target, Songplays.NAME, Songplays.from(distinct, records), Songplays.PARTITIONS);
        // time needs only start_time, which the written songplays hold: reading that column back costs less
        // than building the fact table a second time.
        load(stages, target, Time.NAME, Time.from(target.written(Songplays.NAME)), Time.PARTITIONS);
        return distinct;
    }

    private static void load(Stages stages, Target target, String name, Dataset<Row> rows, List<String> partitions) {
        stages.stage("load " + name, () -> target.write(name, rows, partitions),
                written -> String.format(Locale.ROOT, "%,d rows", written));
    }

    private static boolean broadcasts(Dataset<Row> plan) {
        return plan.queryExecution().sparkPlan().find(node -> node instanceof BroadcastHashJoinExec).isDefined();
    }
}
