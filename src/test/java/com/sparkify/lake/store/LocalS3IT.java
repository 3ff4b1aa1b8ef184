package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
import com.sparkify.lake.support.StandaloneCluster;

/**
 * docs/s3.md's "Try it on a laptop", run as the page gives it: {@code bin/local-s3 start}, a generated input
 * built into a lake in the store with the config file the start wrote, {@code check}, {@code stop}. Only the
 * page's folders are moved into this test's own (its {@code /tmp/…} paths and {@code .sparkify-local/}), so
 * that a store the user has running is left alone. An IT: it runs the built launcher, after {@code package}.
 */
@Tag("slow")
class LocalS3IT {

    private static final String PAGE = "docs/s3.md";
    private static final String HEADING = "## Try it on a laptop";
    private static final String MARKER = "-Dsparkify.local=";

    @TempDir
    Path work;

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void theDocumentedStepsBuildALakeInALocalStoreAndLeaveNothingRunning() throws Exception {
        Path state = work.resolve("state");
        List<String> page = DocumentedCommands.under(Path.of(PAGE), HEADING);
        assertTrue(page.get(0).startsWith("bin/local-s3 start"), PAGE + " starts the store first: " + page);
        assertEquals("bin/local-s3 stop", page.get(page.size() - 1), PAGE + " stops the store last");

        Map<String, String> environment = new HashMap<>();
        environment.put("SPARKIFY_LOCAL_STATE", state.toString());
        // Nothing may ask the instance-metadata address; the keys come from the config file alone.
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
        for (String name : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")) {
            environment.put(name, null);
        }
        // Two cores shared with other tests: a driver of 1 GiB is plenty for this input.
        environment.put("SPARKIFY_JAVA_OPTS", "-Xmx1g");

        List<Long> pids = new ArrayList<>();
        List<DocumentedCommands.Result> results = new ArrayList<>();
        Path objects = null;
        String lakeKey = null;
        String secret = null;
        try {
            for (int i = 0; i < page.size(); i++) {
                String command = page.get(i).replace("/tmp/", work + "/").replace(".sparkify-local/", state + "/");
                if (command.equals("bin/local-s3 stop")) {
                    assertTrue(objects != null && lakeKey != null, "the page's start has a --dir and its etl an "
                            + "--output s3a://…: " + page);
                    for (String table : Lakes.TABLES) {
                        assertTrue(Files.isRegularFile(objects.resolve(lakeKey).resolve(table).resolve("_SUCCESS")),
                                "the store holds no committed table " + table + " under " + objects.resolve(lakeKey));
                    }
                }
                long started = System.nanoTime();
                DocumentedCommands.Result result = DocumentedCommands.run(command, environment,
                        work.resolve("step-" + (i + 1) + ".log"), Duration.ofMinutes(8));
                results.add(result);
                System.out.printf("%s: exit %d in %.1f s%n", page.get(i), result.code(),
                        (System.nanoTime() - started) / 1e9);
                assertEquals(0, result.code(), "`" + page.get(i) + "` failed:\n" + StandaloneCluster.tail(result.output()));

                if (i == 0) {
                    pids.addAll(DocumentedCommands.recordedPids(state.resolve("s3")));
                    assertEquals(1, pids.size(), "start records the store's pid");
                    objects = Path.of(match("--dir (\\S+)", command));
                    Path config = state.resolve("s3.cfg");
                    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config)),
                            "the keys are readable by the user only");
                    String text = Files.readString(config);
                    secret = match("(?m)^AWS_SECRET_ACCESS_KEY = (\\S+)$", text);
                    String endpoint = match("(?m)^endpoint = (http://127\\.0\\.0\\.1:\\d+)$", text);
                    String key = match("(?m)^AWS_ACCESS_KEY_ID = (\\S+)$", text);
                    // The lines to paste, on the page of output; the secret only in the file (not a terminal).
                    assertTrue(result.output().contains("AWS_ACCESS_KEY_ID = " + key + "\n"), result.output());
                    assertTrue(result.output().contains("AWS_SECRET_ACCESS_KEY = (in " + config + ")"), result.output());
                    assertTrue(result.output().contains("endpoint = " + endpoint + "\n"), result.output());
                    assertTrue(result.output().contains("path_style_access = true\n"), result.output());
                    assertFalse(ProcessHandle.of(pids.get(0)).orElseThrow().info().commandLine().orElse("")
                            .contains(secret), "the secret is on the store's command line, for ps to show");
                }
                if (command.contains(" etl ")) {
                    lakeKey = match("--output s3a://(\\S+)", command);
                    assertTrue(result.output().contains("store requests"), "the run went through S3:\n"
                            + StandaloneCluster.tail(result.output()));
                }
                if (command.contains(" check ")) {
                    assertTrue(result.output().contains("checks passed"), result.output());
                }
            }

            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "process " + pid + " still runs after bin/local-s3 stop");
            }
            assertFalse(Files.exists(state.resolve("s3.cfg")), "stop deletes the keys it made");
            DocumentedCommands.Result status = DocumentedCommands.run("bin/local-s3 status", environment,
                    work.resolve("status.log"), Duration.ofMinutes(1));
            assertEquals(3, status.code(), status.output());
            assertEquals("not running\n", status.output());

            for (DocumentedCommands.Result result : results) {
                assertFalse(result.output().contains(secret), "`" + result.command() + "` printed the secret");
            }
            try (Stream<Path> files = Files.walk(state)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertFalse(Files.readString(file).contains(secret), file + " still holds the secret");
                }
            }
        } finally {
            DocumentedCommands.killAll(MARKER + state.resolve("s3"));
        }
    }

    private static String match(String regex, String text) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertTrue(matcher.find(), "no /" + regex + "/ in:\n" + text);
        return matcher.group(1);
    }
}
