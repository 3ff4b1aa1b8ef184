package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakeTest {

    @TempDir
    Path root;

    @Test
    void publishReplacesEntriesAndRecoveryRestoresATableAKilledRunMovedAside() throws IOException {
        Lake lake = Lake.open(root.toString(), new Configuration());
        Files.createDirectories(root.resolve("songs"));
        Files.writeString(root.resolve("songs/old.parquet"), "old");
        Path staged = Path.of(java.net.URI.create(lake.staging("run1")));
        Files.createDirectories(staged.resolve("songs"));
        Files.writeString(staged.resolve("songs/new.parquet"), "new");

        lake.publish("run1", List.of("songs"));
        assertEquals("new", Files.readString(root.resolve("songs/new.parquet")));
        assertFalse(Files.exists(root.resolve("songs/old.parquet")));

        // A run killed between moving the live table aside and moving its new one in.
        Path killed = Path.of(java.net.URI.create(lake.staging("run2")));
        Files.createDirectories(killed.resolve("_previous"));
        Files.move(root.resolve("songs"), killed.resolve("_previous/songs"));

        lake.recover();
        assertEquals("new", Files.readString(root.resolve("songs/new.parquet")), "the table is back");
        assertFalse(Files.exists(killed), "the dead run's staging is gone");
    }
}
