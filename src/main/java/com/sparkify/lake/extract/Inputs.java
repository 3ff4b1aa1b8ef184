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

    /**
     * A symbolic link below a local input folder that makes it endless to list: one that leads to a folder
     * holding it, or links that lead to each other. Looked for only once a read has failed.
     *
     * @return the link and what is wrong with it, or empty (none, or not a local folder)
     */
    public static java.util.Optional<String> linkLoop(String folder, Configuration hadoop) {
        java.nio.file.Path root = localPath(folder, hadoop);
        if (root == null) {
            return java.util.Optional.empty();
        }
        String[] found = new String[1];
        try {
            java.nio.file.Files.walkFileTree(root, java.util.EnumSet.of(java.nio.file.FileVisitOption.FOLLOW_LINKS),
                    Integer.MAX_VALUE, new java.nio.file.SimpleFileVisitor<>() {
                        @Override
                        public java.nio.file.FileVisitResult visitFile(java.nio.file.Path file,
                                java.nio.file.attribute.BasicFileAttributes attributes) {
                            // A link the walk could not follow: dangling, or in a loop of links.
                            if (attributes.isSymbolicLink() && endless(file)) {
                                found[0] = file + " is a link to " + target(file) + ", in a loop of links that "
                                        + "lead to each other";
                            }
                            return found[0] == null ? java.nio.file.FileVisitResult.CONTINUE
                                    : java.nio.file.FileVisitResult.TERMINATE;
                        }

                        @Override
                        public java.nio.file.FileVisitResult visitFileFailed(java.nio.file.Path file, IOException e) {
                            if (e instanceof java.nio.file.FileSystemLoopException) {
                                java.nio.file.Path link = firstLink(root, file);
                                found[0] = link + " is a link to " + target(link) + ", which leads back to a folder "
                                        + "that holds it";
                            } else if (java.nio.file.Files.isSymbolicLink(file) && endless(file)) {
                                found[0] = file + " is a link to " + target(file) + ", in a loop of links that lead "
                                        + "to each other";
                            }
                            return found[0] == null ? java.nio.file.FileVisitResult.CONTINUE
                                    : java.nio.file.FileVisitResult.TERMINATE;
                        }
                    });
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.ofNullable(found[0]);
    }

    /** A link whose target cannot be resolved for "too many levels of symbolic links" (ELOOP). */
    private static boolean endless(java.nio.file.Path link) {
        try {
            link.toRealPath();
            return false;
        } catch (IOException e) {
            return String.valueOf(e.getMessage()).contains("symbolic links");
        }
    }

    /** The first link on the way from {@code root} down to {@code file}: the one that closes a loop. */
    private static java.nio.file.Path firstLink(java.nio.file.Path root, java.nio.file.Path file) {
        java.nio.file.Path at = root;
        for (java.nio.file.Path name : root.relativize(file)) {
            at = at.resolve(name);
            if (java.nio.file.Files.isSymbolicLink(at)) {
                return at;
            }
        }
        return file;
    }

    private static String target(java.nio.file.Path link) {
        try {
            return java.nio.file.Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The local input file a failed read could not find and that is indeed not there now; else empty. */
    public static java.util.Optional<String> vanished(Throwable cause, Configuration hadoop) {
        if (!(cause instanceof FileNotFoundException || cause instanceof java.nio.file.NoSuchFileException)) {
            return java.util.Optional.empty();
        }
        java.util.regex.Matcher named = java.util.regex.Pattern.compile("File (\\S+) does not exist")
                .matcher(String.valueOf(cause.getMessage()));
        String file = named.find() ? named.group(1) : cause instanceof java.nio.file.NoSuchFileException none
                ? none.getFile() : null;
        java.nio.file.Path local = file == null ? null : localPath(file, hadoop);
        return local != null && !java.nio.file.Files.exists(local, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                ? java.util.Optional.of(file) : java.util.Optional.empty();
    }

    /** Lines longer than this are worth naming when a read ran out of memory. */
    static final long LONG_LINE = 64L << 20;

    /**
     * The file below {@code folder} with the longest line, when that line is longer than {@value #LONG_LINE}
     * bytes: where a read that ran out of memory most likely did. Only files larger than that are read, once,
     * after the read has failed.
     */
    public static java.util.Optional<String> longLine(String folder, Configuration hadoop) {
        String file = null;
        long longest = LONG_LINE;
        long at = 0;
        try {
            for (WholeFiles.Found found : WholeFiles.list(folder, hadoop)) {
                if (found.length() <= longest) {
                    continue;
                }
                Path path = new Path(found.path());
                long[] line = longestLine(path.getFileSystem(hadoop).open(path));
                if (line[0] > longest) {
                    longest = line[0];
                    at = line[1];
                    file = found.path();
                }
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return file == null ? java.util.Optional.empty() : java.util.Optional.of(String.format(Locale.ROOT,
                "%s holds a line of %,d bytes (from byte %,d)", file, longest, at));
    }

    /** The longest line's length and where it starts, lines ending at LF or CR. */
    private static long[] longestLine(java.io.InputStream stream) throws IOException {
        long longest = 0;
        long longestAt = 0;
        long start = 0;
        long position = 0;
        byte[] buffer = new byte[1 << 20];
        try (java.io.InputStream in = stream) {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                for (int i = 0; i < n; i++, position++) {
                    if (buffer[i] == '\n' || buffer[i] == '\r') {
                        if (position - start > longest) {
                            longest = position - start;
                            longestAt = start;
                        }
                        start = position + 1;
                    }
                }
            }
        }
        if (position - start > longest) {
            longest = position - start;
            longestAt = start;
        }
        return new long[] {longest, longestAt};
    }

    private static java.nio.file.Path localPath(String location, Configuration hadoop) {
        try {
            Path path = new Path(location);
            FileSystem fs = path.getFileSystem(hadoop);
            java.net.URI uri = fs.makeQualified(path).toUri();
            return "file".equals(uri.getScheme()) ? java.nio.file.Path.of(uri) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
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
