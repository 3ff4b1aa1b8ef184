package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The lake's own record of the runs that published into it: one row per run, in an Iceberg table of the lake
 * ({@code runs}, kept in {@code _run/record/}). {@code history}, {@code report} and {@code --as-of} read it, not the
 * tables' snapshots, which {@code maintain} compacts and expires: the record keeps a run listed, with its
 * figures, long after its snapshots are gone.
 *
 * <p>The row is written on the run's branch before publishing, without its published time, and is published
 * last, after the star tables: the run stamps the time just before it moves the record's {@code main}, when
 * every table it changed is visible. A run killed while publishing is finished by the next run, stamp included
 * (see {@link Publication}), so the record is as durable as the publication it describes.
 */
public final class RunRecord {

    public static final String TABLE = "runs";

    /** How a run checked its tables before publishing. */
    public static final String CHECKED_ALL = "all";
    public static final String CHECKED_CHANGES = "changes";
    public static final String CHECKS_SKIPPED = "skipped";

    private static final StructType TABLE_FIGURES = new StructType()
            .add("table", DataTypes.StringType)
            .add("rows", DataTypes.LongType)
            .add("net", DataTypes.LongType)
            .add("written", DataTypes.LongType)
            .add("replaced", DataTypes.LongType)
            .add("snapshot_id", DataTypes.LongType);

    private static final StructType CHECK = new StructType()
            .add("check", DataTypes.StringType)
            .add("offending", DataTypes.LongType);

    public static final StructType COLUMNS = new StructType()
            .add("run_id", DataTypes.StringType)
            .add("kind", DataTypes.StringType)
            .add("started", DataTypes.TimestampType)
            .add("published", DataTypes.TimestampType)
            .add("checked", DataTypes.StringType)
            .add("tables", DataTypes.createArrayType(TABLE_FIGURES))
            .add("checks", DataTypes.createArrayType(CHECK))
            .add("files", DataTypes.createArrayType(DataTypes.StringType));

    /**
     * One table as a run left it. The three figures have one meaning each, wherever they are printed:
     *
     * @param rows     rows the table held once the run was published
     * @param net      rows the run added less rows it took away: {@code rows} less the rows before it
     * @param written  rows the run wrote that the table did not hold as they are (new rows, and new versions of
     *                 rows it changed)
     * @param replaced rows the run took away: rows it changed (their old version) and rows it removed
     */
    public record TableFigures(String table, long rows, long net, long written, long replaced, long snapshotId) {
    }

    /** A check a run made before publishing, and the rows that broke it (0: it passed). */
    public record Check(String check, long offending) {
    }

    /**
     * @param published when the run's tables became visible to readers; null until it publishes
     * @param checked   {@link #CHECKED_ALL}, {@link #CHECKED_CHANGES} or {@link #CHECKS_SKIPPED}
     * @param files     the input files it loaded, as the file system names them
     */
    public record Entry(String runId, String kind, Instant started, Instant published, String checked,
                        List<TableFigures> tables, List<Check> checks, List<String> files) {

        public Optional<TableFigures> table(String name) {
            return tables.stream().filter(t -> t.table().equals(name)).findFirst();
        }
    }

    private RunRecord() {
    }

    /** The runs the lake recorded, in the order they were published; empty for a lake that has no record. */
    public static List<Entry> read(LakeCatalog catalog) {
        if (!catalog.has(TABLE) || catalog.table(TABLE).currentSnapshot() == null) {
            return List.of();
        }
        List<Entry> entries = new ArrayList<>();
        for (Row row : catalog.spark().table(catalog.sparkName(TABLE)).where(col("published").isNotNull())
                .collectAsList()) {
            entries.add(entry(row));
        }
        entries.sort(Comparator.comparing(Entry::published).thenComparing(Entry::runId));
        return entries;
    }

    /** The run's row, not yet published: to be appended on its branch. */
    public static Dataset<Row> pending(SparkSession spark, Entry entry) {
        return spark.createDataFrame(List.of(row(entry)), COLUMNS);
    }

    /**
     * Stamps the published time on the run's row on its branch, unless it has one (a run killed after it
     * stamped, finished by the next). Called when every other table of the run is published.
     */
    static void stamp(LakeCatalog catalog, String branch, String runId, Instant published) {
        SparkSession spark = catalog.spark();
        String onBranch = catalog.sparkName(TABLE, branch);
        Table table = catalog.table(TABLE);
        if (Publication.head(table, branch) == null) {
            return;
        }
        List<Row> rows = spark.table(onBranch).where(col("run_id").equalTo(runId)).collectAsList();
        if (rows.isEmpty() || !rows.get(0).isNullAt(rows.get(0).fieldIndex("published"))) {
            return;
        }
        // One copy-on-write commit on the branch; run ids share their first 16 characters (the date and time),
        // which is all of a string Iceberg keeps in a file's bounds, so a filter alone cannot drop the old row.
        spark.sql("UPDATE " + onBranch + " SET published = timestamp_millis(" + published.toEpochMilli()
                + ") WHERE run_id = " + IcebergTables.literal(runId));
    }

    /**
     * The snapshot of {@code table} that holds the rows a run published as {@code snapshotId}: that snapshot, or
     * one {@code maintain} compacted from it (same rows, other files); empty once neither is left.
     */
    public static Optional<Long> readable(Table table, long snapshotId) {
        if (table.snapshot(snapshotId) != null) {
            return Optional.of(snapshotId);
        }
        String wanted = Long.toString(snapshotId);
        Snapshot oldest = null;
        for (Snapshot snapshot : table.snapshots()) {
            if (wanted.equals(snapshot.summary().get(Maintenance.SAME_ROWS_AS))
                    && (oldest == null || snapshot.sequenceNumber() < oldest.sequenceNumber())) {
                oldest = snapshot;
            }
        }
        return Optional.ofNullable(oldest).map(Snapshot::snapshotId);
    }

    /** Whether the table's current rows are those the run published as {@code snapshotId}. */
    public static boolean current(Table table, long snapshotId) {
        Snapshot now = table.currentSnapshot();
        return now != null && (now.snapshotId() == snapshotId
                || Long.toString(snapshotId).equals(now.summary().get(Maintenance.SAME_ROWS_AS)));
    }

    private static Row row(Entry entry) {
        List<Row> tables = entry.tables().stream().map(t -> RowFactory.create(t.table(), t.rows(), t.net(),
                t.written(), t.replaced(), t.snapshotId())).toList();
        List<Row> checks = entry.checks().stream().map(c -> RowFactory.create(c.check(), c.offending())).toList();
        return RowFactory.create(entry.runId(), entry.kind(), entry.started(),
                entry.published(), entry.checked(), tables, checks, entry.files());
    }

    private static Entry entry(Row row) {
        List<TableFigures> tables = new ArrayList<>();
        for (Row t : row.<Row>getList(row.fieldIndex("tables"))) {
            tables.add(new TableFigures(t.getString(0), t.getLong(1), t.getLong(2), t.getLong(3), t.getLong(4),
                    t.getLong(5)));
        }
        List<Check> checks = new ArrayList<>();
        for (Row c : row.<Row>getList(row.fieldIndex("checks"))) {
            checks.add(new Check(c.getString(0), c.getLong(1)));
        }
        return new Entry(row.getString(row.fieldIndex("run_id")), row.getString(row.fieldIndex("kind")),
                instant(row.get(row.fieldIndex("started"))), instant(row.get(row.fieldIndex("published"))),
                row.getString(row.fieldIndex("checked")), tables, checks,
                List.copyOf(row.<String>getList(row.fieldIndex("files"))));
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Instant instant ? instant : ((java.sql.Timestamp) value).toInstant();
    }

    /** The record's figures of a table by name, for tables a run may not have touched. */
    public static Map<String, TableFigures> byTable(Entry entry) {
        Map<String, TableFigures> all = new java.util.LinkedHashMap<>();
        entry.tables().forEach(t -> all.put(t.table(), t));
        return all;
    }
}
