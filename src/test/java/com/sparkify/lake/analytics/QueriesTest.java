package com.sparkify.lake.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

/**
 * Every named query on the lake built from the real sample. The expected figures come from
 * src/test/python/sample_expectations.py, which applies SPEC.md's rules to the raw JSON without Spark.
 */
class QueriesTest {

    @BeforeAll
    static void registerTheSampleLake() {
        LakeTables.register(TestSpark.session(), SampleLake.get().lake().toString());
    }

    private static List<Row> run(String name) {
        return TestSpark.session().sql(QueryCatalog.named(name).sql()).collectAsList();
    }

    private static List<Long> column(List<Row> rows, String name) {
        return rows.stream().map(r -> ((Number) r.getAs(name)).longValue()).toList();
    }

    @Test
    void theCatalogListsEverySqlFileWithADescription() throws IOException {
        List<String> files;
        try (Stream<Path> paths = Files.list(Path.of("src/main/resources/queries"))) {
            files = paths.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql"))
                    .map(n -> n.replace(".sql", "")).sorted().toList();
        }
        assertEquals(files, QueryCatalog.all().stream().map(QueryCatalog.Query::name).sorted().toList());
        assertTrue(QueryCatalog.all().stream().allMatch(q -> !q.description().isBlank()));
        assertTrue(files.containsAll(List.of("top-songs", "top-artists", "top-users", "plays-by-hour",
                "plays-by-weekday", "plays-by-day", "level-share", "top-locations", "match-rate", "daily-active-users")));
    }

    @Test
    void topSongsAndArtistsCountOnlyMatchedPlays() {
        List<Row> songs = run("top-songs");
        assertEquals(1, songs.size());
        assertEquals(List.of("SOZCTXZ12AB0182364", "Setanta matins", "Elena", 1L),
                List.of(songs.get(0).get(0), songs.get(0).get(1), songs.get(0).get(2), songs.get(0).get(3)));
        List<Row> artists = run("top-artists");
        assertEquals(1, artists.size());
        assertEquals(List.of("AR5KOSW1187FB35FF4", "Elena", 1L),
                List.of(artists.get(0).get(0), artists.get(0).get(1), artists.get(0).get(2)));
    }

    @Test
    void topUsersWithTheirNames() {
        List<Row> users = run("top-users");
        assertEquals(96, users.size(), "96 of the 97 users played at least one song");
        assertEquals(List.of("49 Chloe Cuevas 689", "80 Tegan Levine 665", "97 Kate Harrell 557", "15 Lily Koch 463",
                "44 Aleena Kirby 397"), users.subList(0, 5).stream()
                .map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2) + " " + r.get(3)).toList());
    }

    @Test
    void playsByHourWeekdayAndDayAreUtc() {
        List<Row> hours = run("plays-by-hour");
        assertEquals(List.of(155L, 154L, 117L, 109L, 136L, 162L, 183L, 179L, 207L, 270L, 312L, 336L, 308L, 324L,
                432L, 477L, 542L, 494L, 498L, 367L, 360L, 280L, 217L, 201L), column(hours, "plays"));
        assertEquals(0L, column(hours, "hour").get(0));
        List<Row> weekdays = run("plays-by-weekday");
        assertEquals(List.of(1014L, 1071L, 1364L, 1052L, 1295L, 628L, 396L), column(weekdays, "plays"));
        assertEquals("Monday", weekdays.get(0).getAs("day_name"));
        List<Row> days = run("plays-by-day");
        assertEquals(30, days.size());
        assertEquals(LocalDate.of(2018, 11, 1), days.get(0).getAs("day"));
        assertEquals(11L, (long) days.get(0).getAs("plays"));
        assertEquals(6_820L, column(days, "plays").stream().mapToLong(Long::longValue).sum());
        Row busiest = days.stream().max((a, b) -> Long.compare(a.getAs("plays"), b.getAs("plays"))).orElseThrow();
        assertEquals(LocalDate.of(2018, 11, 15), busiest.getAs("day"));
        assertEquals(479L, (long) busiest.getAs("plays"));
    }

    @Test
    void levelShareLocationsMatchRateAndDailyActiveUsers() {
        List<Row> levels = run("level-share");
        assertEquals(List.of("paid 5591 0.819795", "free 1229 0.180205"),
                levels.stream().map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2)).toList());
        List<Row> locations = run("top-locations");
        assertEquals(List.of("San Francisco-Oakland-Hayward, CA 691", "Portland-South Portland, ME 665",
                "Lansing-East Lansing, MI 557"), locations.subList(0, 3).stream().map(r -> r.get(0) + " " + r.get(1)).toList());
        Row rate = run("match-rate").get(0);
        assertEquals(List.of(6_820L, 1L), List.of(rate.getAs("plays"), rate.getAs("matched")));
        assertEquals(1 / 6820.0, ((Number) rate.getAs("share")).doubleValue(), 1e-6);
        List<Row> dau = run("daily-active-users");
        assertEquals(List.of(4L, 21L, 10L), column(dau.subList(0, 3), "users"));
        assertEquals(34L, column(dau, "users").stream().mapToLong(Long::longValue).max().orElseThrow());
    }

    @Test
    void formatsAlignCsvQuotesAndJsonIsOneArray() {
        List<Row> rows = TestSpark.session().sql("SELECT * FROM VALUES ('a, \"b\"', 1), ('long name', 22) AS t(name, n)")
                .collectAsList();
        String[] columns = {"name", "n"};
        assertEquals("name        n\n---------  --\na, \"b\"      1\nlong name  22\n",
                ResultFormat.TABLE.render(columns, rows));
        assertEquals("name,n\n\"a, \"\"b\"\"\",1\nlong name,22\n", ResultFormat.CSV.render(columns, rows));
        assertEquals("[ {\n  \"name\" : \"a, \\\"b\\\"\",\n  \"n\" : 1\n}, {\n  \"name\" : \"long name\",\n  \"n\" : 22\n} ]\n",
                ResultFormat.JSON.render(columns, rows));
    }
}
