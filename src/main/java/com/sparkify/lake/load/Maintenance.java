package com.sparkify.lake.load;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.actions.DeleteOrphanFiles;
import org.apache.iceberg.actions.ExpireSnapshots;
import org.apache.iceberg.actions.RewriteDataFiles;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.spark.actions.SparkActions;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;

/**
 * Housekeeping of an Iceberg lake, which every incremental load makes a little untidier: old snapshots keep
 * files that no current table needs, each daily batch adds small files to the tables it appends to, and a run
 * that was killed leaves files that no snapshot names.
 *
 * <p>Each of Iceberg's three actions costs Spark jobs even when it finds nothing to do (on the sample's lake,
 * expiry and the orphan search took 25 of maintain's 33 s and found nothing). So each is run only when the
 * table's metadata, read on the driver, says it may have something to do; when it runs, it decides exactly as
 * before.
 */
public final class Maintenance {

    /**
     * The summary property of a compaction's snapshot: the id of the snapshot whose rows it holds, that is the
     * snapshot a run published. Once that one is expired, a query as of the run can read the compaction's.
     */
    public static final String SAME_ROWS_AS = "sparkify.same-rows-as";

    /** The tables a daily batch appends small files to: the fact table, time and the record of the input. */
    static final List<String> COMPACTED = List.of("songplays", "time", IcebergTables.INPUT_PREFIX + "events",
            IcebergTables.INPUT_PREFIX + "files", IcebergTables.INPUT_PREFIX + "rejected", RunRecord.TABLE);

    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private Maintenance() {
    }

    /**
     * What maintenance did to one table.
     *
     * @param compacted     false for a table maintenance does not compact (then the file counts are 0)
     * @param readableSince the earliest time whose rows of the table a snapshot it kept holds: its oldest
     *                      snapshot's, or earlier when a compaction kept a run's rows (see {@link #SAME_ROWS_AS});
     *                      null when the table has no snapshot or that time is not known
     */
    public record Done(String table, boolean compacted, long filesCompacted, long filesWritten,
                       int snapshotsExpired, long filesExpired, long orphansRemoved, Instant readableSince) {

        private static final String ROW = "%-16s %22s %19s %25s %22s";

        public String line() {
            String compaction = !compacted ? "not compacted"
                    : filesCompacted == 0 ? "nothing to compact"
                    : String.format(Locale.ROOT, "%,d → %,d", filesCompacted, filesWritten);
            return String.format(Locale.ROOT, ROW, table, compaction, String.format(Locale.ROOT, "%,d",
                    snapshotsExpired), String.format(Locale.ROOT, "%,d", filesExpired),
                    String.format(Locale.ROOT, "%,d", orphansRemoved));
        }

        public static String header() {
            return String.format(Locale.ROOT, ROW, "table", "data files compacted", "snapshots expired",
                    "files deleted with them", "orphan files deleted");
        }
    }

    /** What each column counts, in the terms of this run's retention: one line per column. */
    public static String legend(Duration retention, int keepLast) {
        String age = words(retention);
        return String.join(System.lineSeparator(),
                "data files compacted: a table's small data files rewritten as one file per partition (before → "
                        + "after); the rows stay the same.",
                "snapshots expired: versions of a table older than " + age + ", beyond the last " + keepLast
                        + " of each table; query --as-of can no longer read them.",
                "files deleted with them: the data and metadata files that only those snapshots used.",
                "orphan files deleted: files no snapshot names (left by killed runs), once older than " + age + ".");
    }

    /** The whole run in one sentence, from what each table's line says was done. */
    public static String summary(List<Done> done) {
        long compacted = 0;
        long written = 0;
        int tablesCompacted = 0;
        int snapshots = 0;
        long freed = 0;
        long orphans = 0;
        Instant unreadableBefore = null;
        for (Done table : done) {
            compacted += table.filesCompacted();
            written += table.filesWritten();
            tablesCompacted += table.filesCompacted() > 0 ? 1 : 0;
            snapshots += table.snapshotsExpired();
            freed += table.filesExpired();
            orphans += table.orphansRemoved();
            // A run published before the rows a table still holds finds no version of that table to read.
            if (table.snapshotsExpired() > 0 && table.readableSince() != null
                    && (unreadableBefore == null || table.readableSince().isAfter(unreadableBefore))) {
                unreadableBefore = table.readableSince();
            }
        }
        StringBuilder sentence = new StringBuilder();
        sentence.append(compacted == 0 ? "Compacted no files (no partition had more than one file)"
                : String.format(Locale.ROOT, "Compacted %s into %,d in %s", files(compacted), written,
                        plural(tablesCompacted, "table")));
        sentence.append(String.format(Locale.ROOT, ", expired %s (freeing %s), removed %s; ",
                plural(snapshots, "snapshot"), files(freed), plural(orphans, "orphan file")));
        if (snapshots == 0) {
            sentence.append("no snapshot was expired, so every run that could be read with --as-of still can.");
        } else if (unreadableBefore == null) {
            sentence.append("runs whose snapshots were expired can no longer be read with --as-of.");
        } else {
            sentence.append("runs published before ").append(UTC.format(unreadableBefore))
                    .append(" can no longer be read with --as-of.");
        }
        return sentence.toString();
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
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<Done> done = new ArrayList<>();
        for (String name : tables) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            boolean compacts = COMPACTED.contains(name);
            long compacted = 0;
            long written = 0;
            Snapshot current = table.currentSnapshot();
            if (compacts && current != null) {
                // Iceberg plans the rewrite on the driver and starts no Spark job when no partition has two files.
                RewriteDataFiles.Result rewrite = SparkActions.get(spark).rewriteDataFiles(table)
                        // Every partition with two files or more is rewritten into one file per partition.
                        .option(RewriteDataFiles.TARGET_FILE_SIZE_BYTES, String.valueOf(512L << 20))
                        .option("min-input-files", "2")
                        .snapshotProperty(SAME_ROWS_AS, sameRowsAs(current))
                        .execute();
                compacted = rewrite.rewrittenDataFilesCount();
                written = rewrite.addedDataFilesCount();
                table.refresh();
            }
            Map<Long, Long> committed = new HashMap<>();
            table.snapshots().forEach(snapshot -> committed.put(snapshot.snapshotId(), snapshot.timestampMillis()));
            int snapshotsExpired = 0;
            long filesExpired = 0;
            if (mayExpire(table, before, keepLast)) {
                int snapshotsBefore = count(table.snapshots());
                ExpireSnapshots.Result expired = SparkActions.get(spark).expireSnapshots(table)
                        .expireOlderThan(before).retainLast(keepLast).execute();
                table.refresh();
                snapshotsExpired = snapshotsBefore - count(table.snapshots());
                filesExpired = expired.deletedDataFilesCount() + expired.deletedManifestsCount()
                        + expired.deletedManifestListsCount();
            }
            long orphansRemoved = 0;
            if (mayHaveOrphans(table, before, hadoop)) {
                DeleteOrphanFiles.Result orphans = SparkActions.get(spark).deleteOrphanFiles(table)
                        .olderThan(before).execute();
                orphansRemoved = count(orphans.orphanFileLocations());
            }
            done.add(new Done(name, compacts, compacted, written, snapshotsExpired, filesExpired, orphansRemoved,
                    readableSince(table, committed)));
        }
        return done;
    }

    /** The snapshot whose rows a compaction of {@code current} keeps: the one a run published, through any
     *  compactions since. */
    static String sameRowsAs(Snapshot current) {
        String earlier = current.summary() == null ? null : current.summary().get(SAME_ROWS_AS);
        return earlier != null ? earlier : String.valueOf(current.snapshotId());
    }

    /**
     * The earliest time whose rows of the table one of its snapshots holds. A compaction holds the rows of the
     * snapshot it names; when that one's time is not in {@code committed} (expired by an earlier maintain) the
     * time is not known, and null is said rather than a later time that would claim too much.
     */
    static Instant readableSince(Table table, Map<Long, Long> committed) {
        Long since = null;
        for (Snapshot snapshot : table.snapshots()) {
            long at = snapshot.timestampMillis();
            String original = snapshot.summary() == null ? null : snapshot.summary().get(SAME_ROWS_AS);
            if (original != null) {
                Long then = committed.get(Long.parseLong(original));
                if (then == null) {
                    return null;
                }
                at = Math.min(at, then);
            }
            since = since == null ? at : Math.min(since, at);
        }
        return since == null ? null : Instant.ofEpochMilli(since);
    }

    /**
     * False only when expiry certainly finds nothing: every snapshot is younger than the cut-off or one of the
     * last {@code keepLast} of the table's main history. Anything else (an old snapshot of a branch a killed run
     * left, say) is for Iceberg's action to judge.
     */
    static boolean mayExpire(Table table, long before, int keepLast) {
        Set<Long> kept = new HashSet<>();
        Snapshot current = table.currentSnapshot();
        if (current != null) {
            for (Snapshot ancestor : SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) {
                if (kept.size() == keepLast) {
                    break;
                }
                kept.add(ancestor.snapshotId());
            }
        }
        for (Snapshot snapshot : table.snapshots()) {
            // At the cut-off itself, let Iceberg decide which side of it a snapshot falls.
            if (snapshot.timestampMillis() <= before && !kept.contains(snapshot.snapshotId())) {
                return true;
            }
        }
        return false;
    }

    /**
     * False only when no file under the table's location can be an orphan: none is older than the cut-off, or
     * each one that is is named by the table's metadata. Iceberg's action lists the location and reads every
     * manifest in Spark jobs (a second or more per table on one machine); here one listing and, only when old
     * files exist, the manifests on the driver. Any old file this does not find named (also one named under
     * another spelling of its path) sends the table to Iceberg's action, which decides as it always did.
     */
    static boolean mayHaveOrphans(Table table, long before, Configuration hadoop) {
        List<String> old = new ArrayList<>();
        Path root = new Path(table.location());
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
            while (files.hasNext()) {
                LocatedFileStatus file = files.next();
                if (file.getModificationTime() < before) {
                    old.add(key(file.getPath().toString()));
                }
            }
        } catch (FileNotFoundException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + root + ": " + e.getMessage(), e);
        }
        if (old.isEmpty()) {
            return false;
        }
        Set<String> named = named(table);
        return !named.containsAll(old);
    }

    /** Every file the table's metadata names: metadata files, manifest lists, manifests, data and delete files
     *  of every snapshot, statistics. */
    private static Set<String> named(Table table) {
        Set<String> named = new HashSet<>();
        ReachableFileUtil.metadataFileLocations(table, false).forEach(location -> named.add(key(location)));
        named.add(key(ReachableFileUtil.versionHintLocation(table)));
        ReachableFileUtil.manifestListLocations(table).forEach(location -> named.add(key(location)));
        ReachableFileUtil.statisticsFilesLocations(table).forEach(location -> named.add(key(location)));
        table.partitionStatisticsFiles().forEach(stats -> named.add(key(stats.path())));
        FileIO io = table.io();
        Map<Integer, PartitionSpec> specs = table.specs();
        Set<String> manifests = new HashSet<>();
        for (Snapshot snapshot : table.snapshots()) {
            for (ManifestFile manifest : snapshot.allManifests(io)) {
                if (!manifests.add(manifest.path())) {
                    continue;
                }
                named.add(key(manifest.path()));
                List<String> path = List.of(DataFile.FILE_PATH.name());
                try (CloseableIterable<? extends ContentFile<?>> contents = switch (manifest.content()) {
                    case DATA -> ManifestFiles.read(manifest, io, specs).select(path);
                    case DELETES -> ManifestFiles.readDeleteManifest(manifest, io, specs).select(path);
                }) {
                    contents.forEach(file -> named.add(key(file.location())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return named;
    }

    /** A file's location as scheme, authority and path, so that file:/x and file:///x are one file. */
    private static String key(String location) {
        URI uri = new Path(location).toUri();
        return (uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT)) + "|"
                + (uri.getAuthority() == null ? "" : uri.getAuthority()) + "|" + uri.getPath();
    }

    private static String files(long n) {
        return plural(n, "file");
    }

    private static String plural(long n, String noun) {
        return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
    }

    /** 7d as "7 days", 36h as "36 hours": as --retention was given. */
    static String words(Duration age) {
        long seconds = age.toSeconds();
        if (seconds > 0 && seconds % 86_400 == 0) {
            return plural(seconds / 86_400, "day");
        }
        if (seconds > 0 && seconds % 3_600 == 0) {
            return plural(seconds / 3_600, "hour");
        }
        if (seconds > 0 && seconds % 60 == 0) {
            return plural(seconds / 60, "minute");
        }
        return plural(seconds, "second");
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
