package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.TestSpark;

/** How many files a table's folders get, and that every row is written once whatever that number. */
class TableWriterTest {

    static final StructType PLAYS = new StructType().add("play", DataTypes.LongType).add("year", DataTypes.IntegerType);

    @TempDir
    Path work;

    /** 1,000 plays of 2018 and 10 of 2019. */
    static Dataset<Row> plays() {
        List<Row> rows = new ArrayList<>();
        for (long i = 0; i < 1_010; i++) {
            rows.add(RowFactory.create(i, i < 1_000 ? 2018 : 2019));
        }
        return TestSpark.rows(PLAYS, rows);
    }

    @Test
    void oneWriterPerFolderMakesOneFileEach() throws IOException {
        Path table = work.resolve("one");
        assertEquals(1_010, TableWriter.parquet(plays(), table.toString(), List.of("year"), 1));
        assertEquals(1, parquetFiles(table.resolve("year=2018")));
        assertEquals(1, parquetFiles(table.resolve("year=2019")));
        assertEquals(1_010, TestSpark.session().read().parquet(table.toString()).select("play").distinct().count());
    }

    @Test
    void moreWritersPerFolderMakeAtMostThatManyFilesAndLoseOrRepeatNoRow() throws IOException {
        Path table = work.resolve("three");
        assertEquals(1_010, TableWriter.parquet(plays(), table.toString(), List.of("year"), 3));
        int files2018 = parquetFiles(table.resolve("year=2018"));
        assertTrue(files2018 >= 1 && files2018 <= 3, files2018 + " files");
        Dataset<Row> back = TestSpark.session().read().parquet(table.toString());
        assertEquals(1_010, back.count());
        assertEquals(1_010, back.select("play").distinct().count());
        assertEquals(10, back.where("year = 2019").count());
    }

    @Test
    void aTableWithoutPartitionsGetsAtMostThatManyFiles() throws IOException {
        Path table = work.resolve("flat");
        assertEquals(1_010, TableWriter.parquet(plays().repartition(6), table.toString(), List.of(), 2));
        int files = parquetFiles(table);
        assertTrue(files >= 1 && files <= 2, files + " files");
        assertEquals(1_010, TestSpark.session().read().parquet(table.toString()).count());
    }

    private static int parquetFiles(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".parquet")).count();
        }
    }
}
