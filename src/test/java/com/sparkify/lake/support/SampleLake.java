package com.sparkify.lake.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import com.sparkify.lake.pipeline.Pipeline;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;

/** The lake built from the real sample, once per test JVM, for the tests that only read it. */
public final class SampleLake {

    /** @param progress what the run printed */
    public record Built(Path lake, RunSummary summary, String progress) {
    }

    private static Built built;

    private SampleLake() {
    }

    public static synchronized Built get() {
        if (built == null) {
            Path sample = TestSpark.sample();
            try {
                Path home = Files.createTempDirectory("sample-lake");
                // Gone with the JVM: a lake per test JVM otherwise piles up in /tmp, run after run.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> Trees.delete(home), "delete-sample-lake"));
                Path lake = home.resolve("lake");
                ByteArrayOutputStream progress = new ByteArrayOutputStream();
                RunSummary summary = new Pipeline(TestSpark.session(), TestSpark.settings(),
                        new Progress(new PrintStream(progress, true, StandardCharsets.UTF_8)))
                        .run(sample.toString(), lake.toString());
                built = new Built(lake, summary, progress.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return built;
    }

    /** A copy of the sample lake that a test may break. */
    public static Path copy(Path to) {
        return Trees.copy(get().lake(), to);
    }
}
