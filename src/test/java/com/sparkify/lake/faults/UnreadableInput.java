package com.sparkify.lake.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.Trees;

/**
 * Guarantee: input that cannot be read whole never crashes a run with a stack trace and is never lost
 * silently: the run stops with one clear line that names the file (or link) at fault, and the lake's tables
 * stay as they were, with no staging and no lock left behind.
 *
 * <p>The faults, on a small input copied for each: a symbolic link to a folder that holds it (a listing that
 * never ends), two links that lead to each other, a file deleted between the listing and its read (a file
 * system of the harness, {@link VanishingFiles}, deletes it for real as it is first opened, in a run of its own
 * JVM), and, only in the harness's own run (it writes 2 GiB), a log file with a line of 2 GiB. Each goes into
 * song_data or log_data, and into a Parquet or an Iceberg lake, as the seed draws.
 */
final class UnreadableInput {

    private final Path work;
    private final FaultHarness.World world;
    private final Random random;
    private final boolean full;

    UnreadableInput(Path work, FaultHarness.World world, long seed, boolean full) throws IOException {
        this.work = Files.createDirectories(work);
        this.world = world;
        this.random = new Random(seed);
        this.full = full;
    }

    /** A lake at rest to fail runs against, and what it holds. */
    private record Lake(Path pristine, boolean iceberg, Map<String, LakeFingerprint.Contents> contents) {
    }

    Outcome run(int rounds) throws IOException, InterruptedException {
        Outcome outcome = new Outcome("input that cannot be read whole (link loops, a file gone when read"
                + (full ? ", a 2 GiB line" : "") + ")", full ? "both" : "parquet");
        if (!full) {
            outcome.notes.add("not injected in the suite: a 2 GiB line (faults/run injects it in its first round)");
        }
        Path input = work.resolve("input");
        new Generator(new Generator.Spec(12, 200, 5, 2, Generator.Spec.REAL_FIRST_DAY)).write(input);
        List<Lake> lakes = new ArrayList<>();
        // The suite's round: a Parquet lake only (the input is read before the kinds of run part ways).
        for (boolean iceberg : full ? new boolean[] {false, true} : new boolean[] {false}) {
            Path lake = work.resolve((iceberg ? "iceberg" : "parquet") + "-lake");
            Cli.Result built = Cli.run(Baseline.etl(iceberg, world, input, lake));
            if (built.code() != 0) {
                throw new IllegalStateException("the small lake did not build: " + built.output());
            }
            lakes.add(new Lake(lake, iceberg, LakeFingerprint.of(lake, iceberg)));
        }
        Map<String, Integer> kinds = new java.util.LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            List<String> faults = new ArrayList<>(List.of("folder loop", "link loop", "vanished"));
            if (full) {
                faults.add("vanished");
            }
            if (full && round == 1) {
                faults.add("2 GiB line");
            }
            boolean held = true;
            for (String fault : faults) {
                String folder = fault.equals("2 GiB line") || random.nextBoolean() ? "log_data" : "song_data";
                Lake lake = lakes.get(random.nextInt(lakes.size()));
                String where = fault + " in " + folder + ", " + (lake.iceberg() ? "iceberg" : "parquet") + " lake";
                Path damaged = Trees.copy(input, work.resolve("input-" + round + "-" + outcome.faults));
                kinds.merge(fault, 1, Integer::sum);
                // The lake itself, not a copy (an Iceberg lake's metadata names its files by absolute path): a run
                // that changed it would show here and in every later verdict.
                Path target = lake.pristine();
                outcome.faults++;
                List<Path> files = FaultHarness.files(damaged.resolve(folder));
                Path file = files.get(random.nextInt(files.size()));
                String named;
                String output;
                int code;
                String[] etl = Baseline.etl(lake.iceberg(), world, damaged, target);
                switch (fault) {
                    case "folder loop" -> {
                        Path link = file.getParent().resolve("loop");
                        Files.createSymbolicLink(link, file.getParent().relativize(damaged.resolve(folder)));
                        named = link.toString();
                    }
                    case "link loop" -> {
                        Path a = file.getParent().resolve("a.json");
                        Files.createSymbolicLink(a, Path.of("b.json"));
                        Files.createSymbolicLink(file.getParent().resolve("b.json"), Path.of("a.json"));
                        named = a.toString().replace("a.json", "[ab].json");
                    }
                    case "2 GiB line" -> {
                        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                            byte[] block = new byte[1 << 20];
                            java.util.Arrays.fill(block, (byte) 'x');
                            out.write('\n');
                            for (int i = 0; i < 2048; i++) {
                                out.write(block);
                            }
                            out.write("x\n".getBytes());
                        }
                        named = file.toString();
                    }
                    default -> named = file.toString();
                }
                if (fault.equals("vanished") || fault.equals("2 GiB line")) {
                    // A JVM of its own: the file system that deletes the file is installed there only.
                    List<String> arguments = new ArrayList<>(List.of(etl));
                    if (fault.equals("vanished")) {
                        arguments.addAll(List.of("--conf", "spark.hadoop.fs.file.impl=" + VanishingFiles.class.getName(),
                                "--conf", "spark.hadoop." + VanishingFiles.FILES + "=" + file.getFileName()));
                    }
                    EtlProcess.Finished done = EtlProcess.start(work, Map.of(), arguments.toArray(String[]::new))
                            .await(10);
                    code = done.code();
                    output = done.output();
                } else {
                    Cli.Result result = Cli.run(etl);
                    code = result.code();
                    output = result.output();
                }
                world.secrets().scan(where, output);
                List<String> said = output.lines().filter(l -> l.startsWith("sparkify-lake:")).toList();
                List<String> wrong = new ArrayList<>();
                if (code != 1 || said.size() != 1 || new Cli.Result(code, output).hasStackTrace()) {
                    wrong.add("exited " + code + (new Cli.Result(code, output).hasStackTrace() ? " with a stack trace"
                            : "") + ", saying " + said);
                } else if (!java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(named).replace("[ab]",
                        "\\E[ab]\\Q")).matcher(said.get(0)).find()) {
                    wrong.add("the message does not name " + named + ": " + said.get(0));
                }
                Map<String, LakeFingerprint.Contents> after = LakeFingerprint.of(target, lake.iceberg());
                if (!after.equals(lake.contents())) {
                    wrong.add("the lake changed: " + after + " instead of " + lake.contents());
                }
                for (String left : List.of("_staging", "_lock")) {
                    if (Files.exists(target.resolve(left))) {
                        wrong.add(left + " left in the lake");
                    }
                }
                if (!wrong.isEmpty()) {
                    held = false;
                    outcome.fail(round, where + " (" + named + "): " + String.join("; ", wrong));
                } else if (round == 1) {
                    outcome.notes.add(where + ": " + said.get(0).substring(0, Math.min(300, said.get(0).length())));
                }
                if (fault.equals("2 GiB line")) {
                    Files.delete(file);
                }
            }
            outcome.rounds++;
            if (held) {
                outcome.survived++;
            }
        }
        outcome.notes.add("faults by kind: " + kinds);
        return outcome;
    }
}
