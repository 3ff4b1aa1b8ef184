package com.sparkify.lake.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.report.LakeReport;
import com.sparkify.lake.report.ReportPage;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes one HTML file with charts of the analytics questions, the run that built the lake "
                + "and its checks.",
            "The file needs no network: open it in any browser, or send it."})
final class ReportCommand implements Callable<Integer> {

    @Mixin
    LakeSource lake;

    @Option(names = "--out", required = true, paramLabel = "FILE.html", description = "Where to write the report.")
    Path out;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        if (Files.isDirectory(out)) {
            throw new UsageError("--out names a file to write, and " + out + " is a folder.");
        }
        if (lake.remote()) {
            // The report draws the run that built the lake, its rejected records and its history from files
            // beside the tables, which a Connect server does not give; a page without them would mislead.
            throw new UsageError("report needs the lake's files (its run summary, rejected records and history), "
                    + "which a server does not serve: give --lake where the lake is, not --remote.");
        }
        writable(out);
        String html = Sessions.withSpark(config.settings(), spark -> ReportPage.html(LakeReport.of(spark, lake.lake,
                config.config())));
        try {
            Path absolute = out.toAbsolutePath();
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            Files.writeString(absolute, html, StandardCharsets.UTF_8);
            System.out.println("Wrote " + absolute + ": open it in a browser (it needs no network).");
        } catch (IOException e) {
            throw new LakeException("Cannot write the report to " + out + ": " + reason(e), e);
        }
        return 0;
    }

    /** Tries the file before the report is computed (seconds of Spark): a path it cannot write fails at once. */
    static void writable(Path file) {
        Path absolute = file.toAbsolutePath();
        boolean existed = Files.exists(absolute);
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            try (var channel = java.nio.channels.FileChannel.open(absolute, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE)) {
                // opened: the folder takes files and the file takes writes
            }
            if (!existed) {
                Files.deleteIfExists(absolute);
            }
        } catch (IOException e) {
            throw new LakeException("Cannot write the report to " + file + ": " + reason(e) + ".", e);
        }
    }

    /** The operating system's reason, which Java's exceptions give as a class rather than in their message. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException denied) {
            return "permission denied (" + denied.getFile() + ")";
        }
        if (e instanceof java.nio.file.NoSuchFileException missing) {
            return "no such file or folder (" + missing.getFile() + ")";
        }
        if (e instanceof java.nio.file.FileAlreadyExistsException exists) {
            return exists.getFile() + " is in the way: it exists and is not a folder";
        }
        if (e instanceof java.nio.file.FileSystemException system && system.getReason() != null) {
            return system.getReason().toLowerCase(java.util.Locale.ROOT) + " (" + system.getFile() + ")";
        }
        return String.valueOf(e.getMessage());
    }
}
