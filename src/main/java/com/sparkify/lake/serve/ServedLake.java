package com.sparkify.lake.serve;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.Snapshot;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.Publication;
import com.sparkify.lake.load.StoredLake;
import com.sparkify.lake.tables.StarSchema;

/**
 * The lake as {@code serve} answers from it: the five tables of one run, never two.
 *
 * <p>Every query asks for the {@link #current()} version. That looks at what says which run the lake holds (a
 * Parquet lake's run summary, an Iceberg lake's current snapshots) and whether a run is publishing right now;
 * while neither changed, the version already read answers. When a run has published, the five tables of the
 * new one are read whole, into Spark's block manager (memory, spilling to local disk), and that stamp is read
 * again: only a version read with no publication before, during or after is installed. So a query never mixes
 * two runs, and once read a version no longer depends on the lake's files, which the next Parquet run moves
 * away while queries may still be reading them. While a run publishes, queries go on from the version before.
 */
public final class ServedLake {

    /** How long a query waits for a first version while a run publishes, in steps of {@link #PAUSE_MS}. */
    private static final long WAIT_MS = 60_000;
    private static final long PAUSE_MS = 100;
    /** Versions kept readable after they are replaced, for queries that began on them. */
    private static final int KEPT = 1;

    private final SparkSession spark;
    private final String lake;
    private final LakeConfig config;
    private final boolean iceberg;
    private LakeCatalog catalog;
    private Version current;
    private final Deque<Version> replaced = new ArrayDeque<>();

    /** One run's five tables, read into memory, and the stamp of the lake they were read under. */
    public record Version(String stamp, Map<String, LogicalPlan> tables, long rows) {

        /** The table as a plan of its own, with attributes no other reference to it shares (a self-join). */
        public LogicalPlan table(String name) {
            return ((LogicalRDD) tables.get(name)).newInstance();
        }
    }

    /** What says which run the lake holds, and whether a run is publishing into it now. */
    record Stamp(String run, boolean publishing) {
    }

    public ServedLake(SparkSession spark, String lake, LakeConfig config) {
        this.spark = spark;
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        this.lake = LakeCatalog.qualified(lake, hadoop);
        this.config = config;
        this.iceberg = LakeCatalog.isIceberg(this.lake, hadoop);
        if (iceberg) {
            catalog = LakeCatalog.open(spark, this.lake, config, false);
        } else {
            // Refuses a folder that is no lake, with the reason, before the server listens.
            StoredLake.tables(spark, this.lake, config);
        }
    }

    public String lake() {
        return lake;
    }

    public String format() {
        return iceberg ? "iceberg" : "parquet";
    }

    /** The version a query answers from: the one read, unless a run has published since. */
    public synchronized Version current() {
        Stamp now = stamp();
        if (current != null && (now.publishing() || now.run().equals(current.stamp()))) {
            return current;
        }
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            if (!now.publishing()) {
                Version read = read(now);
                Stamp after = stamp();
                if (!after.publishing() && after.run().equals(now.run())) {
                    install(read);
                    return read;
                }
                release(read);
                now = after;
                if (current != null && now.publishing()) {
                    return current;
                }
                continue;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new LakeException("A run has been publishing into " + lake + " for over " + WAIT_MS / 1000
                        + " s (or was killed while it did): ask again once it has ended; if none runs, run etl "
                        + "again, which finishes or undoes it.");
            }
            sleep();
            now = stamp();
        }
    }

    /** Reads the lake's current tables whole; a failure while a run moved them says so, for another try. */
    private Version read(Stamp stamp) {
        // A query's analysis asks for the version, in a client's session; the lake is read in the server's own,
        // where the Iceberg lake's catalog is set (Spark looks up some settings in the thread's active session).
        scala.Option<SparkSession> asking = SparkSession.getActiveSession();
        SparkSession.setActiveSession(spark);
        try {
            return readTables(stamp);
        } finally {
            if (asking.isDefined()) {
                SparkSession.setActiveSession(asking.get());
            } else {
                SparkSession.clearActiveSession();
            }
        }
    }

    private Version readTables(Stamp stamp) {
        Function<String, Dataset<Row>> tables = iceberg ? pinned(stamp) : StoredLake.tables(spark, lake, config);
        // The five read side by side: a table's planning (on one core) goes on while another's tasks run, and
        // serve's start, a cold JVM, spends most of its reading on such work.
        ExecutorService readers = Executors.newFixedThreadPool(StarSchema.NAMES.size(), work -> {
            Thread thread = new Thread(work, "sparkify-serve-read");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, Future<Held>> reading = new LinkedHashMap<>();
        for (String name : StarSchema.NAMES) {
            reading.put(name, readers.submit(() -> {
                SparkSession.setActiveSession(spark);
                // Eager: the rows are in the block manager before the version is offered to any query.
                Dataset<Row> held = tables.apply(name).localCheckpoint(true);
                return new Held(held, held.count());
            }));
        }
        readers.shutdown();
        Map<String, LogicalPlan> read = new LinkedHashMap<>();
        long rows = 0;
        RuntimeException failed = null;
        for (Map.Entry<String, Future<Held>> table : reading.entrySet()) {
            try {
                Held held = table.getValue().get();
                read.put(table.getKey(), held.rows().queryExecution().analyzed());
                rows += held.count();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                if (failed == null) {
                    failed = e.getCause() instanceof RuntimeException runtime ? runtime
                            : new LakeException("Cannot read " + table.getKey() + ": " + e.getCause().getMessage(),
                            e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                readers.shutdownNow();
                failed = new LakeException("Interrupted while reading the lake.");
                break;
            }
        }
        if (failed != null) {
            read.values().forEach(ServedLake::unpersist);
            if (!stamp().equals(stamp)) {
                // A run published while the tables were read: the caller sees the changed stamp and reads again.
                return new Version("", Map.of(), 0);
            }
            throw failed;
        }
        return new Version(stamp.run(), read, rows);
    }

    /** A table read into the block manager, and its row count. */
    private record Held(Dataset<Row> rows, long count) {
    }

    /** An Iceberg lake's tables at the snapshots the stamp names, whatever has been committed since. */
    private Function<String, Dataset<Row>> pinned(Stamp stamp) {
        Map<String, Long> snapshots = new LinkedHashMap<>();
        for (String entry : stamp.run().split(",")) {
            String[] parts = entry.split("=");
            if (parts.length == 2 && !parts[1].equals("none")) {
                snapshots.put(parts[0], Long.parseLong(parts[1]));
            }
        }
        return name -> {
            Long snapshot = snapshots.get(name);
            if (snapshot == null) {
                throw new LakeException("The Iceberg lake " + lake + " has no snapshot of " + name + " yet: build it "
                        + "with etl first.");
            }
            return spark.read().option("versionAsOf", snapshot).table(catalog.sparkName(name));
        };
    }

    private Stamp stamp() {
        return iceberg ? icebergStamp() : parquetStamp();
    }

    /**
     * A Parquet lake: its run summary names the run that built the tables, and is moved into place after them;
     * the folder a run moves old tables aside into exists while it publishes.
     */
    private Stamp parquetStamp() {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        boolean publishing = Lake.publishingNow(lake, hadoop);
        Path summary = new Path(new Path(lake, Lake.RUN), Lake.SUMMARY);
        String run;
        try {
            FileSystem fs = summary.getFileSystem(hadoop);
            try (InputStream in = fs.open(summary)) {
                run = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (java.io.FileNotFoundException missing) {
            // A lake built before run summaries, or one a run is replacing the summary of right now.
            run = "";
        } catch (IOException e) {
            throw new LakeException("Cannot read " + summary + ": " + e.getMessage(), e);
        }
        return new Stamp(run, publishing || Lake.publishingNow(lake, hadoop));
    }

    /**
     * An Iceberg lake: each table's current snapshot; a run marks the catalog while it moves them (see
     * {@link Publication}), before the first and until after the last.
     */
    private Stamp icebergStamp() {
        boolean publishing = catalog.properties().containsKey(Publication.PUBLISHING);
        StringBuilder snapshots = new StringBuilder();
        for (String name : StarSchema.NAMES) {
            Snapshot snapshot = catalog.has(name) ? catalog.table(name).currentSnapshot() : null;
            snapshots.append(snapshots.length() == 0 ? "" : ",").append(name).append('=')
                    .append(snapshot == null ? "none" : String.valueOf(snapshot.snapshotId()));
        }
        publishing |= catalog.properties().containsKey(Publication.PUBLISHING);
        return new Stamp(snapshots.toString(), publishing);
    }

    /** Makes a version current; the one before stays readable for queries that began on it, older ones go. */
    private void install(Version read) {
        if (current != null) {
            replaced.addFirst(current);
        }
        current = read;
        while (replaced.size() > KEPT) {
            release(replaced.removeLast());
        }
    }

    private static void release(Version version) {
        version.tables().values().forEach(ServedLake::unpersist);
    }

    private static void unpersist(LogicalPlan plan) {
        if (plan instanceof LogicalRDD held) {
            held.rdd().unpersist(false);
        }
    }

    /** Forgets every version (the server is stopping; stopping Spark frees their blocks). */
    public synchronized void close() {
        current = null;
        replaced.clear();
    }

    private static void sleep() {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LakeException("Interrupted while waiting for a run to publish.");
        }
    }
}
