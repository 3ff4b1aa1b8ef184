package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.TestSpark;

import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Data files a task writes through {@link OverlappedUploads} go up in the background, and the task ends only
 * once they are all in the store: a task that returned has its files there, byte for byte; one whose upload
 * failed fails, naming the file, rather than hand the driver a file the store does not have. Its buckets are
 * its own (Hadoop keeps one S3A client per bucket, bound to the S3Proxy that first served it).
 */
@Tag("slow")
class OverlappedUploadsTest {

    static final String KEY = "overlapped-access-key";
    static final String SECRET = "overlapped-secret-not-a-real-one";

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static Configuration conf;
    static Broadcast<SerializableConfiguration> broadcast;

    @BeforeAll
    static void startTheStore() throws Exception {
        // A store 20 ms away: an upload left in a task's way would cost that per file.
        s3 = S3ProxyServer.start(work, KEY, SECRET, 20);
        s3.createBucket("overlapped");
        Path config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(KEY, SECRET));
        conf = new Configuration(TestSpark.session().sparkContext().hadoopConfiguration());
        S3Settings.apply(LakeConfig.load(config), null, true, conf);
        // As LakeCatalog gives an Iceberg lake's catalog on a store.
        OverlappedUploads.settings().forEach(conf::set);
        broadcast = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext())
                .broadcast(new SerializableConfiguration(conf));
    }

    @AfterAll
    static void stopTheStore() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** Each of {@code tasks} tasks writes {@code perTask} data files under {@code root}; their names. */
    static List<String> write(String root, int tasks, int perTask) {
        Broadcast<SerializableConfiguration> shared = broadcast;
        return JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext())
                .parallelize(java.util.stream.IntStream.range(0, tasks).boxed().toList(), tasks)
                .flatMap(task -> {
                    List<String> written = new ArrayList<>();
                    for (int i = 0; i < perTask; i++) {
                        String path = root + "/data/year=" + task + "/" + i + ".parquet";
                        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(path);
                        FileSystem fs = file.getFileSystem(shared.value().value());
                        if (!(fs instanceof OverlappedUploads)) {
                            throw new IllegalStateException("not through OverlappedUploads: " + fs.getClass());
                        }
                        try (OutputStream out = fs.create(file, false)) {
                            out.write(content(path));
                        }
                        written.add(path);
                    }
                    return written.iterator();
                }).collect();
    }

    static byte[] content(String path) {
        return ("the bytes of " + path + "\n").repeat(50).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] stored(String path) {
        try (S3Client client = s3.client()) {
            String key = path.substring("s3a://overlapped/".length());
            return client.getObject(get -> get.bucket("overlapped").key(key), ResponseTransformer.toBytes())
                    .asByteArray();
        }
    }

    @Test
    void whenTheTasksEndEveryFileIsInTheStoreByteForByte() {
        long before = OverlappedUploads.uploaded();
        List<String> written = write("s3a://overlapped/lake/songs", 2, 20);
        assertEquals(40, written.size());
        assertEquals(40, OverlappedUploads.uploaded() - before, "each file uploaded in the background");
        for (String path : written) {
            assertArrayEquals(content(path), stored(path), path);
        }
    }

    @Test
    void aFailedUploadFailsItsTaskAndNamesTheFile() {
        // No such bucket: the store refuses every upload, after the task has closed its files.
        Exception failed = assertThrows(Exception.class, () -> write("s3a://overlapped-missing/lake/songs", 1, 3));
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("Uploading s3a://overlapped-missing/lake/songs/data/year=0/"),
                messages.toString());
        assertFalse(messages.toString().contains(SECRET));
    }

    @Test
    void outsideATaskAFileIsInTheStoreWhenClosed() throws Exception {
        // Iceberg's metadata and manifests are written by the driver, which reads them back at once.
        String path = "s3a://overlapped/lake/songs/data/driver.parquet";
        long before = OverlappedUploads.uploaded();
        FileSystem fs = FileSystem.get(URI.create(path), conf);
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), false)) {
            out.write(content(path));
        }
        assertArrayEquals(content(path), stored(path));
        assertEquals(before, OverlappedUploads.uploaded(), "written straight through");
    }

    @Test
    void onlyDataFilesGoThroughLocalDisk() {
        assertTrue(OverlappedUploads.isDataFile(new org.apache.hadoop.fs.Path(
                "s3a://b/lake/songs/data/year=1/artist_id=A/00000-1.parquet")));
        assertFalse(OverlappedUploads.isDataFile(new org.apache.hadoop.fs.Path("s3a://b/lake/songs/metadata/snap-1.avro")));
        assertFalse(OverlappedUploads.isDataFile(new org.apache.hadoop.fs.Path(
                "s3a://b/lake/songs/metadata/00001-x.metadata.json")));
    }
}
