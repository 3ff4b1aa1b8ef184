package com.sparkify.lake.store;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.LocalDirAllocator;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.hadoop.HadoopOutputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.spark.TaskContext;

/**
 * The Iceberg lake's file IO: Hadoop's file systems, as {@link HadoopFileIO}, but a data file that a Spark task
 * writes to an object store is uploaded beside the task's other work instead of in its way.
 *
 * <p>Iceberg's writer uploads a data file when it closes it and waits for the upload before it opens the next.
 * The {@code songs} table is one file per partition folder, 15,000 of them for the M set, so each task took a
 * round trip per file one after another: at 20 ms the Iceberg lake's run took twice the Parquet lake's, whose
 * committer uploads a task's files side by side. Here each such file is written to local disk (S3A's own
 * buffer folders), and closing it hands the upload to a pool of the JVM, as many at once as the run keeps
 * requests in flight ({@code fs.s3a.committer.threads}, see {@link RequestsInFlight}). The task does not end
 * before every upload it started has finished: a completion listener waits for them, and one that failed fails
 * the task, so Spark never hands the driver a list of files naming one that is not in the store. An upload is
 * the same single request as before (the file system creates the key without probing it first).
 *
 * <p>Anything else (metadata, manifests, a write outside a task, a local lake) goes straight through.
 */
public class UploadingFileIO extends HadoopFileIO {

    private static final Map<Integer, ExecutorService> POOLS = new ConcurrentHashMap<>();
    /** The uploads each running task has started, by its attempt id. */
    private static final Map<Long, List<Upload>> STARTED = new ConcurrentHashMap<>();

    public UploadingFileIO() {
    }

    @Override
    public OutputFile newOutputFile(String path) {
        TaskContext task = TaskContext.get();
        if (task == null || !uploaded(path)) {
            return super.newOutputFile(path);
        }
        Path target = new Path(path);
        try {
            return HadoopOutputFile.fromPath(target, new LocalFirst(target.getFileSystem(conf()), conf(), task), conf());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reach the store of " + StoreErrors.safe(path), e);
        }
    }

    /** A data file on an object store (its scheme not the local disk's, nor HDFS's, where a write is cheap). */
    static boolean uploaded(String path) {
        String scheme = new Path(path).toUri().getScheme();
        return scheme != null && scheme.toLowerCase(Locale.ROOT).startsWith("s3")
                && path.endsWith(".parquet") && path.contains("/data/");
    }

    /** The uploads a task started, all finished: the first failure ends the task with its reason. */
    static void awaitUploads(TaskContext task) {
        List<Upload> uploads = STARTED.remove(task.taskAttemptId());
        if (uploads == null) {
            return;
        }
        if (task.isFailed() || task.isInterrupted()) {
            // Its files are not committed: what has not gone up need not go.
            uploads.forEach(Upload::cancel);
            return;
        }
        IOException failed = null;
        for (Upload upload : uploads) {
            try {
                upload.done.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (failed == null) {
                    failed = new IOException("Uploading " + StoreErrors.safe(upload.target) + " failed: "
                            + StoreErrors.safe(String.valueOf(cause.getMessage())), cause);
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

    private static void started(TaskContext task, Upload upload) {
        STARTED.computeIfAbsent(task.taskAttemptId(), id -> {
            task.addTaskCompletionListener(UploadingFileIO::awaitUploads);
            return new java.util.concurrent.CopyOnWriteArrayList<>();
        }).add(upload);
    }

    private static ExecutorService pool(int size) {
        return POOLS.computeIfAbsent(size, n -> {
            AtomicInteger count = new AtomicInteger();
            ThreadPoolExecutor pool = new ThreadPoolExecutor(n, n, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    work -> {
                        Thread thread = new Thread(work, "sparkify-upload-" + count.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            pool.allowCoreThreadTimeOut(true);
            return pool;
        });
    }

    /** One data file's upload: where it goes, the local copy it goes from, and its end. */
    private record Upload(String target, File local, Future<?> done) {

        void cancel() {
            done.cancel(true);
            local.delete();
        }
    }

    /**
     * The store's file system, but a file created through it is written to local disk and uploaded in the
     * background once closed. It reaches Iceberg inside a {@link HadoopOutputFile}, whose configuration
     * Iceberg's Parquet writer then uses: given any other kind of file, it makes a new Hadoop configuration
     * for each, parsing Hadoop's XML defaults again (measured: more CPU per file than the upload saved).
     */
    private static final class LocalFirst extends FilterFileSystem {

        private final Configuration conf;
        private final TaskContext task;

        LocalFirst(FileSystem store, Configuration conf, TaskContext task) {
            super(store);
            this.conf = conf;
            this.task = task;
        }

        @Override
        public FSDataOutputStream create(Path target, FsPermission permission, boolean overwrite, int bufferSize,
                                         short replication, long blockSize, Progressable progress) throws IOException {
            File local = new LocalDirAllocator("fs.s3a.buffer.dir").createTmpFileForWrite("iceberg-upload-", -1, conf);
            OutputStream out = new BufferedOutputStream(new FileOutputStream(local), 1 << 16) {
                private boolean closed;

                @Override
                public void close() throws IOException {
                    if (!closed) {
                        closed = true;
                        super.close();
                        upload(local, target);
                    }
                }
            };
            return new FSDataOutputStream(out, null);
        }

        private void upload(File local, Path target) {
            FileSystem store = getRawFileSystem();
            Future<?> done = pool(Math.max(1, conf.getInt("fs.s3a.committer.threads", RequestsInFlight.LEAST)))
                    .submit(() -> {
                        try (InputStream in = Files.newInputStream(local.toPath());
                             FSDataOutputStream out = store.create(target, true)) {
                            in.transferTo(out);
                        } finally {
                            local.delete();
                        }
                        return null;
                    });
            started(task, new Upload(target.toString(), local, done));
        }
    }
}
