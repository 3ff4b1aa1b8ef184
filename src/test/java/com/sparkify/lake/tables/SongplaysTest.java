package com.sparkify.lake.tables;

import static com.sparkify.lake.support.Fixtures.event;
import static com.sparkify.lake.support.Fixtures.song;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.support.TestSpark;

class SongplaysTest {

    private final Dataset<Row> catalog = TestSpark.rows(Schemas.SONG, List.of(
            song("SO2", "Setanta matins", "AR9", "Elena", 269.58322, 0),
            // The same title, artist and duration recorded twice: the smaller song_id wins.
            song("SO1", "Setanta matins", "AR8", "Elena", 269.58322, 2004),
            song("SO3", "Ten Tonne", "AR7", "Chase & Status", 337.68444, 2005),
            // Another recording of the same title by the same artist, of another length: a smaller song_id
            // that must not win the plays of the other length.
            song("SO0", "Ten Tonne", "AR7", "Chase & Status", 401.0, 2001)));

    private final Dataset<Row> events = TestSpark.rows(Schemas.EVENT, List.of(
            event().user("15").session(818).item(11).at("2018-11-21T21:56:47.796Z")
                    .play("Elena", "Setanta matins", 269.58322).level("paid").row(),
            // Within 0.01 s of the catalog's duration: the same recording.
            event().user("15").session(818).item(12).at("2018-11-21T22:01:00Z")
                    .play("Chase & Status", "Ten Tonne", 337.69).row(),
            // 0.011 s off: not the same recording, kept unmatched.
            event().user("15").session(818).item(13).at("2018-11-21T22:07:00Z")
                    .play("Chase & Status", "Ten Tonne", 337.69544).row(),
            // Title in another case: the match is exact, so no match.
            event().user("16").session(5).item(0).at("2018-11-30T23:59:59.999Z")
                    .play("Chase & Status", "ten tonne", 337.68444).row(),
            // Not in the catalog at all.
            event().user("16").session(5).item(1).at("2018-12-01T00:00:00Z")
                    .play("Nobody", "Nothing", 100.0).row(),
            // Not a play.
            event().user("16").session(5).item(2).at("2018-12-01T00:01:00Z").page("Home").row()));

    @Test
    void everyPlayOnceMatchedByTheExactRuleWithTheSmallestSongId() {
        Dataset<Row> songplays = Songplays.from(events, catalog);

        assertEquals(List.of("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id",
                "location", "user_agent", "year", "month"), List.of(songplays.columns()));
        assertEquals(DataTypes.TimestampType, songplays.schema().apply("start_time").dataType());
        assertEquals(DataTypes.LongType, songplays.schema().apply("user_id").dataType());
        assertEquals(DataTypes.LongType, songplays.schema().apply("session_id").dataType());

        List<Row> rows = songplays.collectAsList();
        assertEquals(5, rows.size(), "five plays, none dropped by the join, none doubled by the two matches");
        Map<Instant, Row> byTime = rows.stream().collect(Collectors.toMap(r -> r.<Instant>getAs("start_time"), r -> r));

        Row setanta = byTime.get(Instant.parse("2018-11-21T21:56:47.796Z"));
        assertEquals("SO1", setanta.getAs("song_id"));
        assertEquals("AR8", setanta.getAs("artist_id"), "the artist comes with the chosen song");
        assertEquals(15L, (long) setanta.getAs("user_id"));
        assertEquals(818L, (long) setanta.getAs("session_id"));
        assertEquals("paid", setanta.getAs("level"));
        assertEquals("\"Mozilla/5.0\"", setanta.getAs("user_agent"), "quotes around the user agent are kept");
        assertEquals(1542837407796L + ":15:818:11", setanta.getAs("songplay_id"));
        assertEquals(2018, (int) setanta.getAs("year"));
        assertEquals(11, (int) setanta.getAs("month"));

        assertEquals("SO3", byTime.get(Instant.parse("2018-11-21T22:01:00Z")).getAs("song_id"));
        assertNull(byTime.get(Instant.parse("2018-11-21T22:07:00Z")).getAs("song_id"));
        assertNull(byTime.get(Instant.parse("2018-11-30T23:59:59.999Z")).getAs("song_id"));
        Row lastOfNovember = byTime.get(Instant.parse("2018-11-30T23:59:59.999Z"));
        assertEquals(11, (int) lastOfNovember.getAs("month"), "month is of the UTC instant");
        Row unknown = byTime.get(Instant.parse("2018-12-01T00:00:00Z"));
        assertNull(unknown.getAs("song_id"));
        assertNull(unknown.getAs("artist_id"));
        assertEquals(12, (int) unknown.getAs("month"));
    }

    @Test
    void idsDependOnTheEventsOnlyNotOnPartitioningOrOrder() {
        List<String> ids = Songplays.from(events, catalog).select("songplay_id").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
        Dataset<Row> shuffled = events.repartition(3).orderBy(org.apache.spark.sql.functions.rand(7));
        List<String> again = Songplays.from(shuffled, catalog.repartition(2)).select("songplay_id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(new HashSet<>(ids), new HashSet<>(again));
        assertEquals(ids.size(), new HashSet<>(ids).size(), "ids are unique");
    }
}
