package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarOutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.cli.SparkifyLake;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.pipeline.Pipeline;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.TestSpark;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The lake built from an S3-compatible store into it (S3Proxy on loopback), through the command line as a user
 * runs it, against the lake a local run builds from the same files.
 *
 * <p>Every failure case reads a bucket no earlier case touched: Hadoop caches one S3A client per bucket for the
 * life of the JVM, with the credentials and endpoint it was created with, so a bucket already opened with good
 * keys would hide the bad ones.
 */
@Tag("slow")
class S3LakeTest {

    /** Recognisable, so that a leak anywhere is found by a plain text search. */
    static final String ACCESS_KEY = "sparkify-test-access-key";
    static final String SECRET = "FAKE-SECRET-7c0ffee-sparkify-must-not-leak";
    static final Duration PROMPT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static Path config;
    static String localLake;
    static Result firstRun;

    record Result(int code, String out, String err, String logs, Duration took) {
        String everything() {
            return out + "\n" + err + "\n" + logs;
        }
    }

    @BeforeAll
    static void buildBothLakes() throws IOException {
        Path sample = TestSpark.sample();
        SparkSession spark = TestSpark.session();
        s3 = S3ProxyServer.start(work, ACCESS_KEY, SECRET);
        s3.createBucket("raw");
        s3.createBucket("lake");
        config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(ACCESS_KEY, SECRET));

        // The sample goes in through the S3 API, as a real store holds it (with ETags).
        Engine.prepare(spark, TestSpark.settings().withConfig(LakeConfig.load(config)));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileSystem raw = FileSystem.get(URI.create("s3a://raw/"), hadoop);
        for (String folder : List.of("song_data", "log_data")) {
            raw.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(sample.resolve(folder).toUri()),
                    new org.apache.hadoop.fs.Path("s3a://raw/sample/" + folder));
        }

        localLake = work.resolve("local-lake").toString();
        new Pipeline(spark, TestSpark.settings(), new Progress(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8))).run(sample.toString(), localLake);

        firstRun = etl("--input", "s3a://raw/sample", "--output", "s3a://lake/sparkify", "--config",
                config.toString());
    }

    @AfterAll
    static void stopTheServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void theLakeBuiltThroughS3EqualsTheLocalOneRowForRow() {
        assertEquals(0, firstRun.code(), firstRun.err());
        SparkSession spark = TestSpark.session();
        Map<String, Long> expected = Map.of("songs", 71L, "artists", 69L, "users", 97L, "songplays", 6_820L,
                "time", 6_813L);
        for (var table : expected.entrySet()) {
            Dataset<Row> local = spark.read().parquet(localLake + "/" + table.getKey());
            Dataset<Row> remote = spark.read().parquet("s3a://lake/sparkify/" + table.getKey());
            assertEquals(List.of(local.columns()), List.of(remote.columns()), table.getKey());
            assertEquals(table.getValue(), remote.count(), table.getKey());
            assertEquals(0, local.exceptAll(remote).count(), table.getKey() + ": rows only in the local lake");
            assertEquals(0, remote.exceptAll(local).count(), table.getKey() + ": rows only in the S3 lake");
        }
    }

    @Test
    void everyTableWasCommittedByTheStagingCommitterAndNothingWasLeftBehind() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String table : List.of("songs", "artists", "users", "songplays", "time")) {
            JsonNode success = json.readTree(read("lake", "sparkify/" + table + "/_SUCCESS"));
            // The staging committer: tasks upload in parallel at task commit, the job commit completes the uploads.
            assertEquals("directory", success.path("committer").asText(), table + ": " + success);
            assertTrue(success.path("filenames").size() > 0, table + " lists the files it committed");
        }
        List<String> keys = keys("lake");
        assertTrue(keys.contains("sparkify/_run/summary.json"), keys.toString());
        assertTrue(keys.stream().noneMatch(key -> key.contains("__magic") || key.contains("_staging")
                || key.contains("_temporary")), "no committer or staging leftovers: " + keys);
    }

    @Test
    void aReRunFromALocalInputReplacesEveryPartitionedTableWhole() throws IOException {
        // A partition the new run does not produce: a static overwrite of the table must remove it too.
        try (S3Client client = s3.client()) {
            client.putObject(request -> request.bucket("lake").key("sparkify/songs/year=1900/artist_id=GONE/"
                    + "part-stale.parquet"), software.amazon.awssdk.core.sync.RequestBody.fromString("stale"));
        }
        // Local input, S3 output: the two mix freely.
        Result again = etl("--input", TestSpark.sample().toString(), "--output", "s3a://lake/sparkify", "--config",
                config.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(keys("lake").stream().noneMatch(key -> key.contains("year=1900")), "the stale partition is gone");
        SparkSession spark = TestSpark.session();
        assertEquals(71, spark.read().parquet("s3a://lake/sparkify/songs").count());
        assertEquals(6_820, spark.read().parquet("s3a://lake/sparkify/songplays").count());
        assertNoSecretIn(again.everything(), "the re-run's output and logs");
    }

    @Test
    void theSecretIsNowhereTheRunWrote() throws Exception {
        assertEquals(0, firstRun.code(), firstRun.err());
        assertNoSecretIn(firstRun.everything(), "the run's output, progress and logs");
        assertTrue(firstRun.logs().contains("INFO"), "the logs were captured at INFO: " + firstRun.logs().length());
        for (String key : keys("lake")) {
            assertNoSecretIn(new String(read("lake", key), StandardCharsets.UTF_8), "s3a://lake/" + key);
        }
        SparkSession spark = TestSpark.session();
        assertFalse(List.of(spark.sparkContext().getConf().getAll()).toString().contains(SECRET),
                "SparkConf holds no key");

        // What the Spark UI's Environment page shows: posted at start and again whenever a jar is added.
        // The shared session's tasks fetch every added jar for as long as the test JVM lives, so the jar
        // stays in target/ rather than in this class's temporary folder.
        Path emptyJar = Path.of("target", "s3-test-empty.jar").toAbsolutePath();
        new JarOutputStream(Files.newOutputStream(emptyJar)).close();
        spark.sparkContext().addJar(emptyJar.toString());
        spark.sparkContext().listenerBus().waitUntilEmpty();
        var environment = spark.sparkContext().statusStore().environmentInfo();
        String hadoopProperties = environment.hadoopProperties().toString();
        assertTrue(hadoopProperties.contains("fs.s3a.secret.key"), "the page lists the Hadoop settings");
        assertNoSecretIn(hadoopProperties + environment.sparkProperties() + environment.systemProperties(),
                "the Spark UI's environment page");
    }

    @Test
    void wrongCredentialsEndPromptlyWithAShortMessage() throws IOException {
        s3.createBucket("locked");
        Path wrong = work.resolve("wrong.cfg");
        Files.writeString(wrong, s3.config(ACCESS_KEY, "NOT-THE-SECRET-0123456789"));
        Result result = etl("--input", "s3a://locked/sample", "--output", "s3a://locked/lake", "--config",
                wrong.toString());
        assertFailedPromptly(result, "Access denied to s3a://locked/sample (HTTP 403)");
        assertTrue(result.err().contains("Check the credentials"), result.err());
        assertFalse(result.err().contains("NOT-THE-SECRET-0123456789"), result.err());
    }

    @Test
    void aMissingBucketEndsPromptlyWithAShortMessage() {
        Result result = etl("--input", "s3a://no-such-bucket/sample", "--output", "s3a://no-such-bucket/lake",
                "--config", config.toString());
        assertFailedPromptly(result, "The bucket 'no-such-bucket' does not exist at " + s3.endpoint());
    }

    @Test
    void anUnreachableEndpointEndsPromptlyWithAShortMessage() throws IOException {
        Path nowhere = work.resolve("nowhere.cfg");
        String closedPort = "http://127.0.0.1:" + S3ProxyServer.freePort();
        Files.writeString(nowhere, s3.config(ACCESS_KEY, SECRET).replace(s3.endpoint(), closedPort));
        Result result = etl("--input", "s3a://elsewhere/sample", "--output", "s3a://elsewhere/lake",
                "--config", nowhere.toString());
        assertFailedPromptly(result, "Cannot reach the object store at " + closedPort);
    }

    @Test
    void aKeyInsideAUriIsRefusedWithoutRepeatingIt() {
        Result result = etl("--input", "s3a://" + ACCESS_KEY + ":" + SECRET + "@raw/sample", "--output",
                "s3a://lake/other", "--config", config.toString());
        assertFailedPromptly(result, "Credentials do not belong in a URI (s3a://raw/sample)");
    }

    private static void assertFailedPromptly(Result result, String expectedStart) {
        assertEquals(1, result.code(), result.err());
        assertTrue(result.err().lines().anyMatch(line -> line.startsWith("sparkify-lake: " + expectedStart)),
                result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
        assertTrue(result.took().compareTo(PROMPT) < 0, "took " + result.took());
        assertNoSecretIn(result.everything(), "a failed run's output and logs");
    }

    private static void assertNoSecretIn(String text, String where) {
        assertFalse(text.contains(SECRET), "the secret leaked into " + where);
    }

    /** Runs the command line as a user would, with its output, its progress and every log line at INFO. */
    static Result etl(String... args) {
        List<String> command = new ArrayList<>(List.of("etl"));
        command.addAll(List.of(args));
        StringWriter logs = new StringWriter();
        PrintStream stdout = System.out;
        PrintStream stderr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        LoggerConfig root = logging.getConfiguration().getRootLogger();
        Level level = root.getLevel();
        // Every logger at INFO into the capture; the console keeps showing warnings only.
        Appender console = logging.getConfiguration().getAppender("console");
        WriterAppender appender = WriterAppender.createAppender(
                PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build(), null, logs, "s3-test", false, true);
        appender.start();
        Instant start = Instant.now();
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            root.removeAppender("console");
            root.addAppender(console, Level.WARN, null);
            root.addAppender(appender, Level.INFO, null);
            root.setLevel(Level.INFO);
            logging.updateLoggers();
            // Created after System.err is swapped: picocli's writers print to the streams of that moment.
            code = SparkifyLake.commandLine().execute(command.toArray(String[]::new));
        } finally {
            root.setLevel(level);
            root.removeAppender("s3-test");
            root.removeAppender("console");
            root.addAppender(console, null, null);
            logging.updateLoggers();
            appender.stop();
            System.setOut(stdout);
            System.setErr(stderr);
        }
        Duration took = Duration.between(start, Instant.now());
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                logs.toString(), took);
    }

    private static byte[] read(String bucket, String key) {
        try (S3Client client = s3.client()) {
            return client.getObjectAsBytes(request -> request.bucket(bucket).key(key)).asByteArray();
        }
    }

    private static List<String> keys(String bucket) {
        try (S3Client client = s3.client()) {
            return client.listObjectsV2Paginator(request -> request.bucket(bucket)).contents().stream()
                    .map(S3Object::key).toList();
        }
    }
}
