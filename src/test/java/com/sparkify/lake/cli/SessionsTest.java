package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;

import org.junit.jupiter.api.Test;

import com.sparkify.lake.LakeException;

class SessionsTest {

    @Test
    void aFileGoneWhileAReaderReadsIsSaidAsARunThatReplacedTables() {
        // What Spark throws when a Parquet file it listed was renamed away before it read it.
        RuntimeException gone = new RuntimeException("[FAILED_READ_FILE.FILE_NOT_EXIST] Encountered error while "
                + "reading file", new FileNotFoundException("File file:/lake/songplays/part-0.parquet does not exist"));

        LakeException said = assertThrows(LakeException.class, () -> Sessions.reading("/lake", () -> {
            throw gone;
        }));

        assertTrue(said.getMessage().startsWith("A run replaced tables of /lake while this read them"),
                said.getMessage());
        assertTrue(said.getMessage().contains("Ask again"), said.getMessage());
    }

    @Test
    void anyOtherFailureIsLeftAsItIs() {
        IllegalStateException other = new IllegalStateException("something else");
        assertSame(other, assertThrows(IllegalStateException.class, () -> Sessions.reading("/lake", () -> {
            throw other;
        })));
    }
}
