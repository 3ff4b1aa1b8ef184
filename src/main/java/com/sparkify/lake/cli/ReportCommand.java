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
    LakeOption lake;

    @Option(names = "--out", required = true, paramLabel = "FILE.html", description = "Where to write the report.")
    Path out;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        if (Files.isDirectory(out)) {
            throw new UsageError("--out names a file to write, and " + out + " is a folder.");
        }
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
            throw new LakeException("Cannot write the report to " + out + ": " + e.getMessage(), e);
        }
        return 0;
    }
}
