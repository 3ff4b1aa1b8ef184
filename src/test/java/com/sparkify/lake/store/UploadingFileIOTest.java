package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
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
 * Data files a task writes through {@link UploadingFileIO} go up in the background, and the task ends only once
 * they are all in the store: a task that returned has its files there, byte for byte, and one whose upload
 * failed fails, with the file named, rather than hand the driver a file the store does not have.
 */
@Tag("slow")
class UploadingFileIOTest {

    static final String KEY = "uploading-access-key";
    static final String SECRET = "uploading-secret-not-a-real-one";

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static Broadcast<SerializableConfiguration> hadoop;

    @BeforeAll
    static void startTheStore() throws Exception {
        // A store 20 ms away: an upload left in a task's way would cost that per file.
        s3 = S3ProxyServer.start(work, KEY, SECRET, 20);
        s3.createBucket("uploads");
        Path config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(KEY, SECRET));
        Configuration conf = new Configuration(TestSpark.session().sparkContext().hadoopConfiguration());
        S3Settings.apply(LakeConfig.load(config), null, true, conf);
        hadoop = JavaSparkContext.fromSparkContext(TestSpark.session().sparkContext())
                .broadcast(new SerializableConfiguration(conf));
    }

    @AfterAll
    static void stopTheStore() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** Each task writes {@code perTask} data files under {@code root} and returns their names. */
    static List<String> write(String root, int tasks, int perTask) {
        Broadcast<SerializableConfiguration> conf = hadoop;
        SparkSession spark = TestSpark.session();
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(java.util.stream.IntStream.range(0, tasks).boxed().toList(), tasks)
                .flatMap(task -> {
                    UploadingFileIO io = new UploadingFileIO();
                    io.setConf(conf.value().value());
                    List<String> written = new ArrayList<>();
                    for (int i = 0; i < perTask; i++) {
                        String path = root + "/data/year=" + task + "/" + i + ".parquet";
                        try (OutputStream out = io.newOutputFile(path).create()) {
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

    @Test
    void whenTheTasksEndEveryFileIsInTheStoreByteForByte() {
        List<String> written = write("s3a://uploads/lake/songs", 2, 20);
        assertEquals(40, written.size());
        try (S3Client client = s3.client()) {
            for (String path : written) {
                String key = path.substring("s3a://uploads/".length());
                byte[] stored = client.getObject(get -> get.bucket("uploads").key(key), ResponseTransformer.toBytes())
                        .asByteArray();
                assertArrayEquals(content(path), stored, path);
            }
        }
    }

    @Test
    void aFailedUploadFailsItsTaskAndNamesTheFile() {
        // No such bucket: the store refuses every upload, after the task has closed its files.
        Exception failed = assertThrows(Exception.class, () -> write("s3a://no-such-bucket/lake/songs", 1, 3));
        StringBuilder messages = new StringBuilder();
        for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
            messages.append(cause.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("Uploading s3a://no-such-bucket/lake/songs/data/year=0/"),
                messages.toString());
        assertFalse(messages.toString().contains(SECRET));
    }

    @Test
    void onlyDataFilesOnAStoreGoThroughLocalDisk() {
        assertTrue(UploadingFileIO.uploaded("s3a://b/lake/songs/data/year=1/artist_id=A/00000-1.parquet"));
        assertFalse(UploadingFileIO.uploaded("s3a://b/lake/songs/metadata/snap-1.avro"));
        assertFalse(UploadingFileIO.uploaded("s3a://b/lake/songs/metadata/00001-x.metadata.json"));
        assertFalse(UploadingFileIO.uploaded("file:/tmp/lake/songs/data/00000-1.parquet"));
        assertFalse(UploadingFileIO.uploaded("/tmp/lake/songs/data/00000-1.parquet"));
    }
}
