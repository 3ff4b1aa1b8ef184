package com.sparkify.lake.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Commands as a page of the docs gives them: the first {@code ```sh} block under a heading, read from the page
 * at test time so that the page and what is tested cannot drift apart, and run one line at a time with bash from
 * the project's folder, as a user would type them.
 */
public final class DocumentedCommands {

    /** One command's exit code and what it printed (stdout and stderr together, as a terminal shows them). */
    public record Result(String command, int code, String output) {
    }

    private DocumentedCommands() {
    }

    /** The lines of the first sh block after {@code heading} in {@code page}, without their comments. */
    public static List<String> under(Path page, String heading) throws IOException {
        List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
        int at = lines.indexOf(heading);
        if (at < 0) {
            throw new IllegalStateException(page + " has no heading \"" + heading + "\"");
        }
        int open = at + 1;
        while (open < lines.size() && !lines.get(open).equals("```sh")) {
            if (lines.get(open).startsWith("#")) {
                throw new IllegalStateException("no ```sh block under \"" + heading + "\" in " + page);
            }
            open++;
        }
        List<String> commands = new ArrayList<>();
        for (int i = open + 1; i < lines.size() && !lines.get(i).equals("```"); i++) {
            // A comment is a '#' after blanks: none of these commands has one inside an argument.
            String command = lines.get(i).replaceFirst("\\s+#\\s.*$", "").strip();
            if (!command.isEmpty()) {
                commands.add(command);
            }
        }
        if (commands.isEmpty()) {
            throw new IllegalStateException("the ```sh block under \"" + heading + "\" in " + page + " is empty");
        }
        return commands;
    }

    /**
     * Runs one command with bash in the project's folder, with this JVM's java first on the PATH, the
     * environment changed by {@code environment} (a null value removes a variable), and its output kept in
     * {@code log}. Fails if it takes longer than {@code timeout}, after killing it.
     */
    public static Result run(String command, Map<String, String> environment, Path log, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", command)
                .directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
        environment.forEach((name, value) -> {
            if (value == null) {
                env.remove(name);
            } else {
                env.put(name, value);
            }
        });
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("`" + command + "` did not end within " + timeout + ":\n"
                    + StandaloneCluster.tail(Files.readString(log)));
        }
        return new Result(command, process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    /** The pids recorded in {@code *.pid} files of {@code folder}: what a start left for its stop. */
    public static List<Long> recordedPids(Path folder) throws IOException {
        List<Long> pids = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return pids;
        }
        try (var files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                pids.add(Long.parseLong(Files.readString(file).strip()));
            }
        }
        return pids;
    }

    /**
     * Kills what a failed test left running, with the children (executors) of each: the processes whose
     * command line holds {@code marker}, the mark the scripts give every JVM they start, which names this
     * test's own state folder. Found by that, not by pid files alone, since a start that failed half-way
     * may not have written them.
     */
    public static void killAll(String marker) {
        List<ProcessHandle> ours = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(marker)).orElse(false))
                .toList();
        for (ProcessHandle process : ours) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
