package com.sparkify.lake.load;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, minus one cost: without Hadoop's native library (which no Maven artifact
 * ships) it starts a process for every file it touches: {@code chmod} twice for every file it creates (the
 * file and its checksum), and {@code ls -ld} for a listed file once anyone asks for its owner or permissions.
 * The songs table is one file per (year, artist_id) folder, so those processes were most of a run's time.
 * Here permissions and file status go through java.nio instead, and no {@code .crc} side files are written or
 * looked for; everything else is Hadoop's own. Installed as {@code fs.file.impl} by
 * {@link com.sparkify.lake.config.Settings}.
 */
public class LocalFileSystem extends org.apache.hadoop.fs.LocalFileSystem {

    public LocalFileSystem() {
        super(new NioPermissions());
        // Hadoop's side files of checksums double the files a write creates and renames; Parquet checks its
        // own pages, and the lake's readers (Spark, DuckDB, pandas) never look at them.
        setWriteChecksum(false);
    }

    /**
     * Nor are they looked for on reading. Hadoop's initialize sets checksum verification from
     * {@code fs.file.checksum.verify} (default true), so it is turned off after that, not in the constructor:
     * with it on, opening each of 100,000 song files looked for its .crc, paid an exception for the miss, and
     * read through the checksum layer's 512-byte chunks.
     */
    @Override
    public void initialize(URI name, Configuration conf) throws IOException {
        super.initialize(name, conf);
        setVerifyChecksum(false);
    }

    /** The raw local file system with java.nio permissions and file status. */
    static final class NioPermissions extends RawLocalFileSystem {

        @Override
        public FileStatus getFileStatus(Path path) throws IOException {
            java.nio.file.Path file = pathToFile(path).toPath();
            try {
                return status(file, makeQualified(path));
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException("File " + path + " does not exist");
            } catch (UnsupportedOperationException notPosix) {
                return super.getFileStatus(path);
            }
        }

        @Override
        public FileStatus[] listStatus(Path path) throws IOException {
            java.nio.file.Path folder = pathToFile(path).toPath();
            if (!Files.isDirectory(folder)) {
                return new FileStatus[] {getFileStatus(path)};
            }
            List<FileStatus> statuses = new ArrayList<>();
            try (DirectoryStream<java.nio.file.Path> children = Files.newDirectoryStream(folder)) {
                for (java.nio.file.Path child : children) {
                    try {
                        statuses.add(status(child, makeQualified(new Path(path, child.getFileName().toString()))));
                    } catch (NoSuchFileException goneMeanwhile) {
                        // Deleted between the listing and the look: not there, as Hadoop's own listing has it.
                    }
                }
            } catch (NoSuchFileException e) {
                throw new FileNotFoundException("File " + path + " does not exist");
            } catch (UnsupportedOperationException notPosix) {
                return super.listStatus(path);
            }
            return statuses.toArray(FileStatus[]::new);
        }

        private FileStatus status(java.nio.file.Path file, Path qualified) throws IOException {
            // One stat call with numeric owner and group: PosixFileAttributes.owner() looks the name up in the
            // user database on every call. Listing 15,000 song files took 700 ms that way, 375 ms this way.
            Map<String, Object> unix = Files.readAttributes(file, UNIX_STATUS);
            int mode = (Integer) unix.get("mode");
            return new FileStatus((Long) unix.get("size"), (Boolean) unix.get("isDirectory"), 1,
                    getDefaultBlockSize(qualified), ((FileTime) unix.get("lastModifiedTime")).toMillis(),
                    ((FileTime) unix.get("lastAccessTime")).toMillis(), new FsPermission((short) (mode & 0777)),
                    name(USERS, (Integer) unix.get("uid"), file, true),
                    name(GROUPS, (Integer) unix.get("gid"), file, false), qualified);
        }

        private static final String UNIX_STATUS = "unix:size,isDirectory,lastModifiedTime,lastAccessTime,mode,uid,gid";
        private static final Map<Integer, String> USERS = new ConcurrentHashMap<>();
        private static final Map<Integer, String> GROUPS = new ConcurrentHashMap<>();

        /** The name of a uid or gid, looked up once through a file that has it. */
        private static String name(Map<Integer, String> names, int id, java.nio.file.Path file, boolean user)
                throws IOException {
            String known = names.get(id);
            if (known != null) {
                return known;
            }
            PosixFileAttributes attributes = Files.readAttributes(file, PosixFileAttributes.class);
            String found = user ? attributes.owner().getName() : attributes.group().getName();
            names.put(id, found);
            return found;
        }

        @Override
        public void setPermission(Path path, FsPermission permission) throws IOException {
            java.nio.file.Path file = pathToFile(path).toPath();
            try {
                Files.setPosixFilePermissions(file, posix(permission));
            } catch (UnsupportedOperationException notPosix) {
                super.setPermission(path, permission);
            }
        }

        static Set<PosixFilePermission> posix(FsPermission permission) {
            Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
            add(set, permission.getUserAction(), PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE);
            add(set, permission.getGroupAction(), PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE);
            add(set, permission.getOtherAction(), PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            return set;
        }

        private static void add(Set<PosixFilePermission> set, FsAction action, PosixFilePermission read,
                                PosixFilePermission write, PosixFilePermission execute) {
            if (action.implies(FsAction.READ)) {
                set.add(read);
            }
            if (action.implies(FsAction.WRITE)) {
                set.add(write);
            }
            if (action.implies(FsAction.EXECUTE)) {
                set.add(execute);
            }
        }
    }
}
