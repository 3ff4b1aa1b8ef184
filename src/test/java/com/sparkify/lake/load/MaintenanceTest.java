package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.pipeline.IncrementalLoadTest;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/**
 * Maintenance of an Iceberg lake loaded in two batches, each step checked against the tables' metadata before
 * and after: what it compacted and expired, the snapshot each compaction says it has the rows of, the files it
 * deleted, and the summary's figures. The steps build on each other, in order.
 */
@Tag("slow")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceTest {

    @TempDir
    static Path work;

    static Path lake;
    static LakeCatalog catalog;
    static List<String> tables;

    @BeforeAll
    static void loadTwoBatches() {
        List<String> names = IncrementalLoadTest.WORLD.names();
        Path input = IncrementalLoadTest.WORLD.writeTo(work.resolve("input"), names.subList(0, 3));
        lake = work.resolve("lake");
        Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
        IncrementalLoadTest.WORLD.writeTo(input, names.subList(3, names.size()));
        Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
        SparkSession spark = TestSpark.session();
        catalog = LakeCatalog.open(spark, LakeCatalog.qualified(lake.toString(),
                spark.sparkContext().hadoopConfiguration()), LakeConfig.none(), false);
        // As maintain has them.
        tables = new ArrayList<>(LakeTables.NAMES);
        for (String recorded : List.of("songs", "events", "files", "rejected")) {
            tables.add(IcebergTables.INPUT_PREFIX + recorded);
        }
    }

    @Test
    @Order(1)
    void aCompactionKeepsTheRowsAndNamesTheSnapshotItHasThemOf() throws IOException {
        Map<String, List<Row>> rows = rows();
        Map<String, Long> published = new HashMap<>();
        Map<String, Map<String, Integer>> files = new HashMap<>();
        Map<String, Integer> snapshots = new HashMap<>();
        for (String name : tables) {
            Table table = catalog.table(name);
            published.put(name, table.currentSnapshot().snapshotId());
            files.put(name, filesPerPartition(table));
            snapshots.put(name, count(table.snapshots()));
        }
        // The second batch added a file to time's one month: without one to compact the test proves little.
        assertTrue(files.get("time").values().stream().anyMatch(n -> n >= 2), files.toString());
        // A killed run's file, old enough to go, and one a run could be writing now.
        Path old = orphan("songplays", Instant.parse("2001-01-01T00:00:00Z"));
        Path young = orphan("songplays", Instant.now());

        List<Maintenance.Done> done = Maintenance.run(TestSpark.session(), catalog, tables, Duration.ofDays(7), 5);

        long compactedFiles = 0;
        long writtenFiles = 0;
        int compactedTables = 0;
        for (String name : tables) {
            Table table = catalog.table(name);
            Maintenance.Done did = done(done, name);
            long crowded = 0;
            long partitions = 0;
            if (Maintenance.COMPACTED.contains(name)) {
                for (int n : files.get(name).values()) {
                    crowded += n >= 2 ? n : 0;
                    partitions += n >= 2 ? 1 : 0;
                }
            }
            assertEquals(crowded, did.filesCompacted(), name);
            assertEquals(partitions, did.filesWritten(), name);
            if (crowded > 0) {
                Snapshot compaction = table.currentSnapshot();
                assertEquals("replace", compaction.operation(), name);
                assertEquals(String.valueOf(published.get(name)), compaction.summary().get(Maintenance.SAME_ROWS_AS),
                        name);
                assertEquals(String.valueOf(crowded), compaction.summary().get("deleted-data-files"), name);
                assertEquals(String.valueOf(partitions), compaction.summary().get("added-data-files"), name);
                assertTrue(filesPerPartition(table).values().stream().allMatch(n -> n == 1), name);
                compactedTables++;
            } else {
                assertEquals(published.get(name), table.currentSnapshot().snapshotId(), name);
            }
            // Nothing is a week old: nothing expires.
            assertEquals(0, did.snapshotsExpired(), name);
            assertEquals(snapshots.get(name) + (crowded > 0 ? 1 : 0), count(table.snapshots()), name);
            compactedFiles += crowded;
            writtenFiles += partitions;
        }
        assertEquals(rows, rows());
        assertFalse(Files.exists(old), "the old orphan is deleted");
        assertTrue(Files.exists(young), "a file younger than the retention may be a run's: it stays");
        Files.delete(young);

        Figures said = Figures.of(Maintenance.summary(done));
        assertEquals(new Figures(compactedFiles, writtenFiles, compactedTables, 0, 0, 1), said);
        assertTrue(Maintenance.summary(done).endsWith("every run that could be read with --as-of still can."),
                Maintenance.summary(done));
    }

    @Test
    @Order(2)
    void aSecondCompactionStillNamesTheSnapshotARunPublished() throws Exception {
        String name = "time";
        Table table = catalog.table(name);
        String original = table.currentSnapshot().summary().get(Maintenance.SAME_ROWS_AS);
        assertNotNull(original, "time was compacted by the first step");
        Map<String, List<Row>> rows = rows();

        // A compaction that left two files in a partition (as one of a month too big for a single file would):
        // the same rows rewritten in two files, under a snapshot that names the same original.
        String sparkName = catalog.sparkName(name);
        String[] partitionColumns = table.spec().fields().stream().map(field -> field.name()).toArray(String[]::new);
        TestSpark.session().table(sparkName).repartition(2)
                .sortWithinPartitions(Arrays.stream(partitionColumns).map(functions::col).toArray(Column[]::new))
                .writeTo(sparkName).option("distribution-mode", "none")
                .option("snapshot-property." + Maintenance.SAME_ROWS_AS, original).overwritePartitions();
        table.refresh();
        long partial = table.currentSnapshot().snapshotId();
        assertTrue(filesPerPartition(table).values().stream().anyMatch(n -> n >= 2), "two files in a month");

        List<Maintenance.Done> done = Maintenance.run(TestSpark.session(), catalog, tables, Duration.ofDays(7), 5);

        table.refresh();
        Snapshot second = table.currentSnapshot();
        assertNotEquals(partial, second.snapshotId(), "compacted again");
        assertEquals("replace", second.operation());
        assertEquals(original, second.summary().get(Maintenance.SAME_ROWS_AS), "the run's snapshot, not the "
                + "compaction's that went before");
        assertEquals(rows, rows());
        Figures said = Figures.of(Maintenance.summary(done));
        assertEquals(Long.parseLong(second.summary().get("deleted-data-files")), said.compacted());
        assertEquals(1, said.tables());
    }

    @Test
    @Order(3)
    void expiryDeletesTheFilesOnlyExpiredSnapshotsNamedAndSaysWhichRunsAreGone() throws IOException {
        Map<String, List<Row>> rows = rows();
        Map<String, Set<String>> onlyExpired = new HashMap<>();
        Map<String, Integer> snapshots = new HashMap<>();
        Map<String, Map<Long, Snapshot>> before = new HashMap<>();
        for (String name : tables) {
            Table table = catalog.table(name);
            snapshots.put(name, count(table.snapshots()));
            Map<Long, Snapshot> byId = new HashMap<>();
            table.snapshots().forEach(snapshot -> byId.put(snapshot.snapshotId(), snapshot));
            before.put(name, byId);
            // With --keep-last 1 and no retention, only the current snapshot stays (nothing is left to compact).
            Set<String> gone = new HashSet<>();
            for (Snapshot snapshot : table.snapshots()) {
                if (snapshot.snapshotId() != table.currentSnapshot().snapshotId()) {
                    gone.addAll(named(table, snapshot));
                }
            }
            gone.removeAll(named(table, table.currentSnapshot()));
            onlyExpired.put(name, gone);
        }
        Path old = orphan("songplays", Instant.parse("2001-01-01T00:00:00Z"));

        List<Maintenance.Done> done = Maintenance.run(TestSpark.session(), catalog, tables, Duration.ZERO, 1);

        int expired = 0;
        long freed = 0;
        Instant unreadableBefore = null;
        for (String name : tables) {
            Table table = catalog.table(name);
            Maintenance.Done did = done(done, name);
            assertEquals(0, did.filesCompacted(), name);
            assertEquals(1, count(table.snapshots()), name);
            assertEquals(snapshots.get(name) - 1, did.snapshotsExpired(), name);
            assertEquals(onlyExpired.get(name).size(), did.filesExpired(), name + ": " + onlyExpired.get(name));
            for (String file : onlyExpired.get(name)) {
                assertFalse(Files.exists(Path.of(java.net.URI.create(file))), file);
            }
            expired += did.snapshotsExpired();
            freed += did.filesExpired();
            if (did.snapshotsExpired() > 0) {
                // The kept snapshot has the rows of the one a run published, whose time that is.
                Snapshot kept = table.currentSnapshot();
                String original = kept.summary().get(Maintenance.SAME_ROWS_AS);
                Snapshot rowsOf = original == null ? kept : before.get(name).get(Long.parseLong(original));
                Instant since = Instant.ofEpochMilli(rowsOf.timestampMillis());
                unreadableBefore = unreadableBefore == null || since.isAfter(unreadableBefore) ? since
                        : unreadableBefore;
            }
        }
        assertTrue(expired > 0 && freed > 0, "two runs and compactions leave snapshots to expire");
        assertFalse(Files.exists(old), "the orphan is deleted");
        assertEquals(rows, rows());

        String summary = Maintenance.summary(done);
        assertEquals(new Figures(0, 0, 0, expired, freed, 1), Figures.of(summary));
        Matcher time = Pattern.compile("runs published before (.+ UTC) can no longer be read with --as-of\\.$")
                .matcher(summary);
        assertTrue(time.find(), summary);
        assertEquals(unreadableBefore.truncatedTo(ChronoUnit.SECONDS), Instant.from(DateTimeFormatter
                .ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC).parse(time.group(1))), summary);
    }

    /** The figures of maintain's one-line summary. */
    record Figures(long compacted, long written, int tables, int snapshots, long freed, long orphans) {

        private static final Pattern SENTENCE = Pattern.compile("Compacted (?:no files \\(.*?\\)|([\\d,]+) files? "
                + "into ([\\d,]+) in ([\\d,]+) tables?), expired ([\\d,]+) snapshots? \\(freeing ([\\d,]+) files?\\), "
                + "removed ([\\d,]+) orphan files?; .*");

        static Figures of(String summary) {
            Matcher m = SENTENCE.matcher(summary);
            assertTrue(m.matches(), summary);
            return new Figures(number(m.group(1)), number(m.group(2)), (int) number(m.group(3)),
                    (int) number(m.group(4)), number(m.group(5)), number(m.group(6)));
        }

        private static long number(String figure) {
            return figure == null ? 0 : Long.parseLong(figure.replace(",", ""));
        }
    }

    private static Maintenance.Done done(List<Maintenance.Done> done, String table) {
        return done.stream().filter(d -> d.table().equals(table)).findFirst().orElseThrow();
    }

    /** Every maintained table's rows, in a fixed order. */
    private static Map<String, List<Row>> rows() {
        Map<String, List<Row>> rows = new LinkedHashMap<>();
        for (String name : tables) {
            Dataset<Row> table = TestSpark.session().table(catalog.sparkName(name));
            rows.put(name, table.orderBy(Arrays.stream(table.columns()).map(functions::col).toArray(Column[]::new))
                    .collectAsList());
        }
        return rows;
    }

    /** How many data files each partition of the table's current snapshot has. */
    private static Map<String, Integer> filesPerPartition(Table table) {
        Map<String, Integer> files = new HashMap<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                files.merge(table.specs().get(task.file().specId()).partitionToPath(task.file().partition()), 1,
                        Integer::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The manifest list, manifests and data files a snapshot names. */
    private static Set<String> named(Table table, Snapshot snapshot) {
        Set<String> named = new HashSet<>();
        named.add(snapshot.manifestListLocation());
        for (ManifestFile manifest : snapshot.allManifests(table.io())) {
            named.add(manifest.path());
            assertEquals(ManifestContent.DATA, manifest.content(), "copy-on-write tables have no delete files");
            try (CloseableIterable<DataFile> files = ManifestFiles.read(manifest, table.io(), table.specs())) {
                files.forEach(file -> named.add(file.location()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return named;
    }

    /** A file in the table's data folder that no snapshot names, last written at {@code at}. */
    private static Path orphan(String table, Instant at) throws IOException {
        Path data = Path.of(java.net.URI.create(catalog.table(table).location())).resolve("data");
        Path file = Files.write(data.resolve("killed-run-" + at.toEpochMilli() + ".parquet"), new byte[] {1});
        Files.setLastModifiedTime(file, FileTime.from(at));
        return file;
    }

    private static int count(Iterable<?> items) {
        int n = 0;
        for (Object ignored : items) {
            n++;
        }
        return n;
    }
}
