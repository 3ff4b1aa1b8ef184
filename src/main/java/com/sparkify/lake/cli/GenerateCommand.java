package com.sparkify.lake.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.generate.Generator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Writes a synthetic data set in the real layout: song_data/X/Y/Z/TR….json and "
            + "log_data/YYYY/MM/YYYY-MM-DD-events.json. The same options and seed give the same files.")
final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder to write into.")
    Path output;

    @Option(names = "--songs", paramLabel = "N", defaultValue = "1000", description = "Song files (default: ${DEFAULT-VALUE}).")
    int songs;

    @Option(names = "--events", paramLabel = "N", defaultValue = "10000", description = "Events (default: ${DEFAULT-VALUE}).")
    long events;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--days", paramLabel = "D", defaultValue = "30", description = "Days of events, one file each (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--first-day", paramLabel = "DATE", defaultValue = "2018-11-01", description = "Date of the first day, UTC (default: ${DEFAULT-VALUE}).")
    LocalDate firstDay;

    @Option(names = "--overwrite", description = "Replace song_data/ and log_data/ if DIR already has them.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (songs < 0 || events < 0 || days < 1) {
            throw new UsageError("--songs and --events must be 0 or more, and --days at least 1.");
        }
        long start = System.nanoTime();
        Generator.Written written = generate(new Generator.Spec(songs, events, seed, days, firstDay), output, overwrite);
        System.out.printf("Wrote %,d song files and %,d events (%,d plays, %,d of them of catalog songs) "
                        + "over %d days to %s in %.1f s.%n", written.songFiles(), written.events(), written.plays(),
                written.catalogPlays(), written.logFiles(), output, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    static Generator.Written generate(Generator.Spec spec, Path output, boolean overwrite) {
        for (String folder : new String[] {"song_data", "log_data"}) {
            Path existing = output.resolve(folder);
            if (Files.exists(existing)) {
                if (!overwrite) {
                    throw new LakeException(existing + " already exists. Choose another --output or add --overwrite.");
                }
                deleteTree(existing);
            }
        }
        return new Generator(spec).write(output);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new LakeException("Cannot clear " + root + ": " + e.getMessage(), e);
        }
    }
}
