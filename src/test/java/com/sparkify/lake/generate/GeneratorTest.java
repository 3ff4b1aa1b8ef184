package com.sparkify.lake.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class GeneratorTest {

    @TempDir
    Path work;

    static final Generator.Spec SPEC = new Generator.Spec(400, 6_000, 11, 4, Generator.Spec.REAL_FIRST_DAY);

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedDoesNot() throws Exception {
        new Generator(SPEC).write(work.resolve("a"));
        new Generator(SPEC).write(work.resolve("b"));
        new Generator(new Generator.Spec(400, 6_000, 12, 4, Generator.Spec.REAL_FIRST_DAY)).write(work.resolve("c"));
        assertEquals(digest(work.resolve("a")), digest(work.resolve("b")));
        assertNotEquals(digest(work.resolve("a")), digest(work.resolve("c")));
    }

    @Test
    void writesTheRealLayoutWithTheRealDatasQuirks() throws IOException {
        Generator.Written written = new Generator(SPEC).write(work);
        ObjectMapper json = new ObjectMapper();

        List<Path> songFiles = files(work.resolve("song_data"));
        assertEquals(400, songFiles.size());
        for (Path file : songFiles) {
            String track = file.getFileName().toString().replace(".json", "");
            assertTrue(track.startsWith("TR") && track.length() == 18, track);
            Path folders = work.resolve("song_data").relativize(file.getParent());
            assertEquals(track.charAt(2) + "/" + track.charAt(3) + "/" + track.charAt(4), folders.toString());
        }
        String allSongs = String.join("\n", songFiles.stream().map(GeneratorTest::read).toList());
        assertTrue(allSongs.contains("\\u00"), "non-ASCII letters escaped as in the Million Song Dataset");

        List<Path> logFiles = files(work.resolve("log_data"));
        assertEquals(List.of("2018-11-01-events.json", "2018-11-02-events.json", "2018-11-03-events.json",
                "2018-11-04-events.json"), logFiles.stream().map(p -> p.getFileName().toString()).sorted().toList());
        assertTrue(logFiles.get(0).startsWith(work.resolve("log_data/2018/11")));

        Map<String, Set<String>> levels = new HashMap<>();
        Set<String> pages = new HashSet<>();
        long events = 0;
        long loggedOut = 0;
        long plays = 0;
        boolean slashEscapes = false;
        boolean nonAscii = false;
        for (Path file : logFiles) {
            String text = read(file);
            slashEscapes |= text.contains("Mozilla\\/5.0");
            for (String line : text.split("\n")) {
                JsonNode event = json.readTree(line);
                events++;
                pages.add(event.get("page").asText());
                String user = event.get("userId").asText();
                if (user.isEmpty()) {
                    loggedOut++;
                } else {
                    levels.computeIfAbsent(user, u -> new HashSet<>()).add(event.get("level").asText());
                }
                if (event.get("page").asText().equals("NextSong")) {
                    plays++;
                    nonAscii |= !event.get("artist").asText().chars().allMatch(c -> c < 128);
                }
            }
        }
        assertEquals(6_000, events);
        assertEquals(written.plays(), plays);
        assertTrue(loggedOut > 0, "logged-out events with an empty userId");
        assertTrue(pages.size() > 5 && pages.contains("Home"), "pages besides NextSong: " + pages);
        assertTrue(levels.values().stream().anyMatch(l -> l.size() == 2), "some users change level");
        assertTrue(slashEscapes, "slashes escaped as \\/");
        assertTrue(nonAscii, "non-ASCII artist names in plays");
        double catalogShare = (double) written.catalogPlays() / plays;
        assertTrue(catalogShare > 0.2 && catalogShare < 0.4, "a share of plays match the catalog: " + catalogShare);
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String digest(Path root) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (Path file : files(root)) {
            sha.update(root.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(file));
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
