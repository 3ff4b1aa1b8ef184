package com.sparkify.lake.store;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LocalDirAllocator;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.spark.TaskContext;

/**
 * S3A as an Iceberg lake on a store writes through it, except that a data file a Spark task writes is uploaded
 * beside the task's other work instead of in its way.
 *
 * <p>Iceberg's writer uploads a data file when it closes it and waits for the upload before it opens the next.
 * The {@code songs} table is one file per partition folder, 12,868 of them for the M set, so each task took a
 * round trip per file one after another, and at 20 ms the Iceberg lake's run took twice the Parquet lake's,
 * whose committer uploads a task's files side by side. Here such a file is written to local disk (S3A's buffer
 * folders), and closing it hands the upload to a pool of the JVM, as many at once as the run keeps requests in
 * flight ({@code fs.s3a.committer.threads}, see {@link RequestsInFlight}). The task does not end before every
 * upload it started has: a completion listener waits for them, and one that failed fails the task, so Spark
 * never hands the driver a list of files naming one the store does not have. Each upload is the one PUT it was
 * (S3A creates the key without probing it, see {@link S3Settings}).
 *
 * <p>Why a file system: Iceberg's Parquet writer, given the {@code HadoopOutputFile} of Iceberg's
 * {@code HadoopFileIO}, opens the path's file system itself from the configuration that file carries; given
 * any other kind of file, it parses Hadoop's XML defaults into a new configuration per file, which cost more
 * CPU than the overlap saved. So {@link com.sparkify.lake.load.LakeCatalog} names this class for the
 * {@code s3a} scheme in the catalog's own configuration only, uncached (Hadoop's cache is keyed by the bucket,
 * not the class), and everything is done by the JVM's one S3A file system of the bucket, taken from Hadoop's
 * cache. Anything else (metadata, manifests, reads, a write outside a task) goes straight to it.
 */
public class OverlappedUploads extends FilterFileSystem {

    /**
     * Each configuration this class was named in, without it: the one S3A is asked for by. Made once per
     * configuration, not per file (a copy of some 500 settings); weakly held, as Hadoop holds configurations.
     */
    private static final Map<Configuration, Configuration> PLAIN = Collections.synchronizedMap(new WeakHashMap<>());
    /** The uploads each running task has started, by its attempt id. */
    private static final Map<Long, List<Upload>> STARTED = new ConcurrentHashMap<>();
    /** Uploads finished in this JVM (a test's proof that the files went this way). */
    private static final AtomicLong UPLOADED = new AtomicLong();

    public OverlappedUploads() {
    }

    /** The Hadoop settings that put this class in front of S3A, for a catalog's own configuration. */
    public static Map<String, String> settings() {
        return Map.of("fs.s3a.impl", OverlappedUploads.class.getName(), "fs.s3a.impl.disable.cache", "true");
    }

    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        Configuration plain = PLAIN.computeIfAbsent(conf, given -> {
            Configuration copy = new Configuration(given);
            copy.set("fs.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
            copy.setBoolean("fs.s3a.impl.disable.cache", false);
            return copy;
        });
        // Hadoop's cache, keyed by the bucket: a store closed since (a test's) is made anew, not handed out.
        fs = FileSystem.get(URI.create(name.getScheme() + "://" + name.getAuthority() + "/"), plain);
        super.initialize(name, conf);
    }

    @Override
    public String getScheme() {
        return fs.getScheme();
    }

    /** The S3A file system is the JVM's, shared through Hadoop's cache: closing this one leaves it open. */
    @Override
    public void close() {
    }

    @Override
    public FSDataOutputStream create(Path target, FsPermission permission, boolean overwrite, int bufferSize,
                                     short replication, long blockSize, Progressable progress) throws IOException {
        TaskContext task = TaskContext.get();
        if (task == null || !isDataFile(target)) {
            return fs.create(target, permission, overwrite, bufferSize, replication, blockSize, progress);
        }
        File local = new LocalDirAllocator("fs.s3a.buffer.dir").createTmpFileForWrite("iceberg-upload-", -1, getConf());
        OutputStream out = new BufferedOutputStream(new FileOutputStream(local), 1 << 16) {
            private boolean closed;

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    super.close();
                    upload(task, local, target, overwrite);
                }
            }
        };
        return new FSDataOutputStream(out, null);
    }

    /** A table's data file (Iceberg keeps them under data/, its metadata under metadata/). */
    static boolean isDataFile(Path path) {
        String text = path.toUri().getPath();
        return text.endsWith(".parquet") && text.contains("/data/");
    }

    private void upload(TaskContext task, File local, Path target, boolean overwrite) {
        FileSystem store = fs;
        int inFlight = Math.max(1, getConf().getInt(S3Settings.COMMIT_THREADS, RequestsInFlight.LEAST));
        Future<?> done = RequestPools.of("upload", inFlight).submit(() -> {
            try (InputStream in = Files.newInputStream(local.toPath());
                 FSDataOutputStream out = store.create(target, overwrite)) {
                in.transferTo(out);
            } finally {
                Files.deleteIfExists(local.toPath());
            }
            UPLOADED.incrementAndGet();
            return null;
        });
        STARTED.computeIfAbsent(task.taskAttemptId(), id -> {
            task.addTaskCompletionListener(OverlappedUploads::awaitUploads);
            return new CopyOnWriteArrayList<>();
        }).add(new Upload(target.toString(), local, done));
    }

    static long uploaded() {
        return UPLOADED.get();
    }

    /** The uploads a task started, all finished: the first failure ends the task with its reason. */
    static void awaitUploads(TaskContext task) {
        List<Upload> uploads = STARTED.remove(task.taskAttemptId());
        if (uploads == null) {
            return;
        }
        if (task.isFailed() || task.isInterrupted()) {
            // Its files will not be committed: what has not gone up need not go.
            uploads.forEach(Upload::cancel);
            return;
        }
        IOException failed = null;
        for (Upload upload : uploads) {
            try {
                upload.done.get();
            } catch (ExecutionException e) {
                if (failed == null) {
                    failed = new IOException("Uploading " + StoreErrors.safe(upload.target) + " failed: "
                            + StoreErrors.safe(String.valueOf(e.getCause().getMessage())), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                uploads.forEach(Upload::cancel);
                throw new IllegalStateException("Interrupted while waiting for this task's uploads", e);
            }
        }
        if (failed != null) {
            throw new UncheckedIOException(failed);
        }
    }

    /** One data file's upload: where it goes, the local copy it goes from, and its end. */
    private record Upload(String target, File local, Future<?> done) {

        void cancel() {
            done.cancel(true);
            local.delete();
        }
    }
}
