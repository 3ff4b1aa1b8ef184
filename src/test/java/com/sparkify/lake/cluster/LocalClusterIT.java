package com.sparkify.lake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.DocumentedCommands;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.StandaloneCluster;

/**
 * docs/cluster.md's "On a laptop: a loopback cluster", run as the page gives it: {@code bin/local-cluster
 * start}, a generated input built by {@code bin/sparkify-lake etl --master spark://…} on that cluster, and
 * {@code stop}. Only the page's folders and port are moved into this test's own ({@code /tmp/…},
 * {@code .sparkify-local/}, a free port for 7077), so that a cluster the user has running is left alone.
 */
@Tag("slow")
class LocalClusterIT {

    private static final String PAGE = "docs/cluster.md";
    private static final String HEADING = "### On a laptop: a loopback cluster";
    private static final String MARKER = "-Dsparkify.local=";

    @TempDir
    Path work;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void theDocumentedStepsRunTheJobOnALoopbackClusterAndStopIt() throws Exception {
        Path state = work.resolve("state");
        Path run = state.resolve("cluster");
        List<String> page = DocumentedCommands.under(Path.of(PAGE), HEADING);
        assertTrue(page.get(0).startsWith("bin/local-cluster start --port 7077"), PAGE + " starts the cluster first: " + page);
        assertEquals("bin/local-cluster stop", page.get(page.size() - 1), PAGE + " stops the cluster last");
        String port = String.valueOf(S3ProxyServer.freePort());

        Map<String, String> environment = new HashMap<>();
        environment.put("SPARKIFY_LOCAL_STATE", state.toString());
        // Failsafe sets it for the other cluster tests; a user has it not, and the launcher must keep the driver
        // on loopback by itself.
        environment.put("SPARK_LOCAL_IP", null);
        environment.put("SPARKIFY_JAVA_OPTS", "-Xmx1g");

        List<Long> pids = new ArrayList<>();
        List<Long> executors = new ArrayList<>();
        try {
            for (int i = 0; i < page.size(); i++) {
                String command = page.get(i).replace("/tmp/", work + "/").replace(".sparkify-local/", state + "/")
                        .replace(":7077", ":" + port).replace("--port 7077", "--port " + port);
                if (command.equals("bin/local-cluster stop")) {
                    // The executors have ended with the run; any left would be the worker's children.
                    pids.stream().map(ProcessHandle::of).flatMap(java.util.Optional::stream)
                            .flatMap(ProcessHandle::descendants).forEach(child -> executors.add(child.pid()));
                }
                long started = System.nanoTime();
                DocumentedCommands.Result result = DocumentedCommands.run(command, environment,
                        work.resolve("step-" + (i + 1) + ".log"), Duration.ofMinutes(8));
                System.out.printf("%s: exit %d in %.1f s%n", page.get(i), result.code(),
                        (System.nanoTime() - started) / 1e9);
                assertEquals(0, result.code(), "`" + command + "` failed:\n" + StandaloneCluster.tail(result.output()));

                if (i == 0) {
                    pids.addAll(DocumentedCommands.recordedPids(run));
                    assertEquals(2, pids.size(), "start records the master's and the worker's pids");
                    assertTrue(result.output().contains("bin/sparkify-lake etl --master spark://127.0.0.1:" + port + " "),
                            "start prints the --master to use:\n" + result.output());
                }
                if (command.contains(" etl ")) {
                    assertTrue(result.output().contains("The lake is in file:"), StandaloneCluster.tail(result.output()));
                    Path lake = Path.of(command.replaceFirst(".*--output (\\S+).*", "$1"));
                    for (String table : Lakes.TABLES) {
                        assertTrue(Files.isDirectory(lake.resolve(table)), "no table " + table + " in " + lake);
                    }
                    // Row for row the lake of a local-mode run of the same input.
                    Path input = Path.of(command.replaceFirst(".*--input (\\S+).*", "$1"));
                    Path local = work.resolve("local-mode-lake");
                    Lakes.build(input, local);
                    Lakes.assertSameTables(local, lake);
                    List<String> executorLogs = executorLogs(run.resolve("worker-1"));
                    assertFalse(executorLogs.isEmpty(), "no executor ran on the worker: the run was not on the cluster");
                    for (String log : executorLogs) {
                        // The driver advertises the address it listens on (Spark names 127.0.0.1 "localhost"):
                        // its executors reached it on loopback, not on the machine's network address.
                        Matcher driver = Pattern.compile("Connecting to driver: spark://CoarseGrainedScheduler@([^:]+):")
                                .matcher(log);
                        assertTrue(driver.find(), "an executor log without its driver's address");
                        assertTrue(List.of("127.0.0.1", "localhost").contains(driver.group(1)),
                                "the driver was reached at " + driver.group(1) + ", not on loopback");
                    }
                }
            }

            List<Long> all = new ArrayList<>(pids);
            all.addAll(executors);
            for (long pid : all) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "process " + pid + " still runs after bin/local-cluster stop");
            }
            DocumentedCommands.Result status = DocumentedCommands.run("bin/local-cluster status", environment,
                    work.resolve("status.log"), Duration.ofMinutes(1));
            assertEquals(3, status.code(), status.output());
            assertEquals("not running\n", status.output());
        } finally {
            DocumentedCommands.killAll(MARKER + run);
        }
    }

    /** The output of every executor the worker started: {@code <app>/<executor id>/stderr}. */
    private static List<String> executorLogs(Path workerDir) throws IOException {
        List<String> logs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(workerDir, 3)) {
            for (Path file : files.filter(f -> f.getFileName().toString().equals("stderr")).toList()) {
                logs.add(Files.readString(file));
            }
        }
        return logs;
    }
}
