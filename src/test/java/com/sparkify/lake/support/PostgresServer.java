package com.sparkify.lake.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A PostgreSQL server of its own for a test: Debian's {@code postgresql} package (installed by .ci/run, or
 * unpacked by it into {@code SPARKIFY_POSTGRES_HOME} where it has no root), a fresh cluster in a temporary folder,
 * listening on 127.0.0.1 only, stopped by its process id. PostgreSQL refuses to run as root, so as root the server
 * runs as the package's {@code postgres} user (or {@code nobody} where the package made no such user).
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "lake";
    public static final String PASSWORD = "pg-secret-4f1d-sparkify-must-not-leak";
    public static final String DATABASE = "lakes";

    private final Path data;
    private final int port;
    private final Process process;

    private PostgresServer(Path data, int port, Process process) {
        this.data = data;
        this.port = port;
        this.process = process;
    }

    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        String owner = root ? serverUser() : null;
        // Not under the test's own temporary folder: as root that is closed to the postgres user.
        Path data = Files.createTempDirectory("sparkify-postgres-");
        Path password = data.resolve("password");
        Path cluster = data.resolve("cluster");
        Files.writeString(password, PASSWORD + "\n");
        if (root) {
            UserPrincipal postgres = data.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(owner);
            Files.setOwner(data, postgres);
            Files.setOwner(password, postgres);
        }
        run(as(owner, bin.resolve("initdb").toString(), "-D", cluster.toString(), "-U", USER, "--pwfile",
                password.toString(), "--auth=scram-sha-256", "-E", "UTF8", "--locale=C"));
        int port = S3ProxyServer.freePort();
        Process server = processBuilder(as(owner, bin.resolve("postgres").toString(), "-D", cluster.toString(),
                "-c", "listen_addresses=127.0.0.1", "-p", String.valueOf(port), "-k", data.toString()))
                .redirectErrorStream(true).redirectOutput(data.resolve("server.log").toFile()).start();
        PostgresServer started = new PostgresServer(data, port, server);
        started.awaitReady();
        try (Connection connection = started.connect("postgres"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        } catch (SQLException e) {
            started.close();
            throw new IOException("cannot create the test database: " + e.getMessage(), e);
        }
        return started;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, PASSWORD);
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Connection ignored = connect("postgres")) {
                return;
            } catch (SQLException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(data.resolve("server.log"));
                    close();
                    throw new IOException("PostgreSQL did not start: " + log);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Stops the server by its process id (the postmaster's, from its pid file) and removes its files. */
    @Override
    public void close() {
        try {
            Path pidFile = data.resolve("cluster/postmaster.pid");
            if (Files.exists(pidFile)) {
                long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).strip());
                // SIGINT: PostgreSQL's "fast" shutdown, which does not wait for clients (a catalog's pooled
                // connections) to leave.
                new ProcessBuilder("kill", "-INT", String.valueOf(pid)).inheritIO().start().waitFor();
                ProcessHandle.of(pid).ifPresent(postmaster -> postmaster.onExit()
                        .orTimeout(20, TimeUnit.SECONDS).exceptionally(e -> {
                            postmaster.destroyForcibly();
                            return postmaster;
                        }).join());
            }
            process.waitFor(20, TimeUnit.SECONDS);
            process.destroyForcibly();
            try (Stream<Path> files = Files.walk(data)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("could not stop the test's PostgreSQL in " + data, e);
        }
    }

    /** The server's programs and the libraries unpacked beside them, where .ci/run had no root to install them. */
    private static ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command);
        String home = System.getenv("SPARKIFY_POSTGRES_HOME");
        if (home != null && !home.isBlank()) {
            builder.environment().put("LD_LIBRARY_PATH",
                    home + "/usr/lib/x86_64-linux-gnu:" + home + "/lib/x86_64-linux-gnu");
        }
        return builder;
    }

    /** Where Debian puts the server's programs (they are not on the PATH): the newest version installed. */
    static Path binaries() {
        String home = System.getenv("SPARKIFY_POSTGRES_HOME");
        Path installed = home == null || home.isBlank() ? Path.of("/usr/lib/postgresql")
                : Path.of(home, "usr/lib/postgresql");
        try (Stream<Path> versions = Files.list(installed)) {
            Path newest = versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("postgres")))
                    .max(Comparator.comparing(bin -> Integer.parseInt(bin.getParent().getFileName().toString())))
                    .orElseThrow();
            return newest;
        } catch (IOException | RuntimeException e) {
            String missing = "PostgreSQL is not installed (Debian's postgresql package: apt-get install postgresql; "
                    + ".ci/run installs it).";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(missing);
            }
            Assumptions.abort(missing);
            return null;
        }
    }

    private static String serverUser() throws IOException, InterruptedException {
        Process id = new ProcessBuilder("id", "-u", "postgres").redirectErrorStream(true).start();
        id.getInputStream().readAllBytes();
        return id.waitFor() == 0 ? "postgres" : "nobody";
    }

    private static List<String> as(String user, String... command) {
        List<String> all = new ArrayList<>();
        if (user != null) {
            all.addAll(List.of("runuser", "-u", user, "--"));
        }
        all.addAll(List.of(command));
        return all;
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = processBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }
}
