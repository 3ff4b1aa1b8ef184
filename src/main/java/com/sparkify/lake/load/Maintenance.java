package com.sparkify.lake.load;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;

/**
 * Housekeeping of an Iceberg lake, which every incremental load makes a little untidier: old snapshots keep
 * files that no current table needs, each daily batch adds small files to the tables it appends to, and a run
 * that was killed leaves files that no snapshot names.
 */
public final class Maintenance {

    /** The tables a daily batch appends small files to: the fact table, time and the record of the input. */
    static final List<String> COMPACTED = List.of("songplays", "time", IcebergTables.INPUT_PREFIX + "events",
            IcebergTables.INPUT_PREFIX + "files", IcebergTables.INPUT_PREFIX + "rejected");

    /** A compaction's snapshot names the snapshot whose rows it keeps (the one a run published): a run stays
     *  readable --as-of through it once the original is expired. */
    public static final String SAME_ROWS_AS = "sparkify.same-rows-as";

    private Maintenance() {
    }

    /** What maintenance did to one table. */
    public record Done(String table, int snapshotsExpired, long filesExpired, long filesCompacted,
                       long filesWritten, long orphansRemoved) {

        public String line() {
            return String.format(Locale.ROOT, "%-18s %,9d %,13d %,10d → %,5d %,9d", table, snapshotsExpired,
                    filesExpired, filesCompacted, filesWritten, orphansRemoved);
        }

        public static String header() {
            return String.format(Locale.ROOT, "%-18s %9s %13s %18s %9s", "table", "snapshots", "files freed",
                    "files compacted", "orphans");
        }
    }

    /**
     * @param retention snapshots older than this are expired (at least {@code keepLast} stay), and files no
     *                  snapshot names are removed once older than this (younger ones may be a run's in progress)
     */
    public static List<Done> run(SparkSession spark, LakeCatalog catalog, List<String> tables, Duration retention,
                                 int keepLast) {
        if (catalog.properties().get(Publication.PUBLISHING) != null) {
            throw new LakeException("A run is publishing into " + catalog.lake() + " or was stopped while it did: "
                    + "run etl to finish it, then maintain.");
        }
        long before = Instant.now().minus(retention).toEpochMilli();
        List<Done> done = new ArrayList<>();
        for (String name : tables) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            long compacted = 0;
            long written = 0;
            if (COMPACTED.contains(name) && table.currentSnapshot() != null) {
                RewriteDataFiles.Result rewrite = SparkActions.get(spark).rewriteDataFiles(table)
                        // Every partition with two files or more is rewritten into one file per partition.
                        .option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, String.valueOf(512L << 20))
                        .option("min-input-files", "2")
                        .execute();
                compacted = rewrite.rewrittenDataFilesCount();
                written = rewrite.addedDataFilesCount();
                table.refresh();
            }
            int snapshotsBefore = count(table.snapshots());
            ExpireSnapshots.Result expired = SparkActions.get(spark).expireSnapshots(table)
                    .expireOlderThan(before).retainLast(keepLast).execute();
            table.refresh();
            int snapshotsExpired = snapshotsBefore - count(table.snapshots());
            DeleteOrphanFiles.Result orphans = SparkActions.get(spark).deleteOrphanFiles(table).olderThan(before)
                    .execute();
            long orphansRemoved = 0;
            for (var ignored : orphans.orphanFileLocations()) {
                orphansRemoved++;
            }
            done.add(new Done(name, snapshotsExpired, expired.deletedDataFilesCount()
                    + expired.deletedManifestsCount() + expired.deletedManifestListsCount(), compacted, written,
                    orphansRemoved));
        }
        return done;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
