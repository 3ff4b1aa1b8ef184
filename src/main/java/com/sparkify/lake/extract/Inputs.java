package com.sparkify.lake.extract;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.store.StoreErrors;

/** Where the two inputs live below {@code <input>}, checked before Spark is asked to read them. */
public final class Inputs {

    private Inputs() {
    }

    /**
     * The files of an input folder that are input: {@code *.json} (any case), as the layout names them. Others
     * (a {@code notes.txt}, a {@code .csv} export) are skipped, and the run says so, rather than reading each of
     * their lines as a bad record.
     */
    public record Selection(List<WholeFiles.Found> read, List<String> skipped) {
    }

    public static Selection select(List<WholeFiles.Found> listed) {
        List<WholeFiles.Found> read = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (WholeFiles.Found file : listed) {
            if (isInputFile(file.path())) {
                read.add(file);
            } else {
                skipped.add(file.path());
            }
        }
        return new Selection(List.copyOf(read), List.copyOf(skipped));
    }

    public static boolean isInputFile(String path) {
        return path.toLowerCase(Locale.ROOT).endsWith(".json");
    }

    public static String songData(String input, Configuration hadoop) {
        return requireFolder(input, SongCatalog.FOLDER, hadoop);
    }

    public static String logData(String input, Configuration hadoop) {
        return requireFolder(input, EventLog.FOLDER, hadoop);
    }

    /**
     * What the files behind a plain file read add up to. Spark's file index listed them, sizes included, when
     * the read was set up; its size estimate for the bare relation is that sum, so nothing is listed again.
     */
    public static long bytes(Dataset<Row> fileRead) {
        return fileRead.queryExecution().analyzed().stats().sizeInBytes().longValue();
    }

    private static String requireFolder(String input, String folder, Configuration hadoop) {
        Path path = new Path(input, folder);
        try {
            FileSystem fs = path.getFileSystem(hadoop);
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDirectory()) {
                throw new LakeException(path + " is a file; the input must hold a folder " + folder + "/.");
            }
            return fs.makeQualified(path).toString();
        } catch (FileNotFoundException e) {
            throw new LakeException("The input has no " + folder + "/ folder: " + path + " does not exist. "
                    + "--input must name the folder that holds song_data/ and log_data/.");
        } catch (IOException e) {
            throw StoreErrors.explain(input, e, hadoop).orElseGet(() -> new LakeException("Cannot read the "
                    + "input folder " + StoreErrors.safe(path.toString()) + " (" + e.getClass().getSimpleName()
                    + "). Check that it exists and that you may read it.", e));
        }
    }
}
