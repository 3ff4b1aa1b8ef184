package com.sparkify.lake.pipeline;

import java.util.Locale;

import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeLock;

/**
 * What a run does when a person or a scheduler stops it (Ctrl-C is SIGINT, a scheduler's stop SIGTERM): it says
 * in one line what state the lake is in, removes what it wrote where readers do not look, and releases the
 * lake's lock, so the next run starts at once. The exit code is the shell's for the signal: 130 or 143.
 *
 * <p>A killed process (SIGKILL, a machine that dies) does none of this; the next run's recovery covers it.
 */
public final class Interruption implements AutoCloseable {

    /** Ahead of Hadoop's own hook, which closes the file systems this one still needs. */
    private static final int PRIORITY = 100;

    private static volatile String signal;

    private final Runnable hook;

    private Interruption(Runnable hook) {
        this.hook = hook;
    }

    /**
     * Takes SIGINT and SIGTERM from the JVM's default handling, only to remember which one came: the process
     * then exits as the JVM would have, with 128 + the signal's number, running the shutdown hooks.
     */
    public static void trapSignals() {
        trap("INT", 130);
        trap("TERM", 143);
    }

    private static void trap(String name, int exitCode) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal(name), caught -> {
                signal = "SIG" + name;
                // Not in the handler's thread, which the JVM wants back.
                new Thread(() -> System.exit(exitCode), "sparkify-" + name.toLowerCase(Locale.ROOT)).start();
            });
        } catch (IllegalArgumentException unsupported) {
            // A JVM without this signal keeps its own handling.
        }
    }

    /** Whether a signal is ending this process: a failure the run then meets is the signal's doing. */
    public static boolean signalled() {
        return signal != null;
    }

    /** Watches a run from when it holds the lake's lock until it lets it go. */
    static Interruption watch(Lake lake, String runId, LakeLock lock, boolean iceberg) {
        Runnable hook = () -> {
            String why = signal == null ? "stopped" : "stopped by " + signal;
            String state;
            if (lake.publishing()) {
                state = why + " while publishing: some tables are new and some as they were; the next etl on this "
                        + "lake finishes the publication before it does anything else.";
            } else {
                // The run's jobs would go on writing into what is removed here until Spark's own hook stops them.
                var spark = org.apache.spark.sql.SparkSession.getDefaultSession();
                if (spark.isDefined()) {
                    spark.get().sparkContext().cancelAllJobs();
                }
                lake.discard(runId);
                state = why + " before publishing: nothing was published and the lake is as it was" + (iceberg
                        ? " (what the run wrote is on branches no reader sees; the next etl drops them)"
                        : "; what the run had written is removed") + ". Run etl again to load the input.";
            }
            lock.close();
            System.err.println("sparkify-lake: " + state);
            System.err.flush();
        };
        org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(hook, PRIORITY);
        return new Interruption(hook);
    }

    @Override
    public void close() {
        try {
            org.apache.hadoop.util.ShutdownHookManager.get().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs, or has run: it is what ends this run.
        }
    }
}
