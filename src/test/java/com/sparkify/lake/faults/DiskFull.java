package com.sparkify.lake.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.sparkify.lake.support.EtlProcess;

/**
 * Guarantee: a run whose disk fills up stops with one clear line that says the disk is full and which, leaves
 * the previous lake's tables as they were and no staging or lock behind, and once there is room again the
 * next run gives the new lake.
 *
 * <p>The lake lives on a tmpfs of {@value #MIB} MiB mounted for the scenario (this needs root, or the right to
 * mount; without it the scenario is skipped and says why). Each round puts the old lake back, fills the disk
 * with a file until what is free is a seeded share (5 to 80 %) of what the run writes (a whole new lake beside
 * the old one for Parquet; what the new input adds for Iceberg), and runs etl.
 */
final class DiskFull {

    static final int MIB = 256;

    private final Path work;
    private final FaultHarness.World world;
    private final Random random;

    DiskFull(Path work, FaultHarness.World world, long seed) throws IOException {
        this.work = Files.createDirectories(work);
        this.world = world;
        this.random = new Random(seed);
    }

    List<Outcome> run(int rounds) throws IOException, InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        Path disk = Files.createDirectories(work.resolve("disk"));
        String refused = mount(disk);
        for (boolean iceberg : new boolean[] {false, true}) {
            Outcome outcome = new Outcome("the disk fills up during a run", iceberg ? "iceberg" : "parquet");
            outcomes.add(outcome);
            if (refused != null) {
                outcome.notes.add("skipped: cannot mount a tmpfs here (" + refused + ")");
            }
        }
        if (refused != null) {
            return outcomes;
        }
        try {
            for (Outcome outcome : outcomes) {
                run(outcome, disk, outcome.lake.equals("iceberg"), rounds);
            }
        } finally {
            unmount(disk);
        }
        return outcomes;
    }

    private void run(Outcome outcome, Path disk, boolean iceberg, int rounds) throws IOException, InterruptedException {
        Baseline baseline = Baseline.build(Files.createDirectories(disk.resolve(outcome.lake)), iceberg, world,
                false);
        // What the run writes: a whole new lake beside the old (Parquet), or what the new input adds (Iceberg).
        long writes = iceberg ? bytes(baseline.lake) - bytes(baseline.pristine) : bytes(baseline.lake);
        outcome.notes.add(String.format("the run writes %,d KiB", writes >> 10));
        Path filler = disk.resolve("filler");
        for (int round = 1; round <= rounds; round++) {
            baseline.restore();
            double share = 0.05 + 0.75 * random.nextDouble();
            long free = Files.getFileStore(disk).getUsableSpace();
            fill(filler, Math.max(0, free - (long) (share * writes)));
            // In a JVM of its own, so that everything the command prints is seen, Spark's own log included.
            EtlProcess.Finished done = EtlProcess.start(work, Map.of(), baseline.etl(world.after())).await(10);
            Cli.Result run = new Cli.Result(done.code(), done.output());
            world.secrets().scan("disk full round " + round, run.output());
            List<String> said = run.output().lines().filter(l -> l.startsWith("sparkify-lake:")).toList();
            String when = String.format("%.0f %% of what the run writes free", 100 * share);
            List<String> wrong = new ArrayList<>();
            if (run.code() == 0) {
                outcome.notes.add("round " + round + " (" + when + "): the run fitted, no fault");
                Files.deleteIfExists(filler);
                outcome.rounds++;
                outcome.survived++;
                continue;
            }
            outcome.faults++;
            if (run.code() != 1 || said.size() != 1 || run.hasStackTrace()) {
                wrong.add("exited " + run.code() + (run.hasStackTrace() ? " with a stack trace" : "") + ", saying "
                        + said);
            } else if (!said.get(0).contains("is full") || !said.get(0).contains(baseline.lake.toString())) {
                wrong.add("the message does not say that the lake's disk is full: " + said.get(0));
            }
            Map<String, LakeFingerprint.Contents> seen = LakeFingerprint.of(baseline.lake, iceberg);
            if (!seen.equals(baseline.old)) {
                wrong.add("the lake is not the old one: " + baseline.states(seen, baseline.fresh, baseline.old));
            }
            for (String left : List.of("_staging", "_lock")) {
                if (Files.exists(baseline.lake.resolve(left))) {
                    wrong.add(left + " left in the lake");
                }
            }
            Files.deleteIfExists(filler);
            Cli.Result check = Cli.run("check", "--lake", baseline.lake.toString(), "--config",
                    world.config().toString());
            if (check.code() != 0) {
                wrong.add("check failed once there was room again: " + check.output().lines()
                        .filter(l -> l.startsWith("FAIL") || l.startsWith("sparkify-lake")).toList());
            }
            Cli.Result again = Cli.run(baseline.etl(world.after()));
            if (again.code() != 0 || !LakeFingerprint.of(baseline.lake, iceberg).equals(baseline.fresh)) {
                wrong.add("the next run, with room, " + (again.code() != 0 ? "failed: " + again.output().lines()
                        .filter(l -> l.startsWith("sparkify-lake")).toList() : "did not give the new lake"));
            }
            outcome.rounds++;
            if (wrong.isEmpty()) {
                outcome.survived++;
                if (round == 1) {
                    outcome.notes.add(when + ": " + said.get(0));
                }
            } else {
                outcome.fail(round, when + ": " + String.join("; ", wrong));
            }
        }
    }

    private static void fill(Path filler, long bytes) throws IOException {
        byte[] block = new byte[1 << 16];
        try (OutputStream out = Files.newOutputStream(filler)) {
            for (long written = 0; written < bytes; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        } catch (IOException full) {
            // as full as it gets
        }
    }

    private static long bytes(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            long total = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // A tmpfs gives each file whole pages.
                total += (Files.size(file) + 4095) / 4096 * 4096;
            }
            return total;
        }
    }

    /** Null when mounted, else why not. */
    private static String mount(Path disk) throws IOException, InterruptedException {
        ProcessBuilder mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + MIB + "m", "tmpfs",
                disk.toString()).redirectErrorStream(true);
        try {
            Process process = mount.start();
            String said = new String(process.getInputStream().readAllBytes()).strip();
            return process.waitFor() == 0 ? null : "mount said: " + said;
        } catch (IOException e) {
            return "no mount command: " + e.getMessage();
        }
    }

    private static void unmount(Path disk) throws IOException, InterruptedException {
        if (new ProcessBuilder("umount", disk.toString()).inheritIO().start().waitFor() != 0) {
            // This JVM's catalog may still hold the lake's database open: detach it now, freed when closed.
            new ProcessBuilder("umount", "-l", disk.toString()).inheritIO().start().waitFor();
        }
    }
}
