package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/** A table of many small files read file by file gives Spark's own read of the folder, row for row. */
class ManyFilesTableTest {

    @TempDir
    Path work;

    private static void assertSameAsSparksRead(String folder, Dataset<Row> read) {
        Dataset<Row> spark = TestSpark.session().read().option("basePath", folder).parquet(folder);
        assertEquals(spark.schema(), read.schema(), "the same columns, in the same order, of the same types");
        Column[] all = Arrays.stream(spark.columns()).map(functions::col).toArray(Column[]::new);
        List<Row> expected = spark.orderBy(all).collectAsList();
        assertFalse(expected.isEmpty());
        assertEquals(expected, read.orderBy(all).collectAsList());
    }

    @Test
    void theSampleLakesSongsReadFileByFileAreSparksRead() throws Exception {
        String songs = Lakes.localSampleLake().resolve("songs").toString();
        Dataset<Row> read = ManyFilesTable.read(TestSpark.session(), songs, 0).orElseThrow();
        assertTrue(ManyFilesTable.readHere(read));
        assertTrue(StoredLake.manyFiles(read), "kept in memory where a table of many files is");
        assertSameAsSparksRead(songs, read);
    }

    @Test
    void nullsAndEscapedFolderNamesAreReadAsSparkReadsThem() {
        SparkSession spark = TestSpark.session();
        StructType columns = new StructType().add("song_id", DataTypes.StringType).add("title", DataTypes.StringType)
                .add("plays", DataTypes.LongType).add("duration", DataTypes.DoubleType)
                .add("year", DataTypes.IntegerType).add("artist_id", DataTypes.StringType);
        List<Row> rows = List.of(
                RowFactory.create("S1", "Ça va / à l'école", 3L, 215.5, 2001, "AR1"),
                RowFactory.create("S2", null, null, null, 2001, "AR/2:x%y=z"),
                RowFactory.create("S3", "no year", 1L, 1.0, null, "AR3"),
                RowFactory.create("S4", "no artist", 0L, 0.25, 1999, null),
                RowFactory.create("S5", "second in a folder", 7L, 2.0, 2001, "AR1"));
        String folder = work.resolve("songs").toString();
        spark.createDataFrame(rows, columns).repartition(2).write().partitionBy("year", "artist_id").parquet(folder);

        assertSameAsSparksRead(folder, ManyFilesTable.read(spark, folder, 0).orElseThrow());
    }

    @Test
    void aTableOfFewFilesIsLeftToSpark() throws Exception {
        String users = Lakes.localSampleLake().resolve("users").toString();
        assertTrue(ManyFilesTable.read(TestSpark.session(), users, 1_000).isEmpty());
    }
}
