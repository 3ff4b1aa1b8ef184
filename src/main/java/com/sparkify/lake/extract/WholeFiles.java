package com.sparkify.lake.extract;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.util.functional.FutureIO;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.SerializableConfiguration;

import com.sparkify.lake.store.RequestPools;

/**
 * Many small files read whole, with their reads overlapped. On an object store a file of a few hundred
 * bytes costs a round trip of tens of milliseconds; a task that reads its files one after another waits for
 * nearly all of its time. Here each task keeps up to {@code inFlight} reads going at once, on a pool shared
 * by every task of the JVM, so that the JVM as a whole never has more than that many requests out.
 *
 * <p>Each read is exactly one request: the file's length is known from the listing and handed to
 * {@code openFile}, so S3A asks for no metadata (HEAD) first, and the whole-file read policy fetches the file
 * with a single ranged GET. The listing itself is one flat recursive listing of the root: on S3, one LIST
 * call per 1,000 objects, however many folders they sit in.
 */
public final class WholeFiles {

    /** file (as the file system names it), content (the bytes as UTF-8 text). */
    public static final StructType CONTENTS = new StructType()
            .add("file", DataTypes.StringType)
            .add("content", DataTypes.StringType);

    /**
     * A file found by {@link #list}: where it is, how many bytes it holds, when it was last written (epoch ms),
     * and the ETag an object store's listing gave it (null on a file system that has none).
     */
    public record Found(String path, long length, long modified, String etag) implements Serializable {
    }

    /** Every file below {@code root}, at any depth, in path order, but those whose name or any folder's
     *  name below the root starts with '_' or '.' (SPEC: not input). */
    public static List<Found> list(String root, Configuration hadoop) throws IOException {
        Path top = new Path(root);
        FileSystem fs = top.getFileSystem(hadoop);
        String prefix = fs.makeQualified(top).toUri().getPath();
        List<Found> found = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(top, true);
        while (files.hasNext()) {
            LocatedFileStatus file = files.next();
            if (file.isFile() && !hidden(file.getPath().toUri().getPath(), prefix)) {
                // The listing carries each object's ETag at no extra request: the content's fingerprint on a store.
                String etag = file instanceof org.apache.hadoop.fs.EtagSource tagged ? tagged.getEtag() : null;
                found.add(new Found(file.getPath().toString(), file.getLen(), file.getModificationTime(),
                        etag == null || etag.isEmpty() ? null : etag));
            }
        }
        found.sort(Comparator.comparing(Found::path));
        return found;
    }

    static boolean hidden(String path, String rootPath) {
        String below = path.startsWith(rootPath) ? path.substring(rootPath.length()) : path;
        for (String name : below.split("/")) {
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The files' contents, one row each, in {@code slices} tasks.
     *
     * @param inFlight reads a JVM has going at once at most (the pool all its tasks share)
     */
    public static Dataset<Row> read(SparkSession spark, List<Found> files, int slices, int inFlight) {
        JavaRDD<Row> contents = each(spark, files, slices, inFlight,
                (file, bytes) -> RowFactory.create(file.path(), new String(bytes, StandardCharsets.UTF_8)));
        return spark.createDataFrame(contents, CONTENTS);
    }

    /** What a task makes of one file's bytes. */
    public interface Decode<T> extends Serializable {
        T apply(Found file, byte[] bytes) throws IOException;
    }

    /**
     * Each file read whole and decoded, in {@code slices} tasks: the reads overlapped on the JVM's pool, the
     * decoding in the task, in the files' order.
     */
    public static <T> JavaRDD<T> each(SparkSession spark, List<Found> files, int slices, int inFlight,
                                      Decode<T> decode) {
        JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // The Hadoop configuration carries the store's settings and keys to the tasks, as Spark's own file
        // sources ship it: broadcast once, not serialized into every task.
        Broadcast<SerializableConfiguration> hadoop = context.broadcast(
                new SerializableConfiguration(spark.sparkContext().hadoopConfiguration()));
        return context.parallelize(files, Math.max(1, Math.min(slices, files.size())))
                .mapPartitions(part -> new Reads<>(part, hadoop.value().value(), inFlight, decode));
    }

    /** One file's bytes, as read. */
    private record Read(Found file, byte[] bytes) {
    }

    /** The decoded files of one task, in order, with up to {@code inFlight} reads ahead of the consumer. */
    private static final class Reads<T> implements Iterator<T> {

        private final Iterator<Found> files;
        private final Configuration hadoop;
        private final int inFlight;
        private final Decode<T> decode;
        private final ExecutorService pool;
        private final Deque<Future<Read>> ahead = new ArrayDeque<>();

        Reads(Iterator<Found> files, Configuration hadoop, int inFlight, Decode<T> decode) {
            this.files = files;
            this.hadoop = hadoop;
            this.inFlight = inFlight;
            this.decode = decode;
            this.pool = RequestPools.of("read", inFlight);
        }

        @Override
        public boolean hasNext() {
            while (ahead.size() < inFlight && files.hasNext()) {
                Found file = files.next();
                ahead.add(pool.submit(() -> new Read(file, bytes(file, hadoop))));
            }
            return !ahead.isEmpty();
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            try {
                Read read = ahead.poll().get();
                return decode.apply(read.file(), read.bytes());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ahead.forEach(read -> read.cancel(true));
                throw new IllegalStateException("interrupted while reading input files", e);
            } catch (IOException e) {
                ahead.forEach(read -> read.cancel(true));
                throw new UncheckedIOException(e);
            } catch (ExecutionException e) {
                ahead.forEach(read -> read.cancel(true));
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw new UncheckedIOException(io);
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException(cause);
            }
        }
    }

    static byte[] bytes(Found file, Configuration hadoop) throws IOException {
        if (file.length() > Integer.MAX_VALUE - 16) {
            throw new IOException(file.path() + " holds " + file.length() + " bytes, more than one input file "
                    + "may (2 GiB)");
        }
        Path path = new Path(file.path());
        FileSystem fs = path.getFileSystem(hadoop);
        byte[] bytes = new byte[(int) file.length()];
        // The length from the listing spares S3A its HEAD; whole-file asks for all of it in one GET.
        try (FSDataInputStream in = FutureIO.awaitFuture(fs.openFile(path)
                .opt("fs.option.openfile.read.policy", "whole-file")
                .opt("fs.option.openfile.length", Long.toString(file.length()))
                .build())) {
            in.readFully(bytes);
        }
        return bytes;
    }

    private WholeFiles() {
    }
}
