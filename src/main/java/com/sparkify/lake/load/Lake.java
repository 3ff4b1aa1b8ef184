package com.sparkify.lake.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.store.StoreErrors;

/**
 * The output folder and its layout, and how a run's output gets into it.
 *
 * <p>Where a folder rename is atomic and cheap (local disks, HDFS) a run writes everything into
 * {@code _staging/<run>/} and moves it into place only once all of it is written, so readers see either the
 * previous lake or the new one, never a table half-written (SPEC rule 7).
 *
 * <p>On an object store (s3a://) a rename is a copy of every file and a delete, neither atomic nor cheap, so
 * the tables are written in place instead, each through an S3A committer whose files become visible only at
 * job commit; the pipeline writes them only after the rejected-records threshold has passed. The data-quality
 * checks run on them after they are written there, so a failing check fails the run but cannot take the
 * tables back. The small entries (rejected records, run summary) are still staged and moved. What
 * a reader can see in between is spelled out in docs/guarantees.md ("A Parquet lake on an object store").
 *
 * <pre>
 * &lt;lake&gt;/songplays/ users/ songs/ artists/ time/   the tables
 * &lt;lake&gt;/_rejected/                              records that did not load, with file and reason (when any)
 * &lt;lake&gt;/_run/summary.json                       what the run that built the tables read and wrote
 * &lt;lake&gt;/_staging/&lt;run&gt;/                         a run in progress (Spark skips names starting with _)
 * &lt;lake&gt;/_failed/&lt;run&gt;/                          what a failed run wrote, kept for inspection
 * &lt;lake&gt;/_lock                                  while a run holds the lake (a local lake, see LakeLock)
 * </pre>
 */
public final class Lake {

    public static final String REJECTED = "_rejected";
    public static final String RUN = "_run";
    public static final String SUMMARY = "summary.json";
    private static final String STAGING = "_staging";
    private static final String FAILED = "_failed";
    private static final String PREVIOUS = "_previous";

    /** File systems whose directory rename is a single atomic metadata operation. */
    private static final Set<String> ATOMIC_RENAME = Set.of("file", "hdfs", "viewfs");

    private final FileSystem fs;
    private final Path root;
    private final boolean atomicRename;
    /** Set once this run began to move its staged entries into place: from then on its staging is the
     *  previous lake's safekeeping, not garbage. */
    private volatile boolean publishing;

    private Lake(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
        String scheme = root.toUri().getScheme();
        this.atomicRename = scheme != null && ATOMIC_RENAME.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** Opens the output folder, creating it if needed; an output that is a file is refused. */
    public static Lake open(String output, Configuration hadoop) {
        Path root = new Path(output);
        try {
            FileSystem fs = root.getFileSystem(hadoop);
            root = fs.makeQualified(root);
            if (fs.exists(root) && !fs.getFileStatus(root).isDirectory()) {
                throw new LakeException("The output " + output + " is a file. Give a folder (it is created "
                        + "if missing) or an s3a:// prefix.");
            }
            fs.mkdirs(root);
            return new Lake(fs, root);
        } catch (IOException e) {
            throw StoreErrors.explain(output, e, hadoop).orElseGet(() -> new LakeException("Cannot open the "
                    + "output " + StoreErrors.safe(output) + " (" + e.getClass().getSimpleName() + "). Check that "
                    + "it is a folder you may write to.", e));
        }
    }

    /** True when tables are staged and renamed into place; false when they are written in place. */
    public boolean stagesTables() {
        return atomicRename;
    }

    /** Where a run writes a table: its staging folder, or the table's own folder on an object store. */
    public String tableTarget(String runId, String table) {
        return atomicRename ? new Path(new Path(staging(runId)), table).toString() : table(table);
    }

    /** The lake's folder on the local disk, or null when it is elsewhere (an object store, HDFS). */
    public java.nio.file.Path localFolder() {
        return "file".equals(root.toUri().getScheme()) ? java.nio.file.Path.of(root.toUri()) : null;
    }

    /** Takes the lake for this run alone (a local lake; see {@link LakeLock}), or fails saying who has it. */
    public LakeLock lock(String runId, java.time.Instant started) {
        return LakeLock.take(localFolder(), root.toString(), runId, started);
    }

    public String uri() {
        return root.toString();
    }

    public String table(String name) {
        return new Path(root, name).toString();
    }

    public String staging(String runId) {
        return new Path(new Path(root, STAGING), runId).toString();
    }

    /** Finishes what a killed run left: a table moved aside but not replaced is put back, and stale
     *  staging folders are removed. */
    public void recover() {
        Path staging = new Path(root, STAGING);
        try {
            if (!fs.exists(staging)) {
                return;
            }
            for (FileStatus run : fs.listStatus(staging)) {
                Path previous = new Path(run.getPath(), PREVIOUS);
                if (fs.exists(previous)) {
                    for (FileStatus table : fs.listStatus(previous)) {
                        Path live = new Path(root, table.getPath().getName());
                        if (!fs.exists(live)) {
                            fs.rename(table.getPath(), live);
                        }
                    }
                }
                fs.delete(run.getPath(), true);
            }
        } catch (IOException e) {
            throw new LakeException("Cannot clean up an earlier run's staging folder under " + staging + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Whether a run is moving its tables into the lake at {@code lake} right now: between its first and its last
     * move a reader would find some tables new and some old, or one missing. A run marks it by the folder it
     * moves the old tables aside into ({@code _staging/<run>/_previous}), made before the first move and removed
     * after the last; a run killed in between leaves it until the next run's recovery.
     */
    public static boolean publishingNow(String lake, Configuration hadoop) {
        Path staging = new Path(lake, STAGING);
        try {
            FileSystem fs = staging.getFileSystem(hadoop);
            if (!fs.exists(staging)) {
                return false;
            }
            for (FileStatus run : fs.listStatus(staging)) {
                if (fs.exists(new Path(run.getPath(), PREVIOUS))) {
                    return true;
                }
            }
            return false;
        } catch (java.io.FileNotFoundException gone) {
            // The run finished (and removed its staging) while this looked.
            return false;
        } catch (IOException e) {
            throw new LakeException("Cannot read the lake " + StoreErrors.safe(lake) + ": " + e.getMessage(), e);
        }
    }

    /** Whether the run began to make its tables visible (then only the next run's recovery may undo it). */
    public boolean publishing() {
        return publishing;
    }

    /** Marks that the run begins to publish, for a lake whose tables publish themselves (Iceberg's commits). */
    public void beginPublishing() {
        publishing = true;
    }

    /** Moves each staged entry into the lake, replacing the previous one; tables written in place (see
     *  {@link #tableTarget}) are already there. */
    public void publish(String runId, List<String> entries) {
        publishing = true;
        Path staged = new Path(staging(runId));
        Path aside = new Path(staged, PREVIOUS);
        try {
            fs.mkdirs(aside);
            for (String entry : entries) {
                if (!atomicRename && !entry.startsWith("_")) {
                    continue;
                }
                Path live = new Path(root, entry);
                if (fs.exists(live) && !fs.rename(live, new Path(aside, entry))) {
                    throw new IOException("could not move " + live + " aside");
                }
                // An entry the run did not write (no rejected records) replaces the old one by its absence.
                Path next = new Path(staged, entry);
                if (fs.exists(next) && !fs.rename(next, live)) {
                    throw new IOException("could not move the new " + entry + " into " + live);
                }
                com.sparkify.lake.KillSwitch.reached("publish " + entry);
            }
            fs.delete(staged, true);
            removeEmptyStaging();
        } catch (IOException e) {
            throw new LakeException("Publishing the new tables into " + root + " failed: " + e.getMessage()
                    + ". The next run restores any table left out.", e);
        }
    }

    /**
     * Removes what a run that failed before publishing wrote (a disk left full of it helps no one).
     *
     * @return true when nothing was published (and the staging, if any, is gone); false once publishing began,
     *         whose staging then holds tables moved aside and is left for the next run's {@link #recover}
     */
    public boolean discard(String runId) {
        if (publishing) {
            return false;
        }
        try {
            fs.delete(new Path(staging(runId)), true);
            removeEmptyStaging();
        } catch (IOException e) {
            // The next run's recovery removes it.
        }
        return true;
    }

    /** "the disk that holds … is full (…)" when a failure was the disk's running out of space; else empty. */
    public java.util.Optional<String> diskFull(Throwable failure) {
        return diskFull(failure, fs, root);
    }

    /** As {@link #diskFull(Throwable)}, for a lake not opened (nothing is asked of the store unless the disk is
     *  full). */
    public static java.util.Optional<String> diskFull(Throwable failure, String output, Configuration hadoop) {
        try {
            Path root = new Path(output);
            return diskFull(failure, root.getFileSystem(hadoop), root);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private static java.util.Optional<String> diskFull(Throwable failure, FileSystem fs, Path root) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")
                    || message.contains("database or disk is full")) {
                String free = "";
                try {
                    org.apache.hadoop.fs.FsStatus status = fs.getStatus(root);
                    free = String.format(Locale.ROOT, "; %,d MiB free of %,d MiB now", status.getRemaining() >> 20,
                            status.getCapacity() >> 20);
                } catch (IOException | RuntimeException e) {
                    // the reason alone, then
                }
                return java.util.Optional.of("the disk that holds " + fs.makeQualified(root) + " is full ("
                        + (message.contains("quota") ? "Disk quota exceeded" : "No space left on device") + free
                        + ")");
            }
        }
        return java.util.Optional.empty();
    }

    /** No empty {@code _staging/} left in the lake after a run, which a user would wonder about. */
    private void removeEmptyStaging() throws IOException {
        Path stagingRoot = new Path(root, STAGING);
        if (fs.exists(stagingRoot) && fs.listStatus(stagingRoot).length == 0) {
            fs.delete(stagingRoot, false);
        }
    }

    /** Keeps what a failed run wrote under {@code _failed/<run>} and leaves the lake as it was. */
    public String keepFailed(String runId) {
        Path failed = new Path(new Path(root, FAILED), runId);
        try {
            fs.mkdirs(failed.getParent());
            fs.rename(new Path(staging(runId)), failed);
            removeEmptyStaging();
            return failed.toString();
        } catch (IOException e) {
            throw new LakeException("Cannot keep the failed run's output at " + failed + ": " + e.getMessage(), e);
        }
    }

    /** The names of what the lake's folder holds. */
    public List<String> entries() {
        try {
            return java.util.Arrays.stream(fs.listStatus(root)).map(status -> status.getPath().getName()).toList();
        } catch (IOException e) {
            throw new LakeException("Cannot list the lake " + root + ": " + e.getMessage(), e);
        }
    }

    public void writeText(String path, String text) {
        try (OutputStream out = fs.create(new Path(path), true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LakeException("Cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    /** A table of a Parquet lake, or of one as a run stages it (under {@code lake}, a lake's or a staging's root). */
    public static org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> table(
            org.apache.spark.sql.SparkSession spark, String lake, String name) {
        // basePath keeps the partition columns (year, month, artist_id) when the folder is read directly.
        String folder = lake + "/" + name;
        return spark.read().option("basePath", folder).parquet(folder);
    }
}
