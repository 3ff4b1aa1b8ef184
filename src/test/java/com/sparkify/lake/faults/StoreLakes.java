package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.S3ProxyServer;

/**
 * Lakes on an object store for the scenarios that go through S3: an S3Proxy on loopback holding the world's
 * {@code before} and {@code after} inputs in one bucket, the runs' config files (whose secret the harness looks
 * for everywhere else), and a judge that reads a lake as S3Proxy keeps it on its disk, not through S3A or the
 * project's code. An Iceberg lake's catalog is a SQLite file per lake, as a user would configure one.
 */
final class StoreLakes implements AutoCloseable {

    static final String BUCKET = "faults";
    private static final String IDENTITY = "AKIAFAULTSSTORE00001";

    final Path home;
    final FaultHarness.World world;
    private S3ProxyServer store;

    private StoreLakes(Path home, FaultHarness.World world, S3ProxyServer store) {
        this.home = home;
        this.world = world;
        this.store = store;
    }

    /** A store of its own in {@code home}, with both inputs uploaded. */
    static StoreLakes start(Path home, FaultHarness.World world) throws IOException {
        Files.createDirectories(home);
        StoreLakes lakes = new StoreLakes(home, world, S3ProxyServer.start(home, IDENTITY, world.secrets().secret));
        lakes.store.createBucket(BUCKET);
        lakes.store.putTree(BUCKET, "before", world.before());
        lakes.store.putTree(BUCKET, "after", world.after());
        return lakes;
    }

    S3ProxyServer server() {
        return store;
    }

    /** The store's process killed (SIGKILL), as a store that dies. */
    void kill() {
        ProcessHandle.of(store.pid()).ifPresent(ProcessHandle::destroyForcibly);
        store.close();
    }

    /** The store back on its disk, on a new port (config files name it: runs take a new one). */
    void restart() throws IOException {
        store = S3ProxyServer.start(home, IDENTITY, world.secrets().secret);
    }

    /** Puts a tree of input files into the bucket under {@code prefix}. */
    void put(String prefix, Path root) throws IOException {
        store.putTree(BUCKET, prefix, root);
    }

    static String uri(String key) {
        return "s3a://" + BUCKET + "/" + key;
    }

    /** The config file of runs and queries on {@code lake}: the store's keys and endpoint, and a catalog. */
    String config(boolean iceberg, String lake) throws IOException {
        Path config = home.resolve(lake + "-" + store.endpoint().replaceAll("\\D", "") + ".cfg");
        world.secrets().holders.add(config.toAbsolutePath());
        holders();
        String text = store.config(IDENTITY, world.secrets().secret, "spark.sql.shuffle.partitions = 4")
                + (iceberg ? "\n[catalog]\nuri = jdbc:sqlite:" + catalog(lake) + "\n" : "");
        Files.writeString(config, text);
        return config.toString();
    }

    String[] etl(boolean iceberg, String input, String lake, String... more) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("etl", "--input", uri(input), "--output", uri(lake),
                "--config", config(iceberg, lake)));
        if (iceberg) {
            arguments.addAll(List.of("--format", "iceberg"));
        }
        arguments.addAll(List.of(more));
        return arguments.toArray(String[]::new);
    }

    /** Runs etl of one input into a lake on the store; the lake as the judge reads it, or null if it failed. */
    Map<String, LakeFingerprint.Contents> load(boolean iceberg, String input, String lake, Outcome outcome,
                                               int round) throws IOException, InterruptedException {
        EtlProcess.Finished done = EtlProcess.run(home, Map.of(), etl(iceberg, input, lake));
        world.secrets().scan("etl through S3Proxy", done.output());
        if (done.code() != 0) {
            outcome.fail(round, "etl of " + input + " into " + lake + " failed: " + tail(done.output()));
            return null;
        }
        return read(iceberg, lake);
    }

    /** The lake's folder on S3Proxy's disk: the bucket's objects are files under its data folder. */
    Path onDisk(String lake) {
        return home.resolve("s3proxy-data").resolve(BUCKET).resolve(lake);
    }

    /** The lake as S3Proxy keeps it on its disk. */
    Map<String, LakeFingerprint.Contents> read(boolean iceberg, String lake) {
        if (!iceberg) {
            return LakeFingerprint.of(onDisk(lake), false);
        }
        Path objects = home.resolve("s3proxy-data").resolve(BUCKET);
        return LakeFingerprint.ofCatalog(catalog(lake), location -> location.replaceFirst("^s3a://" + BUCKET + "/",
                objects.toAbsolutePath().toUri().toString()));
    }

    /** Each lake its own catalog database, as one lake per catalog namespace would have it. */
    Path catalog(String lake) {
        return home.resolve(lake + ".db").toAbsolutePath();
    }

    /** S3Proxy's settings files name its credential, which is the secret: the store's, not a leak. */
    private void holders() throws IOException {
        try (Stream<Path> settings = Files.list(home)) {
            settings.filter(file -> file.getFileName().toString().endsWith(".properties"))
                    .forEach(file -> world.secrets().holders.add(file.toAbsolutePath()));
        }
    }

    static String tail(String output) {
        List<String> lines = output.lines().toList();
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    static String lastLine(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank()).toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    @Override
    public void close() throws IOException {
        store.close();
        holders();
    }
}
