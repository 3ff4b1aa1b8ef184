package com.sparkify.lake.analytics;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.StoredLake;
import com.sparkify.lake.pipeline.IncrementalLoadTest;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;
import com.sparkify.lake.support.Trees;

/** The views a session that answers many questions gets: a table of many small files kept, the others not.
 *  Slow tier: writing a thousand folders takes some 20 s. */
@Tag("slow")
class LakeTablesTest {

    @TempDir
    Path work;

    private final SparkSession spark = TestSpark.session();

    @AfterEach
    void letGo() {
        for (String name : LakeTables.NAMES) {
            spark.catalog().dropTempView(name);
        }
    }

    @Test
    void aTableOfManyFilesIsKeptOnceAndTheOthersAreReadAsStored() {
        // A songs table stored as one folder per song, as a big catalog's is (partitioned by artist); one
        // more folder than the rule allows. The other tables are one file each.
        int songs = StoredLake.MANY_FILES + 1;
        Path lake = work.resolve("lake");
        Dataset<Row> ids = spark.range(songs).select(concat(lit("S"), col("id").cast("string")).as("song_id"));
        ids.withColumn("artist_id", col("song_id")).coalesce(1).write().partitionBy("artist_id")
                .parquet(lake.resolve("songs").toString());
        for (String name : LakeTables.NAMES) {
            if (!name.equals("songs")) {
                spark.range(3).coalesce(1).write().parquet(lake.resolve(name).toString());
            }
        }

        LakeTables.registerKept(spark, lake.toString(), LakeConfig.none(), null);
        assertTrue(spark.catalog().isCached("songs"), "the songs table, " + songs + " files, is kept");
        for (String name : LakeTables.NAMES) {
            if (!name.equals("songs")) {
                assertFalse(spark.catalog().isCached(name), name + ", one file, is read as stored");
            }
        }
        assertEquals(songs, spark.sql("SELECT count(DISTINCT song_id) FROM songs").first().getLong(0));

        // Read again (the shell's .refresh): the new view is kept, and what was kept before is let go.
        LakeTables.registerKept(spark, lake.toString(), LakeConfig.none(), null);
        assertTrue(spark.catalog().isCached("songs"));
        assertEquals(1, spark.sharedState().cacheManager().numCachedEntries(),
                "only the songs table of the second reading is kept");
        assertEquals(songs, spark.sql("SELECT count(*) FROM songs").first().getLong(0));
    }

    @Test
    void viewsOfALakeSinceDeletedDoNotStopTheNextReading() throws Exception {
        // An Iceberg lake read by an earlier command of the same session (serve, the test JVM), then deleted:
        // its views can no longer be resolved, and the next reading replaces them.
        Path gone = work.resolve("gone");
        Lakes.build(IncrementalLoadTest.WORLD.writeTo(work.resolve("input")), gone, IncrementalLoadTest.ICEBERG);
        LakeTables.register(spark, gone.toString());
        Trees.delete(gone);

        Path lake = work.resolve("lake");
        for (String name : LakeTables.NAMES) {
            spark.range(3).coalesce(1).write().parquet(lake.resolve(name).toString());
        }
        LakeTables.registerKept(spark, lake.toString(), LakeConfig.none(), null);
        assertEquals(3, spark.sql("SELECT count(*) FROM songplays").first().getLong(0));
    }
}
