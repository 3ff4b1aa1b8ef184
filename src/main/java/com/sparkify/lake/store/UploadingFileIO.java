package com.sparkify.lake.store;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
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
import org.apache.hadoop.fs.LocalDirAllocator;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
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
        OutputFile direct = super.newOutputFile(path);
        TaskContext task = TaskContext.get();
        return task != null && uploaded(path) ? new LocalFirst(direct, conf(), task) : direct;
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

    /** A data file written to local disk first, uploaded in the background once closed. */
    private static final class LocalFirst implements OutputFile {

        private final OutputFile direct;
        private final Configuration conf;
        private final TaskContext task;

        LocalFirst(OutputFile direct, Configuration conf, TaskContext task) {
            this.direct = direct;
            this.conf = conf;
            this.task = task;
        }

        @Override
        public PositionOutputStream create() {
            return createOrOverwrite();
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
            try {
                File local = new LocalDirAllocator("fs.s3a.buffer.dir")
                        .createTmpFileForWrite("iceberg-upload-", -1, conf);
                return new LocalStream(local, this);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot make a local file to write " + location() + " to", e);
            }
        }

        void upload(File local) {
            Path target = new Path(location());
            Future<?> done = pool(Math.max(1, conf.getInt("fs.s3a.committer.threads", RequestsInFlight.LEAST)))
                    .submit(() -> {
                        try {
                            FileSystem fs = target.getFileSystem(conf);
                            try (InputStream in = Files.newInputStream(local.toPath());
                                 FSDataOutputStream out = fs.create(target, true)) {
                                in.transferTo(out);
                            }
                        } finally {
                            local.delete();
                        }
                        return null;
                    });
            started(task, new Upload(location(), local, done));
        }

        @Override
        public String location() {
            return direct.location();
        }

        @Override
        public InputFile toInputFile() {
            return direct.toInputFile();
        }
    }

    /** The local file, its position counted: closing it starts the upload. */
    private static final class LocalStream extends PositionOutputStream {

        private final File local;
        private final LocalFirst file;
        private final OutputStream out;
        private long position;
        private boolean closed;

        LocalStream(File local, LocalFirst file) throws IOException {
            this.local = local;
            this.file = file;
            this.out = new BufferedOutputStream(new FileOutputStream(local), 1 << 16);
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            position += length;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            out.close();
            file.upload(local);
        }
    }
}
