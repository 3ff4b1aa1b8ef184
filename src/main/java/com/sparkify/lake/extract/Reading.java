package com.sparkify.lake.extract;

import java.util.Optional;
import java.util.function.Supplier;

import org.apache.hadoop.conf.Configuration;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.store.StoreErrors;

/**
 * Reads of the input, with their failures said in one line. Bad records are quarantined, so what still fails a
 * read is the storage itself, a file that went, or a line too long to hold: the message names the input and
 * what to do, and says that the lake's tables are as they were.
 */
public final class Reading {

    private Reading() {
    }

    public static <T> T of(String path, Configuration hadoop, Supplier<T> read) {
        try {
            return read.get();
        } catch (LakeException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked, but Scala code throws it from anywhere
            throw explain(path, hadoop, e);
        }
    }

    private static LakeException explain(String path, Configuration hadoop, Exception e) {
        Optional<LakeException> store = StoreErrors.explain(path, e, hadoop);
        if (store.isPresent()) {
            return store.get();
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        // A link that leads back into the folder holding it: a listing that never ends, or the system's
        // "too many levels of symbolic links". Its own message is a path hundreds of folders deep.
        Optional<String> loop = Inputs.linkLoop(path, hadoop);
        if (loop.isPresent()) {
            return new LakeException("Reading " + path + " failed: " + loop.get() + ". Remove the link or point "
                    + "it elsewhere; the lake's tables are as they were.", e);
        }
        if (root instanceof OutOfMemoryError || String.valueOf(root.getMessage()).contains("Java heap space")) {
            // One line of a log file is one record, held whole in memory: name the file whose line did not fit.
            Optional<String> longLine = Inputs.longLine(path, hadoop);
            return new LakeException("Reading " + path + " failed: " + longLine.map(line -> line + ", more "
                    + "than this run's memory can hold as one record (one line is one event). Split or remove "
                    + "that line; the lake's tables are as they were.").orElse("the run ran out of memory ("
                    + firstLine(root) + "). Give it more (--conf spark.driver.memory=…, or JAVA_OPTS=-Xmx… "
                    + "for bin/sparkify-lake); the lake's tables are as they were."), e);
        }
        Optional<String> gone = Inputs.vanished(root, hadoop);
        if (gone.isPresent()) {
            return new LakeException("Reading " + path + " failed: " + gone.get() + " was listed as input but "
                    + "was gone when it was read (moved or deleted while the run read its input). The lake's "
                    + "tables are as they were; run etl again once the input is settled.", e);
        }
        // Spark's own message can misname the cause (a file it may not read "does not exist"): give the
        // innermost one too, usually the operating system's or the object store's own words.
        String cause = firstLine(e) + (root == e ? "" : " (cause: " + firstLine(root) + ")");
        return new LakeException("Reading " + path + " failed: " + cause, e);
    }

    /** The first line of a failure's message, or its kind when it has none. */
    public static String firstLine(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    /** Every file of an input folder, with its size, time and ETag, in one listing. */
    public static java.util.List<WholeFiles.Found> list(String root, Configuration hadoop) {
        return of(root, hadoop, () -> {
            try {
                return WholeFiles.list(root, hadoop);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
