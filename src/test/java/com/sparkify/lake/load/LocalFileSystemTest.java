package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalFileSystemTest {

    @TempDir
    Path root;

    /** The file system as a run gets it: by scheme, through Hadoop's factory, with Hadoop's defaults. */
    private FileSystem local() throws IOException {
        Configuration conf = new Configuration();
        conf.set("fs.file.impl", LocalFileSystem.class.getName());
        return FileSystem.newInstance(root.toUri(), conf);
    }

    @Test
    void writesNoChecksumFiles() throws IOException {
        try (FileSystem fs = local()) {
            try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(root.resolve("a/b/part-0").toUri()))) {
                out.write("rows".getBytes(StandardCharsets.UTF_8));
            }
        }
        assertFalse(Files.exists(root.resolve("a/b/.part-0.crc")));
    }

    @Test
    void readsAFileWithoutLookingForItsChecksumFile() throws IOException {
        byte[] content = "{\"song_id\": \"S1\"}".getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("song.json"), content);
        // A checksum file that does not match: were it consulted, the read would fail with a ChecksumException.
        Files.write(root.resolve(".song.json.crc"), new byte[] {'c', 'r', 'c', 0, 0, 0, 2, 0, 1, 2, 3, 4});
        try (FileSystem fs = local();
             FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(root.resolve("song.json").toUri()))) {
            assertArrayEquals(content, in.readAllBytes());
        }
    }
}
