package com.sparkify.lake.report;

import static com.sparkify.lake.support.Fixtures.event;
import static com.sparkify.lake.support.Fixtures.song;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.TestSpark;
import com.sparkify.lake.tables.Artists;
import com.sparkify.lake.tables.Songplays;
import com.sparkify.lake.tables.Songs;
import com.sparkify.lake.tables.Time;
import com.sparkify.lake.tables.Users;

/**
 * The page built from small lakes made by the tables' own transformations, without storage or a browser: what it
 * says when few plays match the catalog and when most do, the axes it asks Chart.js for, and its times.
 */
class ReportPageTest {

    /** Four songs by three artists; a play matches by title, artist and length, as the pipeline's rule says. */
    private static final List<Row> CATALOG = List.of(
            song("SO1", "Setanta matins", "AR1", "Elena", 269.58322, 0),
            song("SO2", "Ten Tonne", "AR2", "Chase & Status", 337.68444, 2005),
            song("SO3", "Intro", "AR3", "The Nothing", 120.0, 1999),
            song("SO4", "Outro", "AR3", "The Nothing", 150.0, 1999));

    private static final Instant MADE = Instant.parse("2026-12-07T01:29:25.987654321Z");
    private static final String STARTED = "2026-12-07T01:27:46.690672361Z";

    @Test
    void fewMatchedPlaysAreSaidWithTheirCountAndWhatTheSongChartsCount() {
        String page = page(200, 3);
        String note = element(page, "few-matched");
        // Plays 0, 1 and 2 match, Setanta matins, Ten Tonne and Setanta matins again: two songs, two artists.
        assertTrue(note.contains("Only 3 of 200 plays (1.5%) matched a song of the catalog."), note);
        assertTrue(note.contains("the other 197 name songs that are not among the 4 songs of the catalog"), note);
        assertTrue(note.contains("“Most played songs” and “Most played artists” count only those 3, "
                + "and rank 2 songs and 2 artists"), note);
        assertTrue(note.contains("The other charts count all 200 plays."), note);
        // It stands before the charts, where it is read first.
        assertTrue(page.indexOf("id=\"few-matched\"") < page.indexOf("<canvas"));
        assertEquals(2, count(page, "The matched plays are 3 of 200 (1.5%)."), "under both song charts");
    }

    @Test
    void oneMatchedPlayIsOneSongAndOneArtist() {
        // The sample's case, from answers as the queries give them (a page of its own would cost a Spark lake).
        Answer songs = new Answer(QueryCatalog.named("top-songs"), List.of("song_id", "title", "artist", "plays"),
                List.of(Map.of("song_id", "SO1", "title", "Setanta matins", "artist", "Elena", "plays", 1L)), false);
        Answer artists = new Answer(QueryCatalog.named("top-artists"), List.of("artist_id", "artist", "plays"),
                List.of(Map.of("artist_id", "AR1", "artist", "Elena", "plays", 1L)), false);
        String note = new Matching(6820, 1).fewHtml(71, List.of(new Matching.Ranking("Most played songs", "song",
                songs), new Matching.Ranking("Most played artists", "artist", artists))).replaceAll("<[^>]+>", "");
        assertTrue(note.startsWith("Only 1 of 6,820 plays (0.014%) matched"), note);
        assertTrue(note.contains("the other 6,819 name songs that are not among the 71 songs of the catalog"), note);
        assertTrue(note.contains("count only the matched play, and rank 1 song and 1 artist"), note);
    }

    @Test
    void noMatchedPlayLeavesTheSongChartsEmptyAndSaysSo() {
        String note = element(page(40, 0), "few-matched");
        assertTrue(note.contains("None of the 40 plays matched a song of the catalog."), note);
        assertTrue(note.contains("count only matched plays, so they are empty."), note);
    }

    @Test
    void mostPlaysMatchedNeedsNoNote() {
        String page = page(200, 150);
        assertFalse(page.contains("few-matched"), "150 of 200 plays matched: nothing to warn of");
        assertEquals(2, count(page, "The matched plays are 150 of 200 (75%)."),
                "the song charts still say what they count");
    }

    @Test
    void countsAreTickedInWholeNumbersAndSecondsAreNot() throws Exception {
        Map<String, JsonNode> charts = charts(page(200, 3));
        assertEquals(12, charts.size(), "the ten questions, rows per table and seconds per stage");
        for (Map.Entry<String, JsonNode> chart : charts.entrySet()) {
            JsonNode axis = chart.getValue().path("valueAxis");
            if (chart.getValue().path("kind").asText().equals("doughnut")) {
                assertTrue(axis.isMissingNode() || axis.isNull(), chart.getKey() + " has no axis");
            } else if (chart.getKey().equals("stages")) {
                assertEquals("linear", axis.path("type").asText());
                assertTrue(axis.path("ticks").isMissingNode(), "seconds keep their fractions");
            } else {
                assertEquals(0, axis.path("ticks").path("precision").asInt(-1), chart.getKey() + ": " + axis);
            }
        }
        // The chart the issue saw ticked 0, 0.2 … 1.0: here it counts 2 plays at most, on an axis of whole plays.
        assertEquals(2, max(charts.get("top-songs")));
        assertEquals("linear", charts.get("top-songs").path("valueAxis").path("type").asText());
    }

    @Test
    void rowsPerTableGoOnALogScaleWhenTheSmallTablesWouldVanish() throws Exception {
        String page = page(200, 3);
        JsonNode rows = charts(page).get("rows");
        // 200 plays beside 3 artists: a linear axis would draw the artists as a line 1.5 % long.
        assertEquals(List.of(4L, 3L, 5L, 200L, 200L), values(rows, List.of("songs", "artists", "users",
                "songplays", "time")));
        assertEquals("logarithmic", rows.path("valueAxis").path("type").asText());
        assertEquals(1, rows.path("valueAxis").path("min").asInt(), "bars of 1 and more have a length");
        assertTrue(page.contains("The axis is logarithmic"), "and the caption says so");

        assertEquals(Chart.ValueAxis.LOG_COUNT, Chart.ValueAxis.forCounts(List.of(97, 71, 69, 6820, 6813)),
                "the sample's tables");
        assertEquals(Chart.ValueAxis.COUNT, Chart.ValueAxis.forCounts(List.of(900, 700, 120, 1000, 980)),
                "tables of like size read better on a linear axis");
        assertEquals(Chart.ValueAxis.COUNT, Chart.ValueAxis.forCounts(List.of(0, 0, 0)), "an empty lake");
    }

    @Test
    void timesArePrintedToTheSecond() {
        String page = page(200, 3);
        assertTrue(page.contains(", as of 2026-12-07 01:29:25. All times are UTC."), "the report's own time");
        assertTrue(page.contains(", started 2026-12-07 01:27:46, "), "the run's start");
        assertFalse(page.contains("690672361"), "no nanoseconds");
        Matcher fraction = Pattern.compile("\\d{2}:\\d{2}:\\d{2}[.,]\\d").matcher(
                page.substring(0, page.indexOf("<script")));
        assertFalse(fraction.find(), () -> "a time with a fraction of a second: " + fraction.group());
        assertEquals("2026-12-07 01:27:46", ReportPage.time(STARTED));
        assertEquals("not a time", ReportPage.time("not a time"), "an unreadable summary's text as it is");
    }

    @Test
    void theSharePrintedIsNeverRoundedUpToAllOrDownToNone() {
        assertEquals("0.014%", new Matching(6820, 1).share(), "the sample: 0.0146 %");
        assertEquals("99.9%", new Matching(10_000, 9_999).share());
        assertEquals("100%", new Matching(5, 5).share());
        assertEquals("0%", new Matching(5, 0).share());
        assertEquals("0.001%", new Matching(100_000, 1).share());
        assertFalse(new Matching(0, 0).few(), "no plays: nothing matched or not");
        assertTrue(new Matching(201, 100).few());
        assertFalse(new Matching(200, 100).few(), "half is not few");
    }

    /**
     * The page of a lake of {@code plays} plays, the first {@code matched} of them of songs in the catalog, by
     * five users over several days; the tables come from the pipeline's transformations and the answers from
     * the named queries.
     */
    private static String page(int plays, int matched) {
        return PAGES.computeIfAbsent(plays + " " + matched, key -> build(plays, matched));
    }

    /** Pages already built, by plays and matched: each costs some seconds of Spark. */
    private static final Map<String, String> PAGES = new java.util.concurrent.ConcurrentHashMap<>();

    private static String build(int plays, int matched) {
        SparkSession spark = TestSpark.session();
        List<Row> rows = new ArrayList<>();
        Instant first = Instant.parse("2018-11-01T00:00:00Z");
        for (int i = 0; i < plays; i++) {
            var play = event().user(String.valueOf(i % 5 + 1)).session(i / 10).item(i % 10)
                    .set("ts", first.plusSeconds(i * 2_357L).toEpochMilli()).level(i % 3 == 0 ? "paid" : "free")
                    .set("location", "City " + i % 4);
            rows.add((i < matched ? (i % 2 == 0 ? play.play("Elena", "Setanta matins", 269.58322)
                    : play.play("Chase & Status", "Ten Tonne", 337.68444))
                    : play.play("Nobody", "Song " + i, 200.0)).row());
        }
        Dataset<Row> events = TestSpark.rows(Schemas.EVENT, rows);
        Dataset<Row> catalog = TestSpark.rows(Schemas.SONG, CATALOG);
        Dataset<Row> songplays = Songplays.from(events, catalog);
        Map<String, Dataset<Row>> tables = Map.of("songplays", songplays, "users", Users.from(events),
                "songs", Songs.from(catalog), "artists", Artists.from(catalog), "time", Time.from(songplays));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : LakeTables.NAMES) {
            Dataset<Row> table = tables.get(name);
            table.createOrReplaceTempView(name);
            counts.put(name, table.count());
        }
        RunSummary run = new RunSummary("20261207T012746Z-7259226b", RunSummary.SUCCEEDED, "file:/input",
                "file:/lake", STARTED, Map.of(), counts,
                List.of(new Progress.Stage("load songs", "4 rows", 4.973, Map.of())), List.of(), 43.4, null,
                "parquet", RunSummary.FULL, Map.of(), null);
        return ReportPage.html(new LakeReport("file:/lake", false, MADE, LakeReport.answers(spark),
                Optional.of(run), counts, List.of(), List.of(), List.of()));
    }

    /** The text of the element of that id, tags removed. */
    private static String element(String page, String id) {
        int start = page.indexOf("id=\"" + id + "\"");
        assertTrue(start >= 0, () -> "the page has no " + id);
        String from = page.substring(page.indexOf('>', start) + 1);
        return from.substring(0, from.indexOf("</p>")).replaceAll("<[^>]+>", "");
    }

    private static Map<String, JsonNode> charts(String page) throws Exception {
        String marker = "<script type=\"application/json\" id=\"charts\">";
        int start = page.indexOf(marker) + marker.length();
        Map<String, JsonNode> charts = new LinkedHashMap<>();
        for (JsonNode chart : new ObjectMapper().readTree(page.substring(start, page.indexOf("</script>", start)))) {
            charts.put(chart.path("id").asText(), chart);
        }
        return charts;
    }

    private static List<Long> values(JsonNode chart, List<String> labels) {
        List<Long> values = new ArrayList<>();
        for (String label : labels) {
            int at = -1;
            for (int i = 0; i < chart.path("labels").size(); i++) {
                if (chart.path("labels").get(i).asText().equals(label)) {
                    at = i;
                }
            }
            values.add(chart.path("series").get(0).path("values").get(at).asLong());
        }
        return values;
    }

    private static long max(JsonNode chart) {
        long max = 0;
        for (JsonNode value : chart.path("series").get(0).path("values")) {
            max = Math.max(max, value.asLong());
        }
        return max;
    }

    private static int count(String text, String part) {
        int found = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            found++;
        }
        return found;
    }
}
