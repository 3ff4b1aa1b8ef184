package com.sparkify.lake.serve;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Optional;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connect.service.SparkConnectService$;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.config.ServeAccess;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.store.Secrets;

/**
 * A lake served over Spark Connect: Spark's own Connect server, in this process, on the Spark the commands use.
 * Clients (PySpark's {@code SparkSession.builder.remote("sc://HOST:PORT")}, the JVM client) get sessions of
 * their own in which the lake's five tables answer by their plain names ({@link LakeNames}), from one run at
 * a time ({@link ServedLake}), and nothing can change the lake ({@link ReadOnly}).
 */
public final class LakeServer implements AutoCloseable {

    /** Spark Connect's settings, as its server reads them from the Spark configuration at start. */
    static final String BINDING_ADDRESS = "spark.connect.grpc.binding.address";
    static final String BINDING_PORT = "spark.connect.grpc.binding.port";
    static final String TOKEN = "spark.connect.authenticate.token";

    private final SparkSession spark;
    private final ServedLake lake;
    private final String host;
    private final int port;
    private final boolean token;
    private volatile boolean closed;

    private LakeServer(SparkSession spark, ServedLake lake, String host, int port, boolean token) {
        this.spark = spark;
        this.lake = lake;
        this.host = host;
        this.port = port;
        this.token = token;
    }

    /**
     * Starts serving the lake at {@code host:port}. Beyond loopback only with a token (refused before anything
     * starts); the lake's current run is read before the port opens, so the first query finds a warm lake.
     */
    public static LakeServer start(String lakePath, String host, int port, LakeConfig config, Settings settings) {
        Optional<String> token = ServeAccess.token(config);
        ServeAccess.requireTokenBeyondLoopback(host, token);
        token.ifPresent(Secrets::register);
        requirePortFree(host, port);
        if (SparkSession.getDefaultSession().isDefined()) {
            // Its session extensions, which every client session inherits, were fixed when it started.
            throw new LakeException("serve needs a Spark session of its own, and this process already runs one.");
        }
        Settings served = settings.withConfig(config)
                .withSpark(Settings.EXTENSIONS, Settings.ICEBERG_EXTENSIONS + "," + ServeExtensions.class.getName())
                // Every client session's default: hours and days are UTC in the lake and in its answers.
                .withSpark("spark.sql.session.timeZone", "UTC")
                // A client session starts from Spark's defaults, not from this session's settings: without this,
                // each of its shuffles would make Spark's 200 tasks for a lake of a few thousand rows.
                .withSpark(Settings.SHUFFLE_PARTITIONS, String.valueOf(
                        Settings.floorShufflePartitions(Runtime.getRuntime().availableProcessors())))
                .withSpark(BINDING_ADDRESS, host)
                .withSpark(BINDING_PORT, String.valueOf(port));
        if (token.isPresent()) {
            served = served.withSpark(TOKEN, token.get());
        }
        SparkSession spark = Engine.start(served);
        ServedLake lake = null;
        try {
            lake = new ServedLake(spark, lakePath, config);
            ServeExtensions.serve(lake);
            lake.current();
            SparkConnectService$.MODULE$.start(spark.sparkContext());
            return new LakeServer(spark, lake, host, SparkConnectService$.MODULE$.localPort(), token.isPresent());
        } catch (RuntimeException e) {
            ServeExtensions.serve(null);
            if (lake != null) {
                lake.close();
            }
            spark.stop();
            throw e;
        }
    }

    /** Spark would take the next free port on its own, and a client given this one would reach another server. */
    private static void requirePortFree(String host, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new LakeException("serve cannot listen on " + host + ":" + port + ": " + (e.getMessage() == null
                    ? e.getClass().getSimpleName() : e.getMessage().toLowerCase(java.util.Locale.ROOT))
                    + ". Is another server on that port? Give another with --port.");
        }
    }

    public String url() {
        return "sc://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    public int port() {
        return port;
    }

    public ServedLake lake() {
        return lake;
    }

    /** The line that says the server is ready: where, what, and how to connect. */
    public String readyLine() {
        ServedLake.Version version = lake.current();
        return String.format("sparkify-lake serve: %s serves the %s lake %s (%,d rows in %d tables)%s; connect with "
                        + "SparkSession.builder.remote(\"%s%s\"); Ctrl-C stops.", url(), lake.format(), lake.lake(),
                version.rows(), version.tables().size(), token ? ", token required" : ", no token (loopback only)",
                url(), token ? "/;authorization=Bearer%20$TOKEN" : "");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            SparkConnectService$.MODULE$.stop(scala.Option.empty(), scala.Option.empty());
        } finally {
            ServeExtensions.serve(null);
            lake.close();
            spark.stop();
        }
    }
}
