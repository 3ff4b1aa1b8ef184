package com.sparkify.lake.load;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.sparkify.lake.LakeException;

/**
 * One run at a time per lake on a local disk: a run holds {@code <lake>/_lock} from before it touches the lake
 * (its recovery of a killed run's leftovers included, which would otherwise remove a live run's staging) until
 * it has published or failed. A second run finds it held, says by whom and since when, and stops having
 * changed nothing.
 *
 * <p>The lock is the operating system's lock on that file (POSIX {@code fcntl}), not the file's existence: the
 * system releases it when its holder dies, however it dies, so a lock left by a run killed with SIGKILL is no
 * lock at all, and there is no process id to guess at (a reused one included). The file's text says who holds
 * it, for the message. The holder deletes the file when it lets go, having first marked it released, so that a
 * run that opened it just before finds the mark and opens the file anew instead of locking a deleted one.
 *
 * <p>Lakes on an object store or HDFS are not locked (no such lock there; a lock object on S3 would cost every
 * run requests and still not be atomic): run one {@code etl} at a time per lake there.
 */
public final class LakeLock implements AutoCloseable {

    public static final String NAME = "_lock";
    private static final String RELEASED = "released\n";

    /** Locks this JVM holds, by file: a second channel on a locked file must not be opened and closed here,
     *  since closing any descriptor of a file drops the process's POSIX locks on it (hence also one thread at
     *  a time takes or releases a lock). */
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final String previous;

    private LakeLock(Path file, FileChannel channel, FileLock lock, String previous) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.previous = previous;
    }

    /** No lock: a lake that is not on the local file system. */
    private static final LakeLock NONE = new LakeLock(null, null, null, null);

    /**
     * Takes the lake's lock for the run, or fails with who holds it.
     *
     * @param folder the lake's folder on the local disk, or null (not locked)
     */
    public static synchronized LakeLock take(Path folder, String lake, String runId, Instant started) {
        if (folder == null) {
            return NONE;
        }
        Path file = folder.resolve(NAME).toAbsolutePath().normalize();
        String mine = "run " + runId + "\npid " + ProcessHandle.current().pid() + "\nhost " + host() + "\nsince "
                + started + "\n";
        for (int attempt = 0; attempt < 10; attempt++) {
            String here = HELD.get(file);
            if (here != null) {
                throw held(lake, here);
            }
            FileChannel channel = null;
            try {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException sameJvm) {
                    lock = null;
                }
                String text = read(channel);
                if (lock == null) {
                    throw held(lake, text);
                }
                if (text.equals(RELEASED)) {
                    // Its holder let go and deleted it after this run opened it: open the file anew.
                    lock.release();
                    channel.close();
                    continue;
                }
                write(channel, mine);
                HELD.put(file, mine);
                return new LakeLock(file, channel, lock, text.isBlank() ? null : text);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new LakeException("Cannot take the lake's lock " + file + ": " + e.getMessage() + ". Check "
                        + "that you may write to the lake's folder.", e);
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
        throw new LakeException("Cannot take the lake's lock " + file + ": other runs keep taking and releasing it.");
    }

    /** The holder that died with the lock taken (its record), when this run took a stale lock over; else null. */
    public String previousHolder() {
        return previous;
    }

    /** One line for the run's output about a dead run's lock that this one took over. */
    public static String describe(String record) {
        Map<String, String> fields = fields(record);
        return "run " + fields.getOrDefault("run", "?") + " (pid " + fields.getOrDefault("pid", "?") + " on "
                + fields.getOrDefault("host", "?") + ", since " + fields.getOrDefault("since", "?") + ")";
    }

    @Override
    public void close() {
        if (channel == null) {
            return;
        }
        synchronized (LakeLock.class) {
            release();
        }
    }

    private void release() {
        try {
            write(channel, RELEASED);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left marked released: the next run takes it over as a lock no one holds.
        } finally {
            HELD.remove(file);
            try {
                lock.release();
            } catch (IOException e) {
                // Closing the channel releases it too.
            }
            closeQuietly(channel);
        }
    }

    private static LakeException held(String lake, String record) {
        if (record.isBlank() || record.equals(RELEASED)) {
            return new LakeException("Another run holds the lake " + lake + " (it has just started): this command "
                    + "stopped before changing anything. Run it again once that one has finished.");
        }
        Map<String, String> fields = fields(record);
        return new LakeException("Another run holds the lake " + lake + " since " + fields.getOrDefault("since", "?")
                + " (run " + fields.getOrDefault("run", "?") + ", pid " + fields.getOrDefault("pid", "?") + " on "
                + fields.getOrDefault("host", "?") + "): this command stopped before changing anything. Run it "
                + "again once that one has finished.");
    }

    private static Map<String, String> fields(String record) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        record.lines().forEach(line -> {
            int space = line.indexOf(' ');
            if (space > 0) {
                fields.put(line.substring(0, space), line.substring(space + 1));
            }
        });
        return fields;
    }

    private static String read(FileChannel channel) throws IOException {
        long size = Math.min(channel.size(), 4096);
        ByteBuffer bytes = ByteBuffer.allocate((int) size);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0) {
            // read it all
        }
        return new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
    }

    private static void write(FileChannel channel, String text) throws IOException {
        channel.truncate(0);
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        long at = 0;
        while (bytes.hasRemaining()) {
            at += channel.write(bytes, at);
        }
        channel.force(false);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }
}
