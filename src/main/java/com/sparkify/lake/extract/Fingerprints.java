package com.sparkify.lake.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What an input file holds, in a few characters: the same bytes give the same fingerprint whatever the file's
 * time. A file delivered again unchanged (a sync, a producer's retry, a restore from backup) then reads as the
 * file the lake loaded, not as a changed one. On an object store the fingerprint is the ETag its listing already
 * gave ({@code etag:…}: a content hash for a file uploaded in one part, as the store computes it); elsewhere the
 * MD5 of the bytes ({@code md5:…}), which costs a read of the file.
 */
public final class Fingerprints {

    private Fingerprints() {
    }

    /** The fingerprint of each file, by path; files without an ETag are read, several at once. */
    public static Map<String, String> of(List<WholeFiles.Found> files, Configuration hadoop, int inFlight) {
        Map<String, String> fingerprints = new LinkedHashMap<>();
        List<WholeFiles.Found> toRead = new ArrayList<>();
        for (WholeFiles.Found file : files) {
            if (file.etag() != null) {
                fingerprints.put(file.path(), "etag:" + file.etag());
            } else {
                toRead.add(file);
            }
        }
        if (toRead.isEmpty()) {
            return fingerprints;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(inFlight, toRead.size())), task -> {
            Thread thread = new Thread(task, "sparkify-fingerprint");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<String>> digests = new ArrayList<>();
            for (WholeFiles.Found file : toRead) {
                digests.add(pool.submit(() -> md5(file.path(), hadoop)));
            }
            for (int i = 0; i < toRead.size(); i++) {
                fingerprints.put(toRead.get(i).path(), digests.get(i).get());
            }
            return fingerprints;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading input files", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** The file's fingerprint as it is now: its ETag, or the MD5 of its bytes when the store gives none. */
    public static String of(WholeFiles.Found file, Configuration hadoop) {
        return file.etag() != null ? "etag:" + file.etag() : md5(file.path(), hadoop);
    }

    private static String md5(String file, Configuration hadoop) {
        Path path = new Path(file);
        try (InputStream in = path.getFileSystem(hadoop).open(path)) {
            MessageDigest digest = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return "md5:" + HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + " to fingerprint it: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has MD5", e);
        }
    }
}
