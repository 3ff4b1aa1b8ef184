package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.CommitMetadata;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.NoSuchTableException;
import org.apache.spark.sql.types.StructType;

import com.sparkify.lake.LakeException;

/**
 * Writing a run's changes into the lake's Iceberg tables, on the run's branch (see {@link Publication}). Every
 * snapshot a run makes carries the run's id and kind in its summary: {@code history} and {@code --as-of} read
 * them back.
 */
public final class IcebergTables {

    /** The tables that record what the lake has loaded are named with this prefix (and kept in _input/). */
    public static final String INPUT_PREFIX = "input_";

    /** Where an Iceberg lake keeps the records its runs rejected, with file and reason. */
    public static final String REJECTED = INPUT_PREFIX + "rejected";
    public static final String RUN_ID = "sparkify.run-id";
    public static final String RUN_KIND = "sparkify.run-kind";

    /** Past this many keys to delete, they go to the delete as a join instead of a list in its condition. */
    private static final int LISTED_KEYS = 1_000;

    private final SparkSession spark;
    private final LakeCatalog catalog;
    private final Publication publication;
    private final Map<String, String> commitProperties;

    public IcebergTables(SparkSession spark, LakeCatalog catalog, Publication publication, String runId,
                         String kind) {
        this.spark = spark;
        this.catalog = catalog;
        this.publication = publication;
        this.commitProperties = Map.of(RUN_ID, runId, RUN_KIND, kind);
    }

    /** Opens the run's branch of the table, making the table if the lake lacks it. */
    public Table prepare(String name, Dataset<Row> shape, List<String> partitions) {
        return prepare(name, shape, partitions, null);
    }

    /**
     * @param sortedBy a column every write of the table sorts its rows by (Iceberg's sort order), so that each
     *                 file holds a narrow range of it and a read filtered on it skips the other files by their
     *                 min and max; null for none. A table made before the order was set keeps its old files.
     */
    public Table prepare(String name, Dataset<Row> shape, List<String> partitions, String sortedBy) {
        Table table = catalog.table(name, shape.schema(), partitions);
        catalog.keepRequestsInFlight(table);
        addMissingColumns(table, shape.schema());
        if (sortedBy != null && table.sortOrder().isUnsorted()) {
            table.replaceSortOrder().asc(sortedBy).commit();
            // Small files and row groups, each a short stretch of the order: a filter then skips all but a
            // few (a 5 M-event record written at the default sizes was three files, each half of the time).
            table.updateProperties()
                    .set(org.apache.iceberg.TableProperties.WRITE_TARGET_FILE_SIZE_BYTES, String.valueOf(16L << 20))
                    .set(org.apache.iceberg.TableProperties.PARQUET_ROW_GROUP_SIZE_BYTES, String.valueOf(4L << 20))
                    .commit();
        }
        publication.open(table);
        return table;
    }

    /** A lake made by an earlier version lacks the columns added since: they are added, empty for old rows. */
    private static void addMissingColumns(Table table, StructType columns) {
        org.apache.iceberg.UpdateSchema update = null;
        for (org.apache.spark.sql.types.StructField field : columns.fields()) {
            if (table.schema().findField(field.name()) == null) {
                update = update == null ? table.updateSchema() : update;
                update.addColumn(field.name(), org.apache.iceberg.spark.SparkSchemaUtil.convert(field.dataType()));
            }
        }
        if (update != null) {
            update.commit();
            table.refresh();
        }
    }

    /** Replaces every row of the table (on the run's branch) by {@code rows}. */
    public void replace(String name, Dataset<Row> rows) {
        committing(name, () -> {
            writer(name, rows).overwrite(lit(true));
            return null;
        });
    }

    public void append(String name, Dataset<Row> rows) {
        committing(name, () -> {
            writer(name, rows).append();
            return null;
        });
    }

    /**
     * Rows of one partition go to one task, as Iceberg's own distribution would send them, but over as many
     * tasks as there are shuffle partitions: Iceberg's leaves the count to adaptive execution, which put all
     * of `songs` (15,000 rows, 12,900 partition files) in one task. On a store at 20 ms that task took a round
     * trip per file, one after another, while the other core waited (367 s of a 434 s run).
     */
    private DataFrameWriterV2<Row> writer(String name, Dataset<Row> rows) {
        List<String> partitions = new ArrayList<>();
        catalog.table(name).spec().fields().forEach(field -> partitions.add(field.name()));
        if (partitions.isEmpty()) {
            return rows.writeTo(onBranch(name));
        }
        int writers = Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions"));
        return rows.repartition(writers, partitions.stream().map(c -> col(c)).toArray(Column[]::new))
                .writeTo(onBranch(name)).option("distribution-mode", "none");
    }

    /**
     * Deletes the rows whose {@code key} is among {@code keys}. A copy-on-write delete rewrites each file that
     * holds one of them; the partitions the old rows sit in narrow the files it reads to those.
     *
     * @param keys       one column, {@code key}: the keys to delete (collected: they are a batch's changes)
     * @param partitions the table's partition columns, present in {@code keys} with the old rows' values
     */
    public long delete(String name, String key, Dataset<Row> keys, List<String> partitions) {
        List<Row> found = keys.select(columns(key, partitions)).distinct().collectAsList();
        if (found.isEmpty()) {
            return 0;
        }
        String partitionFilter = partitionCondition(found, partitions);
        if (found.size() <= LISTED_KEYS) {
            String listed = key + " IN (" + String.join(", ", found.stream().map(row -> literal(row.get(0)))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new))) + ")";
            committing(name, () -> spark.sql("DELETE FROM " + onBranch(name) + " WHERE " + listed
                    + partitionFilter));
            return found.size();
        }
        // Keys listed in a condition cost the optimizer by their number: many go through a semi join, against
        // a copy made here so that the delete does not read the batch's plan again.
        String view = "deleted_" + name + "_" + Long.toHexString(System.nanoTime());
        spark.createDataFrame(found, keys.select(columns(key, partitions)).schema()).select(col(key))
                .createOrReplaceTempView(view);
        try {
            committing(name, () -> spark.sql("DELETE FROM " + onBranch(name) + " WHERE " + key + " IN (SELECT " + key
                    + " FROM " + view + ")" + partitionFilter));
        } finally {
            spark.catalog().dropTempView(view);
        }
        return found.size();
    }

    /** {@code AND ((year = 2018 AND month = 11) OR ...)} over the partitions the keys' rows are in. */
    private static String partitionCondition(List<Row> found, List<String> partitions) {
        if (partitions.isEmpty()) {
            return "";
        }
        Set<String> each = new java.util.TreeSet<>();
        for (Row row : found) {
            StringBuilder one = new StringBuilder("(");
            for (int i = 0; i < partitions.size(); i++) {
                Object value = row.get(i + 1);
                one.append(i == 0 ? "" : " AND ").append(partitions.get(i))
                        .append(value == null ? " IS NULL" : " = " + literal(value));
            }
            each.add(one.append(')').toString());
        }
        return " AND (" + String.join(" OR ", each) + ")";
    }

    /** A value as Spark SQL spells it: the keys are strings from the input, quotes and backslashes included. */
    static String literal(Object value) {
        if (value instanceof Number) {
            return value.toString();
        }
        if (value instanceof java.time.Instant instant) {
            return "TIMESTAMP '" + instant + "'";
        }
        return "'" + value.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Column[] columns(String key, List<String> partitions) {
        Column[] all = new Column[partitions.size() + 1];
        all[0] = col(key);
        for (int i = 0; i < partitions.size(); i++) {
            all[i + 1] = col(partitions.get(i));
        }
        return all;
    }

    /** The table as the run's branch has it. */
    public Dataset<Row> staged(String name) {
        return spark.table(onBranch(name));
    }

    /** The table as readers have it (main), before this run. */
    public Dataset<Row> current(String name) {
        return spark.table(catalog.sparkName(name));
    }

    /** What the run's branch holds: rows in all, and rows added and deleted by this run. */
    public Counts counts(String name) {
        Table table = catalog.table(name);
        Snapshot head = Publication.head(table, publication.branch());
        Snapshot before = table.currentSnapshot();
        long total = head == null ? 0 : number(head.summary().get("total-records"));
        long was = before == null ? 0 : number(before.summary().get("total-records"));
        long added = 0;
        long deleted = 0;
        for (Snapshot snapshot : runSnapshots(table)) {
            added += number(snapshot.summary().get("added-records"));
            deleted += number(snapshot.summary().get("deleted-records"));
        }
        Snapshot now = head != null ? head : before;
        return new Counts(total, was, added, deleted, now == null ? 0 : now.snapshotId());
    }

    /** The snapshots the run made on its branch of the table, newest first: from its head back to main. */
    private List<Snapshot> runSnapshots(Table table) {
        Snapshot before = table.currentSnapshot();
        List<Snapshot> made = new ArrayList<>();
        for (Snapshot snapshot = Publication.head(table, publication.branch()); snapshot != null
                && (before == null || snapshot.snapshotId() != before.snapshotId());
             snapshot = snapshot.parentId() == null ? null : table.snapshot(snapshot.parentId())) {
            made.add(snapshot);
        }
        return made;
    }

    /**
     * The rows of the data files the run's branch added to the table and of those it removed, read straight
     * from the files: a copy-on-write change replaces whole files, so these are the changed rows together with
     * the rows that shared a file with them.
     */
    public Changed changed(String name) {
        Table table = catalog.table(name);
        Set<String> added = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        for (Snapshot snapshot : runSnapshots(table)) {
            snapshot.addedDataFiles(table.io()).forEach(file -> added.add(file.location()));
            snapshot.removedDataFiles(table.io()).forEach(file -> removed.add(file.location()));
        }
        // A file the run both added and removed (written, then rewritten by a later step) was never published.
        Set<String> both = new HashSet<>(added);
        both.retainAll(removed);
        added.removeAll(both);
        removed.removeAll(both);
        StructType schema = staged(name).schema();
        return new Changed(rowsOf(added, schema), rowsOf(removed, schema));
    }

    /** @param added rows of the files the run added; @param removed rows of the files it removed */
    public record Changed(Dataset<Row> added, Dataset<Row> removed) {
    }

    private Dataset<Row> rowsOf(Collection<String> files, StructType schema) {
        // No file: a relation Spark knows to be empty, so the checks' joins with it are dropped when planned.
        return files.isEmpty() ? spark.createDataFrame(List.of(), schema)
                : spark.read().schema(schema).parquet(files.toArray(String[]::new));
    }

    /**
     * @param rows       rows after the run; @param before rows before it
     * @param added      rows in the files the run's snapshots added (a copy-on-write change rewrites whole files)
     * @param deleted    rows in the files they removed
     * @param snapshotId the snapshot the table's main will point at once the run is published
     */
    public record Counts(long rows, long before, long added, long deleted, long snapshotId) {
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }

    private String onBranch(String name) {
        return catalog.sparkName(name, publication.branch());
    }

    private <T> T committing(String name, Callable<T> write) {
        try {
            T result = CommitMetadata.withCommitProperties(commitProperties, write, Exception.class);
            publication.wrote(catalog.table(name));
            return result;
        } catch (org.apache.iceberg.exceptions.ValidationException e) {
            if (e.getMessage() != null && e.getMessage().contains("does not exist")) {
                // Another run that started meanwhile took this run's branch for a killed run's and dropped it.
                throw new LakeException("Another run started on " + catalog.lake() + " while this one wrote " + name
                        + ", so this run stopped and published nothing. Run etl once at a time on a lake; run it "
                        + "again to load what is still new.", e);
            }
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (NoSuchTableException e) {
            throw new LakeException("The lake lost a table while the run wrote it: " + e.getMessage(), e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
