package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.Settings;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.pipeline.Pipeline;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.TestSpark;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * Where a run's round trips to an object store go, counted rather than timed: the sample read from and
 * written to an S3Proxy that answers every operation after a few milliseconds, as a remote store would. A
 * change that puts a request back on every file (a HEAD before each read, a marker or .pending file per file
 * written) multiplies a count here, whatever the machine's speed.
 *
 * <p>Its buckets are its own: Hadoop keeps one S3A client per bucket for the JVM's life, bound to the server
 * the bucket was first opened on.
 */
@Tag("slow")
class S3RoundTripsTest {

    static final String KEY = "round-trips-access-key";
    static final String SECRET = "round-trips-secret-not-a-real-one";

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static RunSummary run;
    static String progress;
    /** What the server answered during the run, by S3 operation. */
    static Map<String, Long> answered;
    static long songFiles;
    /** Files the run's writes committed: every table's Parquet files and the rejected records' JSON. */
    static long committedFiles;
    static long songsFiles;

    @BeforeAll
    static void buildTheLakeThroughASlowStore() throws Exception {
        Path sample = TestSpark.sample();
        s3 = S3ProxyServer.start(work, KEY, SECRET, 5);
        s3.createBucket("slow-raw");
        s3.createBucket("slow-lake");
        Path config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(KEY, SECRET));
        s3.putTree("slow-raw", "sample", sample);
        try (var files = Files.walk(sample.resolve("song_data"))) {
            songFiles = files.filter(Files::isRegularFile).count();
        }

        SparkSession spark = TestSpark.session();
        // The requests in flight as a user's run has them: sized from the store's answer times.
        Settings settings = TestSpark.settings().withConfig(LakeConfig.load(config));
        Map<String, Long> before = s3.requests();
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        run = new Pipeline(spark, settings, new Progress(new PrintStream(said, true, StandardCharsets.UTF_8)))
                .run("s3a://slow-raw/sample", "s3a://slow-lake/sparkify");
        progress = said.toString(StandardCharsets.UTF_8);
        answered = new java.util.TreeMap<>();
        s3.requests().forEach((op, n) -> answered.put(op, n - before.getOrDefault(op, 0L)));
        try (S3Client client = s3.client()) {
            List<String> keys = client.listObjectsV2Paginator(list -> list.bucket("slow-lake")).contents().stream()
                    .map(object -> object.key()).filter(key -> key.contains("/part-")).toList();
            committedFiles = keys.size();
            songsFiles = keys.stream().filter(key -> key.startsWith("sparkify/songs/")).count();
        }
    }

    @AfterAll
    static void stopTheServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aSongFileCostsOneGetAndTheListingOneListPerThousandFiles() {
        Map<String, Long> read = stage("extract song_data");
        assertEquals(71, songFiles, "the sample's song files");
        assertEquals(songFiles, read.get("GET"), "one GET per song file: " + read);
        assertEquals(0, read.get("HEAD"), "no HEAD before a read: the listing gave the length: " + read);
        assertEquals((songFiles + 999) / 1000, read.get("LIST"), "one flat listing: " + read);
        assertEquals(0, read.get("PUT") + read.get("POST") + read.get("DELETE") + read.get("COPY"), read.toString());
    }

    @Test
    void aFileWrittenCostsOneUploadStartedPutAndCompletedAndNothingPerFileBesides() {
        Map<String, Long> songs = stage("load songs");
        assertTrue(songsFiles > 50, "the songs table is one file per (year, artist_id) folder: " + songsFiles);
        // The staging committer: a multipart upload per file, started and its one part put at task commit,
        // completed at job commit. The few requests left are per table (the old table's deletion, the
        // committer's set-up and _SUCCESS), however many files it has.
        for (String operation : List.of("CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload")) {
            assertEquals(committedFiles, answered.getOrDefault(operation, 0L), operation + ": " + answered);
        }
        assertEquals(2 * songsFiles, songs.get("POST"), "start and complete, per file: " + songs);
        assertTrue(songs.get("PUT") <= songsFiles + 5, "one part per file, no marker or .pending file: " + songs);
        assertTrue(songs.get("HEAD") + songs.get("GET") + songs.get("LIST") < 20,
                "no probe or listing per file written: " + songs);
    }

    @Test
    void theJobsOwnCountsAgreeWithWhatTheStoreAnswered() {
        long gets = run.stages().stream().mapToLong(stage -> stage.requests().getOrDefault("GET", 0L)).sum();
        long posts = run.stages().stream().mapToLong(stage -> stage.requests().getOrDefault("POST", 0L)).sum();
        // S3A counts a GET when its stream is closed: a reader Spark closes after the run's last stage is
        // the server's and not yet the job's.
        long served = answered.getOrDefault("GetObject", 0L);
        assertTrue(gets <= served && gets >= served - 5, gets + " GETs counted, " + served + " served");
        assertEquals(answered.getOrDefault("CreateMultipartUpload", 0L)
                + answered.getOrDefault("CompleteMultipartUpload", 0L) + answered.getOrDefault("DeleteObjects", 0L),
                posts, answered.toString());
    }

    @Test
    void theRunSaysTheRequestsInFlightItChoseForTheStore() {
        // Every request waited 5 ms first: a store that near gets the least, and the summary says why. The reads'
        // mean answer time was far longer (64 out at once, queued in a store sharing the 2 cores): the least is
        // the round trip, and it is what sizes the number.
        assertTrue(run.inFlight().matches(RequestsInFlight.LEAST + " requests in flight for a store that answers in "
                + "([5-9]|1[0-9]) ms or more"), run.inFlight());
        assertTrue(run.toTable().contains("in flight             " + run.inFlight()), run.toTable());
        // The reads were sized once the listing had timed its answers, and the stage says what they were given.
        // The least answer time can only fall as more answers are timed, so that number is at least the one
        // chosen after the reads (in one verify the listing's least was 28 ms: the reads were given 90, the
        // writes 64).
        java.util.regex.Matcher read = java.util.regex.Pattern.compile(
                "(?m)^extract song_data  71 files, 71 records, 0 rejected, (\\d+) in flight").matcher(progress);
        assertTrue(read.find(), progress);
        int given = Integer.parseInt(read.group(1));
        assertTrue(given >= RequestsInFlight.LEAST && given <= RequestsInFlight.MOST, progress);
        assertTrue(given >= Integer.parseInt(run.inFlight().split(" ")[0]), progress + run.inFlight());
    }

    @Test
    void theLakeHasTheSamplesRows() throws Exception {
        Map<String, Long> expected = Map.of("songs", 71L, "artists", 69L, "users", 97L, "songplays", 6_820L,
                "time", 6_813L);
        assertEquals(expected, run.tables());
        Configuration hadoop = TestSpark.session().sparkContext().hadoopConfiguration();
        assertTrue(FileSystem.get(URI.create("s3a://slow-lake/"), hadoop)
                .exists(new org.apache.hadoop.fs.Path("s3a://slow-lake/sparkify/_run/summary.json")));
    }

    private static Map<String, Long> stage(String name) {
        return run.stages().stream().filter(stage -> stage.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no stage " + name)).requests();
    }
}
