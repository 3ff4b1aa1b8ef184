package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.store.S3Settings;
import com.sparkify.lake.support.TestSpark;

/** The catalog of an Iceberg lake, as a run's writes see it. */
class LakeCatalogTest {

    @TempDir
    Path work;

    private static int inFlight(Table table) {
        return ((HadoopFileIO) table.io()).getConf().getInt(S3Settings.COMMIT_THREADS, -1);
    }

    @Test
    void aTablesWritesKeepTheRequestsInFlightChosenAfterTheCatalogWasOpened() {
        SparkSession spark = TestSpark.session();
        Configuration session = spark.sparkContext().hadoopConfiguration();
        String before = session.get(S3Settings.COMMIT_THREADS);
        try {
            LakeCatalog catalog = LakeCatalog.open(spark, LakeCatalog.qualified(work.resolve("lake").toString(),
                    session), LakeConfig.none(), true);
            Dataset<Row> names = spark.createDataset(List.of("a"), Encoders.STRING()).toDF("name");
            int atOpen = inFlight(catalog.table("names", names.schema(), List.of()));
            int chosen = Math.max(atOpen, 64) + 13;

            // As the run does after its reads: the session's writes get the number the store's answers asked for.
            S3Settings.commitThreads(session, chosen);
            assertNotEquals(chosen, inFlight(catalog.table("names")), "the catalog's configuration is a copy");
            String run = "20261208T000000Z-00000001";
            new IcebergTables(spark, catalog, new Publication(catalog, run), run, "full")
                    .prepare("names", names, List.of());

            assertEquals(chosen, inFlight(catalog.table("names")), "the table loaded afresh, as Spark's write loads it");
        } finally {
            if (before == null) {
                session.unset(S3Settings.COMMIT_THREADS);
            } else {
                session.set(S3Settings.COMMIT_THREADS, before);
            }
        }
    }
}
