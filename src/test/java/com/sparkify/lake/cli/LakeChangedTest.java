package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** How a command words files of the lake that a run replaced while the command read them. */
class LakeChangedTest {

    @Test
    void aFileGoneWhileReadingIsSaidAsARunThatReplacedTables() {
        // As Spark throws it when a Parquet file it listed was renamed or deleted before it read it.
        RuntimeException gone = new RuntimeException("[FAILED_READ_FILE.FILE_NOT_EXIST] Encountered error while "
                + "reading file s3a://b/lake/songplays/part-0.parquet. File does not exist.",
                new FileNotFoundException("No such file: s3a://b/lake/songplays/part-0.parquet"));

        String said = SparkifyLake.lakeChangedMeanwhile(gone).orElseThrow();

        assertTrue(said.startsWith("a table of the lake had no files, or lost some, while this command read it "
                + "(Encountered error while reading file s3a://b/lake/songplays/part-0.parquet"), said);
        assertTrue(said.contains("ask again once it has ended"), said);
    }

    @Test
    void aFileThatChangedWhileReadIsSaidTheSameWay() {
        RuntimeException changed = new RuntimeException("[FAILED_READ_FILE.NO_HINT] Encountered error while reading "
                + "file file:/lake/songplays/year=2018/month=11/part-0.parquet.");
        assertTrue(SparkifyLake.lakeChangedMeanwhile(changed).isPresent());
    }

    @Test
    void anEmptyTableFolderIsSaidTheSameWay() {
        RuntimeException empty = new RuntimeException("[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for Parquet.");
        assertTrue(SparkifyLake.lakeChangedMeanwhile(empty).isPresent());
    }

    @Test
    void anyOtherFailureIsNot() {
        assertEquals(Optional.empty(), SparkifyLake.lakeChangedMeanwhile(new IllegalStateException("boom",
                new ArithmeticException("/ by zero"))));
    }
}
