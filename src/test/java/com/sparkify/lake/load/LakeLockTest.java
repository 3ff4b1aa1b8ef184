package com.sparkify.lake.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.LakeException;

class LakeLockTest {

    @TempDir
    Path lake;

    @Test
    void aSecondRunIsToldWhoHoldsTheLakeAndTheFileGoesWithTheLock() {
        Instant since = Instant.parse("2026-11-27T01:00:00Z");
        try (LakeLock first = LakeLock.take(lake, "file:" + lake, "run-1", since)) {
            assertNull(first.previousHolder());
            assertTrue(Files.exists(lake.resolve(LakeLock.NAME)));
            LakeException second = assertThrows(LakeException.class,
                    () -> LakeLock.take(lake, "file:" + lake, "run-2", Instant.now()));
            assertEquals("Another run holds the lake file:" + lake + " since 2026-11-27T01:00:00Z (run run-1, pid "
                    + ProcessHandle.current().pid() + " on " + host() + "): this command stopped before "
                    + "changing anything. Run it again once that one has finished.", second.getMessage());
        }
        assertFalse(Files.exists(lake.resolve(LakeLock.NAME)), "released, the lock file is gone");
        try (LakeLock again = LakeLock.take(lake, "file:" + lake, "run-3", Instant.now())) {
            assertNull(again.previousHolder(), "a released lock is no one's");
        }
    }

    @Test
    void aLakeElsewhereIsNotLocked() {
        try (LakeLock none = LakeLock.take(null, "s3a://bucket/lake", "run-1", Instant.now())) {
            assertNull(none.previousHolder());
        }
    }

    /** Another process holds the lock: refused; killed with SIGKILL, its lock is gone with it, file or not. */
    @Test
    void aKilledHoldersLockIsTakenOverAndNamed() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Holder.class.getName(), lake.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("held", out.readLine(), "the other process took the lock");
            LakeException refused = assertThrows(LakeException.class,
                    () -> LakeLock.take(lake, "file:" + lake, "run-2", Instant.now()));
            assertTrue(refused.getMessage().contains("(run holder-run, pid " + holder.pid() + " on "),
                    refused.getMessage());

            new ProcessBuilder("kill", "-KILL", String.valueOf(holder.pid())).start().waitFor();
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            assertTrue(Files.exists(lake.resolve(LakeLock.NAME)), "a killed holder leaves its file");
            try (LakeLock taken = LakeLock.take(lake, "file:" + lake, "run-3", Instant.now())) {
                assertTrue(LakeLock.describe(taken.previousHolder()).startsWith("run holder-run (pid "
                        + holder.pid() + " on "), taken.previousHolder());
            }
        } finally {
            ProcessHandle.of(holder.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "this host";
        }
    }

    /** Takes the lock of the lake named, says so, and waits to be killed. */
    public static final class Holder {
        public static void main(String[] args) throws InterruptedException {
            LakeLock.take(Path.of(args[0]), "file:" + args[0], "holder-run", Instant.now());
            System.out.println("held");
            System.out.flush();
            Thread.sleep(120_000);
        }
    }
}
