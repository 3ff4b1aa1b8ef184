package com.sparkify.lake.cli;

import java.util.function.Function;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.LakeCatalog;

/** The Spark session a command runs in: one already running in this JVM is reused and left running. */
final class Sessions {

    private Sessions() {
    }

    static <T> T withSpark(Settings settings, Function<SparkSession, T> work) {
        boolean own = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = Engine.start(settings);
        try {
            return work.apply(spark);
        } finally {
            if (own) {
                spark.stop();
            }
        }
    }

    /**
     * A session of a running {@code sparkify-lake serve} (Spark Connect) instead of a Spark of this process: the
     * lake's tables answer there by their names. Closed when the work is done; the server goes on.
     */
    static <T> T withRemote(RemoteOption remote, LakeConfig config, Function<SparkSession, T> work) {
        RemoteOption.Address address = remote.address();
        requireServerAnswers(address);
        // Creating a Connect session makes it the process's default and this thread's active session, a registry
        // that local sessions share: what was there before is put back, or a local session already running here
        // (a test's, the shell's) would look gone and the next command would start and stop one of its own.
        scala.Option<SparkSession> defaultBefore = SparkSession.getDefaultSession();
        scala.Option<SparkSession> activeBefore = SparkSession.getActiveSession();
        SparkSession spark;
        try {
            spark = org.apache.spark.sql.connect.SparkSession.builder().remote(remote.connection(config)).create();
        } catch (Exception e) {
            // Exception, not RuntimeException: Spark's Scala code throws SparkException, a checked one to Java.
            throw refused(e, remote).orElseGet(() -> unchecked(e));
        }
        try {
            // As Engine.prepare does for a local session: hours and days in UTC, whatever the client's zone.
            spark.conf().set("spark.sql.session.timeZone", "UTC");
            return work.apply(spark);
        } catch (Exception e) {
            throw refused(e, remote).orElseGet(() -> unchecked(e));
        } finally {
            try {
                spark.stop();
            } catch (Exception closing) {
                // Closing tells the server, which refuses a client it did not let in: the reason above says why.
            }
            restore(defaultBefore, activeBefore);
        }
    }

    private static void restore(scala.Option<SparkSession> defaultBefore, scala.Option<SparkSession> activeBefore) {
        if (defaultBefore.isDefined()) {
            SparkSession.setDefaultSession(defaultBefore.get());
        } else {
            SparkSession.clearDefaultSession();
        }
        if (activeBefore.isDefined()) {
            SparkSession.setActiveSession(activeBefore.get());
        } else {
            SparkSession.clearActiveSession();
        }
    }

    /** Spark's client retries a closed port for minutes; a socket says in seconds that no server is there. */
    private static void requireServerAnswers(RemoteOption.Address address) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress(address.host(), address.port()), 5_000);
        } catch (java.io.IOException e) {
            throw new LakeException("No sparkify-lake serve answered at sc://" + address.host() + ":" + address.port()
                    + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().toLowerCase(java.util.Locale.ROOT)) + "). Start one with: sparkify-lake serve "
                    + "--lake LAKE, or check the host and port its first line gave.");
        }
    }

    /** A server that refused this client's token, said as that. */
    private static RuntimeException unchecked(Exception e) {
        return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
    }

    private static java.util.Optional<RuntimeException> refused(Exception e, RemoteOption remote) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            if (message.contains("UNAUTHENTICATED") || message.contains("authentication token")) {
                return java.util.Optional.of(new LakeException("The server at " + remote.remote + " refused this "
                        + "client: it needs its token, and none or another was given. Put it under [serve] as token = "
                        + "... in --config FILE, or set " + com.sparkify.lake.config.ServeAccess.TOKEN_VARIABLE + "."));
            }
        }
        return java.util.Optional.empty();
    }

    static <T> T withSpark(Function<SparkSession, T> work) {
        return withSpark(Settings.defaults(), work);
    }

    /** The catalog of the Iceberg lake at {@code lake}; a Parquet lake is refused with the reason. */
    static LakeCatalog icebergLake(SparkSession spark, String lake, LakeConfig config) {
        String qualified = LakeCatalog.qualified(lake, spark.sparkContext().hadoopConfiguration());
        if (!LakeCatalog.isIceberg(qualified, spark.sparkContext().hadoopConfiguration())) {
            throw new LakeException(lake + " is not a lake of Iceberg tables (it has no " + LakeCatalog.FOLDER
                    + "/): history and maintain are for lakes built with etl --format iceberg.");
        }
        return LakeCatalog.open(spark, qualified, config, false);
    }
}
