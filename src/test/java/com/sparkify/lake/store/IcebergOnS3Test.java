package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.PostgresServer;
import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.TestSpark;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * An Iceberg lake on an object store (S3Proxy on loopback) with its catalog in a real PostgreSQL server (on
 * loopback): the catalog several writers can share, where the store alone cannot swap a table's metadata
 * atomically. Its buckets are its own: Hadoop keeps one S3A client per bucket for the life of the JVM, bound
 * to the endpoint of the S3Proxy that first served it (see S3LakeTest).
 */
@Tag("slow")
class IcebergOnS3Test {

    static final String ACCESS_KEY = "sparkify-iceberg-access-key";
    static final String SECRET = "FAKE-SECRET-1ceb3rg-sparkify-must-not-leak";
    static final String LAKE = "s3a://iceberg-lake/sparkify";

    @TempDir
    static Path work;

    static S3ProxyServer s3;
    static PostgresServer postgres;
    static Path config;
    static S3LakeTest.Result firstRun;
    static long uploadedByFirstRun;

    @BeforeAll
    static void loadTheSampleThroughS3() throws Exception {
        Path sample = TestSpark.sample();
        postgres = PostgresServer.start();
        s3 = S3ProxyServer.start(work, ACCESS_KEY, SECRET);
        s3.createBucket("iceberg-raw");
        s3.createBucket("iceberg-lake");
        config = work.resolve("dl.cfg");
        Files.writeString(config, s3.config(ACCESS_KEY, SECRET) + "\n[catalog]\ntype = jdbc\nuri = "
                + postgres.jdbcUrl() + "\nuser = " + PostgresServer.USER + "\npassword = " + PostgresServer.PASSWORD
                + "\n");
        SparkSession spark = TestSpark.session();
        Engine.prepare(spark, TestSpark.settings().withConfig(LakeConfig.load(config)));
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        FileSystem raw = FileSystem.get(URI.create("s3a://iceberg-raw/"), hadoop);
        for (String folder : List.of("song_data", "log_data")) {
            raw.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(sample.resolve(folder).toUri()),
                    new org.apache.hadoop.fs.Path("s3a://iceberg-raw/iceberg-sample/" + folder));
        }
        long uploaded = OverlappedUploads.uploaded();
        firstRun = S3LakeTest.etl("--input", "s3a://iceberg-raw/iceberg-sample", "--output", LAKE, "--config",
                config.toString(), "--format", "iceberg");
        uploadedByFirstRun = OverlappedUploads.uploaded() - uploaded;
    }

    @AfterAll
    static void stopTheServers() {
        if (s3 != null) {
            s3.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void theLakeOnS3EqualsTheLocalParquetLakeRowForRow() throws IOException {
        assertEquals(0, firstRun.code(), firstRun.err());
        SparkSession spark = TestSpark.session();
        var tables = LakeTables.open(spark, LAKE, LakeConfig.load(config), null);
        Path local = Lakes.localSampleLake();
        for (String name : Lakes.TABLES) {
            assertEquals(Lakes.tables(local).get(name), sortedRows(tables.apply(name)), name);
        }
    }

    @Test
    void everyDataFileWentUpBesideTheTasksWork() {
        assertEquals(0, firstRun.code(), firstRun.err());
        long dataFiles;
        try (S3Client client = s3.client()) {
            dataFiles = client.listObjectsV2Paginator(list -> list.bucket("iceberg-lake").prefix("sparkify/"))
                    .contents().stream()
                    .filter(object -> object.key().contains("/data/") && object.key().endsWith(".parquet"))
                    .count();
        }
        assertTrue(dataFiles >= Lakes.TABLES.size(), "a data file or more per table: " + dataFiles);
        assertEquals(dataFiles, uploadedByFirstRun, "the store's data files are the ones uploaded in the background");
    }

    @Test
    void theCatalogIsInPostgresAndTheSummaryNamesWhatEachTableCommitted() throws Exception {
        assertEquals(0, firstRun.code(), firstRun.err());
        List<String> tables = new ArrayList<>();
        try (Connection connection = postgres.connect(PostgresServer.DATABASE);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT table_name FROM iceberg_tables "
                     + "WHERE table_namespace = 'sparkify' ORDER BY table_name")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        assertTrue(tables.containsAll(Lakes.TABLES), tables.toString());

        SparkSession spark = TestSpark.session();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(LAKE + "/_run/summary.json");
        JsonNode summary;
        try (InputStream in = file.getFileSystem(hadoop).open(file)) {
            summary = new ObjectMapper().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        for (String name : Lakes.TABLES) {
            JsonNode snapshot = summary.get("snapshots").get(name);
            String metadata = snapshot.get("metadataFile").asText();
            assertTrue(metadata.startsWith(LAKE + "/" + name + "/metadata/"), metadata);
            // A reader without the catalog opens exactly what the run committed from the metadata file.
            Table table = new BaseTable(new StaticTableOperations(metadata, new HadoopFileIO(hadoop)), name);
            long rows = 0;
            try (var files = table.newScan().useSnapshot(snapshot.get("snapshotId").asLong()).planFiles()) {
                for (FileScanTask task : files) {
                    rows += task.file().recordCount();
                }
            }
            assertEquals(summary.get("tables").get(name).asLong(), rows, name);
        }
    }

    @Test
    void aSecondRunFindsNothingNewAndNoSecretIsEverShown() {
        S3LakeTest.Result again = S3LakeTest.etl("--input", "s3a://iceberg-raw/iceberg-sample", "--output", LAKE,
                "--config", config.toString(), "--format", "iceberg");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("Nothing new to load"), again.out());
        for (S3LakeTest.Result run : List.of(firstRun, again)) {
            assertFalse(run.everything().contains(SECRET), "the store's secret leaked");
            assertFalse(run.everything().contains(PostgresServer.PASSWORD), "the catalog's password leaked");
        }
    }

    @Test
    void anIcebergLakeOnAStoreWithoutACatalogIsAClearError() throws IOException {
        Path noCatalog = work.resolve("no-catalog.cfg");
        Files.writeString(noCatalog, s3.config(ACCESS_KEY, SECRET));
        S3LakeTest.Result refused = S3LakeTest.etl("--input", "s3a://iceberg-raw/iceberg-sample", "--output",
                "s3a://iceberg-lake/elsewhere", "--config", noCatalog.toString(), "--format", "iceberg");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("[catalog]"), refused.err());
        assertTrue(refused.err().contains("jdbc:postgresql://"), refused.err());
        assertFalse(refused.err().contains("\tat "), "no stack trace: " + refused.err());
    }

    private static List<org.apache.spark.sql.Row> sortedRows(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows) {
        var sorted = rows.select(java.util.Arrays.stream(rows.columns()).sorted()
                .map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new));
        return sorted.orderBy(java.util.Arrays.stream(sorted.columns()).map(org.apache.spark.sql.functions::col)
                .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
    }
}
