package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.support.S3ProxyServer;

/**
 * The run's requests in flight follow the store: through an S3Proxy that answers after 40 ms, as a store in
 * another region would, the answer times S3A records say so, and the number chosen is the one for 40 ms or
 * more, where a store nearby gets the least. Its requests are sent one at a time, so none waits behind another:
 * the least answer time is the round trip.
 */
@Tag("slow")
class StoreAnswerTimeTest {

    static final String KEY = "answer-time-access-key";
    static final String SECRET = "answer-time-secret-not-a-real-one";
    static final int LATENCY_MS = 40;

    @TempDir
    static Path work;

    static S3ProxyServer s3;

    @BeforeAll
    static void startAStoreFarAway() throws Exception {
        s3 = S3ProxyServer.start(work, KEY, SECRET, LATENCY_MS);
        // A bucket of its own: Hadoop keeps one S3A client per bucket for the JVM's life.
        s3.createBucket("far-away");
        Path files = work.resolve("files");
        for (int i = 0; i < 12; i++) {
            Files.createDirectories(files.resolve("song_data/" + (i % 3)));
            Files.writeString(files.resolve("song_data/" + (i % 3) + "/song-" + i + ".json"), "{\"n\": " + i + "}",
                    StandardCharsets.UTF_8);
        }
        s3.putTree("far-away", "raw", files);
    }

    @AfterAll
    static void stopTheStore() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void theNumberChosenIsTheOneForTheAnswerTimeMeasured() throws Exception {
        Path config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(KEY, SECRET));
        Configuration hadoop = new Configuration();
        S3Settings.apply(LakeConfig.load(config), null, true, hadoop);
        StoreRequests store = StoreRequests.of(hadoop, "s3a://far-away/raw");
        RequestsInFlight inFlight = RequestsInFlight.following(store);
        assertEquals(RequestsInFlight.LEAST, inFlight.now(), "nothing timed yet");

        FileSystem fs = FileSystem.get(URI.create("s3a://far-away/"), hadoop);
        int read = 0;
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(new org.apache.hadoop.fs.Path("s3a://far-away/raw"), true);
        while (files.hasNext()) {
            try (var in = fs.open(files.next().getPath())) {
                read += in.readAllBytes().length > 0 ? 1 : 0;
            }
        }
        assertEquals(12, read);

        long answered = store.leastAnswerMillis().orElseThrow();
        assertTrue(answered >= LATENCY_MS, "every request waited " + LATENCY_MS + " ms first; the mean was " + answered);
        assertTrue(answered < LATENCY_MS + 1_000, "a request on loopback takes well under a second more: " + answered);
        int chosen = inFlight.now();
        assertEquals(RequestsInFlight.forAnswerTime(answered), chosen);
        assertTrue(chosen >= RequestsInFlight.forAnswerTime(LATENCY_MS) && chosen > RequestsInFlight.LEAST,
                "40 ms needs more out than a store nearby: " + chosen);
        assertTrue(inFlight.describe().matches(chosen + " requests in flight for a store that answers in " + answered
                + " ms or more"),
                inFlight.describe());
    }
}
