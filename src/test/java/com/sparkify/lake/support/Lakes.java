package com.sparkify.lake.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.pipeline.Pipeline;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;

/** Reading whole lakes back and comparing them row for row. */
public final class Lakes {

    public static final List<String> TABLES = List.of("songs", "artists", "users", "songplays", "time");

    private static Path localSampleLake;

    private Lakes() {
    }

    /** The sample's lake built in local mode by this JVM's shared session: what every other lake of the
     *  sample must equal. Built once per test JVM. */
    public static synchronized Path localSampleLake() throws IOException {
        if (localSampleLake == null) {
            // Under target/, so that mvn clean removes it with everything else a build leaves.
            Path lake = Files.createTempDirectory(Files.createDirectories(Path.of("target")), "local-sample-lake");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(lake), "delete-local-sample-lake"));
            build(TestSpark.sample(), lake);
            localSampleLake = lake;
        }
        return localSampleLake;
    }

    private static void deleteTree(Path root) {
        try {
            Trees.delete(root);
        } catch (UncheckedIOException e) {
            // Left under target/ for mvn clean: nothing else depends on it being gone.
        }
    }

    /** Builds a lake in this JVM, local mode, quietly. */
    public static RunSummary build(Path input, Path lake) {
        return build(input, lake, TestSpark.settings());
    }

    public static RunSummary build(Path input, Path lake, com.sparkify.lake.config.Settings settings) {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        return new Pipeline(TestSpark.session(), settings, new Progress(quiet)).run(input.toString(), lake.toString());
    }

    /** Every table of a lake, its rows in a fixed order (all columns, partition columns included, in name
     *  order: a Parquet folder puts its partition columns last, an Iceberg table keeps them where they are). */
    public static Map<String, List<Row>> tables(Path lake) {
        Map<String, List<Row>> tables = new LinkedHashMap<>();
        for (String name : TABLES) {
            Dataset<Row> rows = table(lake, name);
            Column[] all = Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new);
            tables.put(name, rows.orderBy(all).collectAsList());
        }
        return tables;
    }

    /** One table of a Parquet or an Iceberg lake, its columns in name order. */
    public static Dataset<Row> table(Path lake, String name) {
        Dataset<Row> rows = LakeTables.open(TestSpark.session(), lake.toString(), LakeConfig.none(), null).apply(name);
        return rows.select(Arrays.stream(rows.columns()).sorted().map(functions::col).toArray(Column[]::new));
    }

    /** The two lakes hold the same tables: same columns and types, same rows, ids included. */
    public static void assertSameTables(Path expected, Path actual) {
        for (String name : TABLES) {
            assertEquals(table(expected, name).schema().simpleString(), table(actual, name).schema().simpleString(),
                    name + " columns");
        }
        assertSameRows(tables(expected), tables(actual));
    }

    public static void assertSameRows(Map<String, List<Row>> expected, Map<String, List<Row>> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String name : expected.keySet()) {
            List<Row> want = expected.get(name);
            List<Row> got = actual.get(name);
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
                if (!want.get(i).equals(got.get(i))) {
                    fail(name + " differs at sorted row " + i + ": expected " + want.get(i) + " but was " + got.get(i));
                }
            }
            assertEquals(want.size(), got.size(), name + " rows");
        }
    }

    /** Each table's current snapshot id in an Iceberg lake. */
    public static Map<String, Long> snapshotIds(Path lake) {
        org.apache.spark.sql.SparkSession spark = TestSpark.session();
        com.sparkify.lake.load.LakeCatalog catalog = com.sparkify.lake.load.LakeCatalog.open(spark,
                com.sparkify.lake.load.LakeCatalog.qualified(lake.toString(), spark.sparkContext().hadoopConfiguration()),
                LakeConfig.none(), false);
        Map<String, Long> ids = new LinkedHashMap<>();
        for (String name : TABLES) {
            ids.put(name, catalog.table(name).currentSnapshot().snapshotId());
        }
        return ids;
    }

    public static RunSummary summary(Path lake) {
        try {
            return RunSummary.fromJson(Files.readString(lake.resolve("_run/summary.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
