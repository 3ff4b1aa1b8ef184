package com.sparkify.lake.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.TestSpark;

class SongCatalogTest {

    static final String ONE = "{\"num_songs\": 1, \"artist_id\": \"AR1\", \"artist_latitude\": null, "
            + "\"artist_longitude\": null, \"artist_location\": \"\", \"artist_name\": \"Bj\\u00f6rk\", "
            + "\"song_id\": \"SO1\", \"title\": \"J\\/oga\", \"duration\": 305.3, \"year\": 1997}";

    static String record(String songId, String artistId) {
        return ONE.replace("\"SO1\"", songId == null ? "null" : "\"" + songId + "\"")
                .replace("\"AR1\"", "\"" + artistId + "\"");
    }

    @TempDir
    Path input;

    private void file(String relative, String content) throws IOException {
        Path file = input.resolve("song_data").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    @Test
    void readsAllThreeFileShapesAndQuarantinesTheRest() throws IOException {
        file("A/A/A/TRONE.json", ONE);                                            // one line, no newline
        file("A/A/B/TRMANY.json", record("SO2", "AR2") + "\n" + record("SO3", "AR3") + "\n"); // one per line
        file("A/B/C/TRPRETTY.json", "{\n  \"artist_id\": \"AR4\",\n  \"song_id\": \"SO4\",\n"
                + "  \"title\": \"Pretty\",\n  \"duration\": 1.5,\n  \"year\": 0\n}\n");   // pretty-printed
        file("B/A/A/TRBROKEN.json", record("SO5", "AR5") + "\n{\"song_id\": \"SO6\", \"artist_id\n");
        file("B/A/B/TRNOID.json", record(null, "AR7"));
        file("B/A/C/TRTYPE.json", record("SO8", "AR8").replace("\"year\": 1997", "\"year\": \"1997\""));
        file("B/B/A/TREMPTY.json", "");
        file("B/B/B/TRBLANK.json", "  \n ");
        file("B/B/C/TRNOTOBJECT.json", "[1, 2, 3]");
        file("_ignored/TRHIDDEN.json", ONE);                                        // not input: starts with _
        file("A/A/A/.TRHIDDEN.json", ONE);                                          // not input: starts with .

        Extracted songs = SongCatalog.read(TestSpark.session(), input.resolve("song_data").toString(), 8);
        try {
            Map<String, Row> loaded = songs.records().collectAsList().stream()
                    .collect(Collectors.toMap(r -> r.getAs("song_id"), r -> r));
            assertEquals(List.of("SO1", "SO2", "SO3", "SO4", "SO5"), loaded.keySet().stream().sorted().toList());
            Row one = loaded.get("SO1");
            assertEquals("Björk", one.getAs("artist_name"));
            assertEquals("J/oga", one.getAs("title"));
            assertNull(one.getAs("artist_location"), "an empty string in the source is null in the lake");
            assertEquals(1.5, (double) loaded.get("SO4").getAs("duration"));

            Map<String, String> reasons = songs.rejected().collectAsList().stream()
                    .collect(Collectors.toMap(r -> fileName(r.getAs("file")) + "|" + r.getAs("record"),
                            r -> r.getAs("reason")));
            assertEquals(Map.of(
                    "TRBROKEN.json|{\"song_id\": \"SO6\", \"artist_id", RecordParser.NOT_JSON,
                    "TRNOID.json|" + record(null, "AR7"), "required field 'song_id' is missing or empty",
                    "TRTYPE.json|" + record("SO8", "AR8").replace("\"year\": 1997", "\"year\": \"1997\""),
                    "wrong type: 'year' is not int",
                    "TREMPTY.json|null", JsonValues.EMPTY_FILE,
                    "TRBLANK.json|null", JsonValues.EMPTY_FILE,
                    "TRNOTOBJECT.json|[1, 2, 3]", RecordParser.NOT_JSON), reasons);
            assertTrue(songs.rejected().collectAsList().stream().allMatch(r -> "song_data".equals(r.getAs("input"))));

            assertEquals(9, songs.files(), "hidden files and folders are not input");
            assertEquals(5, songs.loaded());
            assertEquals(6, songs.rejectedCount());
            assertEquals(11, songs.read(), "every record is either loaded or rejected");
        } finally {
            songs.release();
        }
    }

    private static String fileName(String uri) {
        return uri.substring(uri.lastIndexOf('/') + 1);
    }
}
