package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.apache.iceberg.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.support.TestSpark;

/** Publishing a run's branches: only onto the tables the run's changes were computed from. */
class PublicationTest {

    @TempDir
    Path work;

    private LakeCatalog lake(String name) {
        SparkSession spark = TestSpark.session();
        return LakeCatalog.open(spark, LakeCatalog.qualified(work.resolve(name).toString(),
                spark.sparkContext().hadoopConfiguration()), LakeConfig.none(), true);
    }

    private static Dataset<Row> rows(String... names) {
        return TestSpark.session().createDataset(List.of(names), org.apache.spark.sql.Encoders.STRING())
                .toDF("name");
    }

    @Test
    void aRunPublishesWhatItWroteOnItsBranch() {
        LakeCatalog catalog = lake("plain");
        Publication run = new Publication(catalog, "20261126T000000Z-00000001");
        IcebergTables tables = new IcebergTables(TestSpark.session(), catalog, run, "20261126T000000Z-00000001", "full");
        tables.prepare("names", rows("a"), List.of());
        tables.append("names", rows("a", "b"));
        assertEquals(0, tables.current("names").count(), "readers do not see the branch");
        run.publish(List.of("names"));
        assertEquals(2, tables.current("names").count());
        assertTrue(catalog.table("names").refs().keySet().stream().noneMatch(ref -> ref.startsWith("run_")));
    }

    @Test
    void aTableAnotherRunChangedMeanwhileStopsThePublication() {
        LakeCatalog catalog = lake("raced");
        Publication first = new Publication(catalog, "20261126T000000Z-00000001");
        IcebergTables firstTables = new IcebergTables(TestSpark.session(), catalog, first,
                "20261126T000000Z-00000001", "full");
        firstTables.prepare("names", rows("a"), List.of());
        firstTables.append("names", rows("a"));

        // A second run publishes into the table while the first is still writing.
        Publication second = new Publication(catalog, "20261126T000001Z-00000002");
        IcebergTables secondTables = new IcebergTables(TestSpark.session(), catalog, second,
                "20261126T000001Z-00000002", "incremental");
        secondTables.prepare("names", rows("x"), List.of());
        secondTables.append("names", rows("x"));
        second.publish(List.of("names"));

        LakeException refused = assertThrows(LakeException.class, () -> first.publish(List.of("names")));
        assertTrue(refused.getMessage().contains("Another run changed names"), refused.getMessage());
        assertEquals(List.of("x"), firstTables.current("names").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList(), "the lake is as the other run left it");
    }

    @Test
    void aRunWhoseBranchAnotherRunDroppedStopsWithAClearMessage() {
        LakeCatalog catalog = lake("dropped");
        Publication run = new Publication(catalog, "20261126T000000Z-00000001");
        IcebergTables tables = new IcebergTables(TestSpark.session(), catalog, run, "20261126T000000Z-00000001", "full");
        tables.prepare("names", rows("a"), List.of());
        tables.append("names", rows("a"));
        // Another run, taking the branch for a killed run's, drops it.
        Publication.recover(catalog, List.of("names"));

        LakeException stopped = assertThrows(LakeException.class, () -> tables.append("names", rows("b")));
        assertTrue(stopped.getMessage().contains("Another run started"), stopped.getMessage());
        assertThrows(LakeException.class, () -> run.publish(List.of("names")));
        Table table = catalog.table("names");
        assertEquals(null, table.currentSnapshot(), "nothing was published");
    }
}
