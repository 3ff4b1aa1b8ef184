package com.sparkify.lake.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.Trees;

/**
 * Guarantee: bad input never crashes a run with a stack trace and is never lost silently: for every input,
 * records loaded + rejected = records read, the records read are every non-blank line of the log files
 * (counted here from the bytes), and every rejected record names its file and its reason.
 *
 * <p>Each round mutates a fresh copy of the input, seeded: truncated files, flipped bytes, invalid UTF-8, a line
 * of several MiB, JSON nested thousands deep, a wrong type in every field, an emptied file, a file of random
 * bytes. The run allows any share of rejected records, so that only a crash or a loss can fail it.
 */
final class HostileInput {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] EVENT_FIELDS = {"artist", "auth", "firstName", "gender", "itemInSession",
        "lastName", "length", "level", "location", "method", "page", "registration", "sessionId", "song", "status",
        "ts", "userAgent", "userId"};

    private final Path work;
    private final FaultHarness.World world;
    private final Random random;

    HostileInput(Path work, FaultHarness.World world, long seed) {
        this.work = work;
        this.world = world;
        this.random = new Random(seed);
    }

    Outcome run(int rounds) throws IOException {
        Outcome outcome = new Outcome("hostile input (mutated files)", "parquet");
        outcome.notes.add("a 2 GiB line, link loops and a file that vanishes between listing and reading fail a run: "
                + "they are UnreadableInput's");
        for (int round = 1; round <= rounds; round++) {
            Path input = Trees.copy(world.after(), work.resolve("input-" + round));
            List<String> injected = mutate(input);
            outcome.faults += injected.size();
            Path lake = work.resolve("lake-" + round);
            Cli.Result result = Cli.run("etl", "--input", input.toString(), "--output", lake.toString(),
                    "--max-rejected-fraction", "1", "--config", world.config().toString());
            world.secrets().scan("hostile round " + round, result.output());
            judge(outcome, round, result, input, lake, injected);
        }
        return outcome;
    }

    /** A round's verdict: a run that ended well, and every record accounted for in the lake it made. */
    static void judge(Outcome outcome, int round, Cli.Result result, Path input, Path lake, List<String> injected)
            throws IOException {
        List<String> broken = new ArrayList<>();
        if (result.code() != 0 || result.hasStackTrace()) {
            broken.add("etl exited " + result.code() + (result.hasStackTrace() ? " with a stack trace" : "")
                    + ": " + result.output().lines().filter(l -> l.startsWith("sparkify-lake")).toList());
        } else {
            broken.addAll(accounted(input, lake));
        }
        if (!broken.isEmpty()) {
            broken.add("(injected: " + String.join(", ", injected) + ")");
        }
        outcome.ended(round, broken);
    }

    /** What the lake's summary and quarantine say against what the input holds; empty when all is accounted. */
    static List<String> accounted(Path input, Path lake) throws IOException {
        List<String> wrong = new ArrayList<>();
        RunSummary summary = RunSummary.fromJson(Files.readString(lake.resolve("_run/summary.json")));
        long rejectedInSummary = 0;
        for (Map.Entry<String, RunSummary.InputCounts> entry : summary.inputs().entrySet()) {
            RunSummary.InputCounts counts = entry.getValue();
            if (counts.loaded() + counts.rejected() != counts.records()) {
                wrong.add(entry.getKey() + ": loaded " + counts.loaded() + " + rejected " + counts.rejected()
                        + " != read " + counts.records());
            }
            rejectedInSummary += counts.rejected();
        }
        long lines = 0;
        for (Path file : FaultHarness.files(input.resolve("log_data"))) {
            lines += nonBlankLines(Files.readAllBytes(file));
        }
        long read = summary.inputs().get("log_data").records();
        if (read != lines) {
            wrong.add("log_data: the run read " + read + " records, the files hold " + lines + " non-blank lines");
        }
        long songFiles = FaultHarness.files(input.resolve("song_data")).size();
        if (summary.inputs().get("song_data").files() != songFiles) {
            wrong.add("song_data: the run read " + summary.inputs().get("song_data").files() + " files of "
                    + songFiles);
        }
        long quarantined = 0;
        Path rejected = lake.resolve("_rejected");
        for (Path part : Files.isDirectory(rejected) ? FaultHarness.files(rejected) : List.<Path>of()) {
            if (!part.getFileName().toString().endsWith(".json")) {
                continue;
            }
            for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
                JsonNode record = JSON.readTree(line);
                quarantined++;
                if (record.path("file").asText("").isBlank() || record.path("reason").asText("").isBlank()) {
                    wrong.add("a rejected record without its file or reason: " + line.substring(0,
                            Math.min(200, line.length())));
                }
            }
        }
        if (quarantined != rejectedInSummary) {
            wrong.add("_rejected/ holds " + quarantined + " records, the summary counts " + rejectedInSummary);
        }
        return wrong;
    }

    /** Lines as Spark's text reader splits them (LF, CR or CRLF), less those of spaces only (its trim). */
    static long nonBlankLines(byte[] bytes) {
        long count = 0;
        boolean content = false;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                if (b == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
                    i++;
                }
                count += content ? 1 : 0;
                content = false;
            } else if (b != ' ') {
                content = true;
            }
        }
        return count + (content ? 1 : 0);
    }

    /** Mutates files of the input, each kind of damage once, on files chosen at random; says what it did. */
    List<String> mutate(Path input) throws IOException {
        List<Path> logs = FaultHarness.files(input.resolve("log_data"));
        List<Path> songs = FaultHarness.files(input.resolve("song_data"));
        List<String> done = new ArrayList<>();
        Path log = pick(logs);
        byte[] bytes = Files.readAllBytes(log);
        Files.write(log, java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)));
        done.add("truncated " + input.relativize(log));

        log = pick(logs);
        bytes = Files.readAllBytes(log);
        for (int i = 0; i < 16; i++) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
        }
        Files.write(log, bytes);
        done.add("16 bytes flipped in " + input.relativize(log));

        log = pick(logs);
        // A good event to damage, from the input as it was.
        String good = Files.readAllLines(FaultHarness.files(world.after().resolve("log_data")).get(0),
                StandardCharsets.UTF_8).get(0);
        byte[] invalid = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] text = good.getBytes(StandardCharsets.UTF_8);
        int at = text.length / 2;
        byte[] spliced = new byte[text.length + invalid.length];
        System.arraycopy(text, 0, spliced, 0, at);
        System.arraycopy(invalid, 0, spliced, at, invalid.length);
        System.arraycopy(text, at, spliced, at + invalid.length, text.length - at);
        Files.write(log, concat(Files.readAllBytes(log), "\n".getBytes(), spliced));
        done.add("invalid UTF-8 in a line of " + input.relativize(log));

        ObjectNode huge = (ObjectNode) JSON.readTree(good);
        huge.put("artist", "x".repeat(6 << 20));
        append(log, JSON.writeValueAsString(huge));
        done.add("a 6 MiB line in " + input.relativize(log));

        String deep = "[".repeat(5_000) + "]".repeat(5_000);
        append(pick(logs), "{\"ts\": 1541000000000, \"page\": \"NextSong\", \"artist\": " + deep + "}");
        done.add("JSON nested 5,000 deep");

        log = pick(logs);
        StringBuilder wrongTypes = new StringBuilder();
        for (String field : EVENT_FIELDS) {
            ObjectNode event = (ObjectNode) JSON.readTree(good);
            if (event.get(field) != null && event.get(field).isTextual()) {
                event.putObject(field).put("not", "a string");
            } else {
                event.put(field, "not a number");
            }
            wrongTypes.append('\n').append(JSON.writeValueAsString(event));
        }
        append(log, wrongTypes.substring(1));
        done.add("a wrong type in each of the " + EVENT_FIELDS.length + " event fields");

        List<Path> shuffled = new ArrayList<>(songs);
        java.util.Collections.shuffle(shuffled, random);
        Path song = shuffled.get(0);
        Files.write(song, new byte[0]);
        done.add("emptied " + input.relativize(song));
        song = shuffled.get(1);
        byte[] noise = new byte[512];
        random.nextBytes(noise);
        Files.write(song, noise);
        done.add("random bytes in " + input.relativize(song));
        song = shuffled.get(2);
        ObjectNode record = (ObjectNode) JSON.readTree(Files.readString(song));
        List<String> fields = new ArrayList<>();
        record.fieldNames().forEachRemaining(fields::add);
        String field = fields.get(random.nextInt(fields.size()));
        record.putArray(field).add(1);
        Files.writeString(song, JSON.writeValueAsString(record));
        done.add("'" + field + "' an array in " + input.relativize(song));
        song = shuffled.get(3);
        String pretty = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(Files.readString(song)));
        Files.writeString(song, pretty.substring(0, pretty.length() / 2));
        done.add("a pretty-printed song cut off in " + input.relativize(song));
        return done;
    }

    private Path pick(List<Path> files) {
        return files.get(random.nextInt(files.size()));
    }

    private static void append(Path file, String line) throws IOException {
        Files.write(file, concat(Files.readAllBytes(file), ("\n" + line).getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
