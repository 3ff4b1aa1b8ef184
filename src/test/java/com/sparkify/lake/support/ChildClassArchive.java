package com.sparkify.lake.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * One class-data archive (the JVM's AppCDS) shared by every run a test starts in a JVM of its own.
 *
 * <p>Why: a test's child run spends about a third of its time loading and verifying Spark's classes (on this
 * 2-core machine a run on the sample took 33 s without the archive and 23 s with it), and the slow tier starts
 * dozens of them. The launcher {@code bin/sparkify-lake} does the same for users.
 *
 * <p>The JVM archives classes from jars only, so the classpath's directories ({@code target/classes},
 * {@code target/test-classes}) are packed into jars first, written byte for byte the same when the classes are
 * (fixed entry times, sorted names) so that their dates, which the archive records, change only with the code.
 * The archive's name carries a digest of the classpath with every jar's size and date: any change makes a new
 * one. It is dumped once, by a run on the real sample made for that purpose and awaited, never by a test's own
 * run, which may be killed half-way through writing it.
 */
final class ChildClassArchive {

    private static final Path HOME = Path.of("target", "child-jvm");
    static final String ASKED = "sparkify.childClassArchive";

    /** The classpath a child runs with and the flags that share the archive, or none if it could not be made. */
    record Use(String classpath, List<String> flags) {
    }

    private static Use use;

    private ChildClassArchive() {
    }

    static synchronized Use get(List<String> jvmFlags) {
        if (use == null) {
            // Asked for where many runs follow (the slow tier, faults/run): making it costs about two runs, more
            // than it saves the fast tier, which starts one.
            use = Boolean.getBoolean(ASKED) ? make(jvmFlags)
                    : new Use(System.getProperty("java.class.path"), List.of());
        }
        return use;
    }

    private static Use make(List<String> jvmFlags) {
        String original = System.getProperty("java.class.path");
        try {
            Files.createDirectories(HOME);
            List<String> entries = new ArrayList<>();
            StringBuilder key = new StringBuilder();
            for (String entry : original.split(java.io.File.pathSeparator)) {
                Path path = Path.of(entry);
                if (Files.isDirectory(path)) {
                    path = packed(path);
                } else if (!Files.isRegularFile(path)) {
                    continue;
                }
                entries.add(path.toAbsolutePath().toString());
                key.append(path.toAbsolutePath()).append(' ').append(Files.size(path)).append(' ')
                        .append(Files.getLastModifiedTime(path).toMillis()).append('\n');
            }
            String classpath = String.join(java.io.File.pathSeparator, entries);
            // The JVM's flags too: an archive made under other ones (another collector) may not be used.
            key.append(String.join(" ", jvmFlags));
            Path archive = HOME.resolve("classes-" + digest(key.toString()).substring(0, 16) + ".jsa")
                    .toAbsolutePath();
            if (!Files.isRegularFile(archive) && !dump(jvmFlags, classpath, archive)) {
                return new Use(original, List.of());
            }
            return new Use(classpath, List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off"));
        } catch (IOException e) {
            System.err.println("child runs start without a class-data archive: " + e);
            return new Use(original, List.of());
        }
    }

    /** A run on the sample that loads what a run loads, its classes written to the archive when it exits. */
    private static boolean dump(List<String> jvmFlags, String classpath, Path archive) throws IOException {
        Path sample;
        try {
            sample = TestSpark.sample();
        } catch (org.opentest4j.TestAbortedException e) {
            return false; // no sample here: the runs start without the archive, the tests that need it skip
        }
        Path work = Files.createTempDirectory(HOME, "dump");
        Path partial = work.resolve("classes.jsa");
        List<String> command = new ArrayList<>(jvmFlags);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + partial, "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-cp", classpath, "com.sparkify.lake.cli.SparkifyLake", "etl",
                "--input", sample.toString(), "--output", work.resolve("lake").toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("dump.log").toFile());
        Process process = EtlProcess.withRunEnvironment(builder, Map.of()).start();
        try {
            boolean ended = process.waitFor(10, TimeUnit.MINUTES);
            if (!ended || process.exitValue() != 0 || !Files.isRegularFile(partial)) {
                System.err.println("child runs start without a class-data archive: the run that makes it failed ("
                        + work.resolve("dump.log") + ")");
                return false;
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Trees.delete(work);
            keepNewest(2);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * An archive is about 170 MiB, and each change of the code makes a new one. The newest two stay: the fast
     * tier's JVM and the slow tier's may run with different classpaths.
     */
    private static void keepNewest(int count) throws IOException {
        try (Stream<Path> files = Files.list(HOME)) {
            List<Path> archives = files.filter(f -> f.getFileName().toString().endsWith(".jsa"))
                    .sorted(java.util.Comparator.comparing(ChildClassArchive::modified).reversed()).toList();
            for (Path old : archives.subList(Math.min(count, archives.size()), archives.size())) {
                Files.deleteIfExists(old);
            }
        }
    }

    private static long modified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The directory as a jar, rewritten only when its classes changed, so that its date says when they did. */
    private static Path packed(Path directory) throws IOException {
        Path jar = HOME.resolve(directory.getFileName() + ".jar");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes); Stream<Path> walk = Files.walk(directory)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                JarEntry entry = new JarEntry(directory.relativize(file).toString().replace('\\', '/'));
                entry.setTime(0);
                out.putNextEntry(entry);
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        byte[] content = bytes.toByteArray();
        if (!Files.isRegularFile(jar) || !java.util.Arrays.equals(Files.readAllBytes(jar), content)) {
            Path next = Files.createTempFile(HOME, directory.getFileName().toString(), ".jar");
            Files.write(next, content);
            Files.move(next, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar;
    }

    private static String digest(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
