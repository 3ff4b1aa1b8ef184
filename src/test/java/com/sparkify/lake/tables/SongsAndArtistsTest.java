package com.sparkify.lake.tables;

import static com.sparkify.lake.support.Fixtures.song;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.support.TestSpark;

class SongsAndArtistsTest {

    private final Dataset<Row> catalog = TestSpark.rows(Schemas.SONG, List.of(
            song("SOB", "Second", "AR1", "Elena", 100.0, 2001, "Madrid", 40.4, -3.7),
            song("SOA", "First", "AR1", "Elena (old name)", 200.0, 0, null, null, null),
            song("SOC", "Third", "AR2", "Björk", 300.5, 1997, "Reykjavík", 64.1, -21.9),
            // The same song listed twice, once with a different title: one row, the smaller record.
            song("SOC", "Third (alt)", "AR2", "Björk", 300.5, 1997, "Reykjavík", 64.1, -21.9)));

    @Test
    void songsHaveOneRowPerSongIdWithTheContractsColumns() {
        Dataset<Row> songs = Songs.from(catalog);
        assertEquals(List.of("song_id", "title", "artist_id", "year", "duration"), List.of(songs.columns()));
        Map<String, Row> byId = songs.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        assertEquals(3, byId.size());
        assertEquals("Third", byId.get("SOC").getAs("title"));
        assertEquals(0, (int) byId.get("SOA").getAs("year"), "year 0 (unknown) is kept as it is");
        assertEquals(300.5, (double) byId.get("SOC").getAs("duration"));
        assertEquals("AR1", byId.get("SOB").getAs("artist_id"));
    }

    @Test
    void artistsTakeTheRecordWithTheSmallestSongId() {
        Dataset<Row> artists = Artists.from(catalog);
        assertEquals(List.of("artist_id", "name", "location", "latitude", "longitude"), List.of(artists.columns()));
        Map<String, Row> byId = artists.collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r));
        assertEquals(2, byId.size());
        // AR1's records: SOA (no location) and SOB (Madrid). SOA is the smaller song_id, so its values win,
        // nulls included, rather than a mix of the two records.
        Row elena = byId.get("AR1");
        assertEquals("Elena (old name)", elena.getAs("name"));
        assertNull(elena.getAs("location"));
        assertNull(elena.getAs("latitude"));
        Row bjork = byId.get("AR2");
        assertEquals("Björk", bjork.getAs("name"));
        assertEquals(64.1, (double) bjork.getAs("latitude"));
        assertEquals(-21.9, (double) bjork.getAs("longitude"));
    }
}
