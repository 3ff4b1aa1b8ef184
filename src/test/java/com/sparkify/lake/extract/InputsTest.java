package com.sparkify.lake.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a failed read of the input is told apart by: link loops, vanished files, a line too long to hold. */
class InputsTest {

    @TempDir
    Path input;

    private final Configuration hadoop = new Configuration();

    @Test
    void aLinkToAFolderAboveItIsNamedWithWhereItLeads() throws IOException {
        Path day = Files.createDirectories(input.resolve("log_data/2018/11"));
        Files.writeString(day.resolve("2018-11-01-events.json"), "{}\n");
        Files.createSymbolicLink(day.resolve("loop"), Path.of("../.."));
        assertEquals(Optional.of(day.resolve("loop") + " is a link to ../.., which leads back to a folder that "
                + "holds it"), Inputs.linkLoop(input.resolve("log_data").toString(), hadoop));
    }

    @Test
    void linksThatLeadToEachOtherAreNamed() throws IOException {
        Path folder = Files.createDirectories(input.resolve("song_data/A/B"));
        Files.createSymbolicLink(folder.resolve("a.json"), Path.of("b.json"));
        Files.createSymbolicLink(folder.resolve("b.json"), Path.of("a.json"));
        String found = Inputs.linkLoop(input.resolve("song_data").toString(), hadoop).orElseThrow();
        assertEquals(true, found.equals(folder.resolve("a.json") + " is a link to b.json, in a loop of links that "
                + "lead to each other") || found.equals(folder.resolve("b.json") + " is a link to a.json, in a loop "
                + "of links that lead to each other"), found);
    }

    @Test
    void aFolderWithoutLoopsHasNone() throws IOException {
        Path folder = Files.createDirectories(input.resolve("song_data/A"));
        Files.writeString(folder.resolve("x.json"), "{}");
        Files.createSymbolicLink(folder.resolve("elsewhere"), Files.createDirectories(input.resolve("other")));
        assertEquals(Optional.empty(), Inputs.linkLoop(input.resolve("song_data").toString(), hadoop));
    }

    @Test
    void aFileIsNamedAsVanishedOnlyWhenItIsIndeedGone() throws IOException {
        Path there = Files.writeString(input.resolve("there.json"), "{}");
        Path gone = input.resolve("gone.json");
        assertEquals(Optional.of("file:" + gone), Inputs.vanished(new FileNotFoundException("File file:" + gone
                + " does not exist"), hadoop));
        assertEquals(Optional.empty(), Inputs.vanished(new FileNotFoundException("File file:" + there
                + " does not exist"), hadoop), "it is there: something else is wrong");
        assertEquals(Optional.empty(), Inputs.vanished(new IOException("File file:" + gone + " does not exist"),
                hadoop));
    }

    @Test
    void theFileWithALineLongerThan64MiBIsNamedWithTheLineAndWhereItStarts() throws IOException {
        Path day = Files.createDirectories(input.resolve("log_data/2018/11"));
        Files.writeString(day.resolve("2018-11-01-events.json"), "{}\n".repeat(1000));
        Path big = day.resolve("2018-11-02-events.json");
        long line = Inputs.LONG_LINE + 10;
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write("{}\r\n".getBytes());
            byte[] block = new byte[1 << 20];
            java.util.Arrays.fill(block, (byte) 'x');
            for (long written = 0; written < line; written += block.length) {
                out.write(block, 0, (int) Math.min(block.length, line - written));
            }
            out.write("\n{}\n".getBytes());
        }
        assertEquals(Optional.of(String.format(java.util.Locale.ROOT, "file:%s holds a line of %,d bytes (from byte 4)", big, line)),
                Inputs.longLine(input.resolve("log_data").toString(), hadoop));
        Files.delete(big);
        assertEquals(Optional.empty(), Inputs.longLine(input.resolve("log_data").toString(), hadoop));
    }
}
