package com.sparkify.lake.faults;

import java.io.IOException;
import java.util.Set;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;

import com.sparkify.lake.load.LocalFileSystem;

/**
 * The project's local file system, but a file named in {@value #FILES} (comma-separated file names) is
 * deleted, for real, the moment a reader first opens it: so it was there when the input was listed and is gone
 * when it is read, as when another process removes it in between. Installed in a run under test with
 * {@code --conf spark.hadoop.fs.file.impl=} this class (its JVM only: file systems are cached per JVM).
 */
public class VanishingFiles extends LocalFileSystem {

    public static final String FILES = "sparkify.faults.vanish";

    @Override
    public FSDataInputStream open(Path path, int bufferSize) throws IOException {
        Set<String> names = Set.of(getConf().get(FILES, "").split(","));
        if (names.contains(path.getName())) {
            java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(pathToFile(path).getPath()));
        }
        return super.open(path, bufferSize);
    }
}
