package com.sparkify.lake.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import com.sparkify.lake.config.ServeAccess;
import com.sparkify.lake.serve.LakeServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves a lake to notebooks and applications over Spark Connect (sc://HOST:PORT): its tables "
                + "answer by their names, read-only, always from one run; a new run is picked up as it publishes.",
            "Loopback only, unless a token is given under [serve] in --config or in " + ServeAccess.TOKEN_VARIABLE
                + ". Ctrl-C stops it."})
final class ServeCommand implements Callable<Integer> {

    /** Before the Spark session's own shutdown hook (priority 50) stops what the server runs on. */
    private static final int STOP_PRIORITY = 100;

    @Mixin
    LakeOption lake;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = ServeAccess.DEFAULT_HOST,
            description = "The address to listen on (default: ${DEFAULT-VALUE}, this machine only). Another needs a "
                + "token.")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ServeAccess.DEFAULT_PORT,
            description = "The port (default: ${DEFAULT-VALUE}, Spark Connect's).")
    int port;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 1 || port > 65_535) {
            throw new UsageError("--port must be between 1 and 65535, not " + port + ".");
        }
        LakeServer server = LakeServer.start(lake.lake, host, port, config.config(), config.settings());
        org.apache.hadoop.util.ShutdownHookManager.get().addShutdownHook(() -> {
            server.close();
            System.err.println("sparkify-lake serve: stopped; no client is connected any more.");
            System.err.flush();
        }, STOP_PRIORITY);
        System.out.println(server.readyLine());
        System.out.flush();
        // Serves until a signal (Ctrl-C, SIGTERM) ends the process, whose shutdown hook above stops the server.
        new CountDownLatch(1).await();
        return 0;
    }
}
