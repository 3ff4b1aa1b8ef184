package com.sparkify.lake.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.support.Chromium;
import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

/**
 * The report on the real sample's lake, opened in headless Chromium: every chart drawn, no script error, no
 * request beyond the file itself, and each chart's figures equal to its query's answer as {@code query} prints it.
 */
class ReportInBrowserTest {

    private static final Path PAGE = Path.of("target/report/sample-report.html");
    private static final Path SCREENSHOT = Path.of("target/report/sample-report.png");

    private static Chromium chromium;
    private static List<LogEntry> console;
    private static List<String> requests;

    @BeforeAll
    static void openTheSampleReport() throws Exception {
        String lake = SampleLake.get().lake().toString();
        Files.createDirectories(PAGE.getParent());
        Files.writeString(PAGE, ReportPage.html(LakeReport.of(TestSpark.session(), lake, LakeConfig.none())),
                StandardCharsets.UTF_8);
        chromium = Chromium.start(1280, 4200, Path.of("target/report/chromedriver.log"));
        Observed sample = observe(PAGE);
        console = sample.console();
        requests = sample.requests();
        Files.write(SCREENSHOT, chromium.browser().getScreenshotAs(OutputType.BYTES));
        // The query answers the charts must equal, from the same lake through the named queries.
        LakeTables.register(TestSpark.session(), lake);
    }

    /** What the browser logged and requested while it loaded a page. */
    private record Observed(List<LogEntry> console, List<String> requests) {
    }

    private static Observed observe(Path page) throws Exception {
        chromium.browser().get(page.toAbsolutePath().toUri().toString());
        List<LogEntry> console = chromium.browser().manage().logs().get(LogType.BROWSER).getAll();
        List<String> requests = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (LogEntry entry : chromium.browser().manage().logs().get(LogType.PERFORMANCE).getAll()) {
            JsonNode message = json.readTree(entry.getMessage()).path("message");
            if (message.path("method").asText().equals("Network.requestWillBeSent")) {
                requests.add(message.path("params").path("request").path("url").asText());
            }
        }
        return new Observed(console, requests);
    }

    private static boolean hasErrors(List<LogEntry> console) {
        return console.stream().anyMatch(entry -> entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue());
    }

    @AfterAll
    static void closeTheBrowser() {
        if (chromium != null) {
            chromium.close();
        }
    }

    @Test
    void thePageLoggedNoErrorAndRequestedNothingButItself() {
        assertTrue(!hasErrors(console), () -> "the console: " + console);
        String self = PAGE.toAbsolutePath().toUri().toString();
        assertEquals(List.of(self), requests.stream().map(url -> url.replace("file:///", "file:/")).distinct()
                .map(url -> url.equals(self.replace("file:///", "file:/")) ? self : url).toList(),
                "the only request is the page's own file");
        assertTrue(Files.isRegularFile(SCREENSHOT));
    }

    @Test
    void aPageThatFetchesOrFailsIsCaughtByTheSameChecks() throws Exception {
        // The report with an image from the network and a script that throws: both checks above must see it.
        Path broken = PAGE.resolveSibling("broken-report.html");
        Files.writeString(broken, Files.readString(PAGE).replace("</main>",
                "<img src=\"http://127.0.0.1:9/logo.png\" alt=\"\"><script>null.f();</script></main>"));
        try {
            Observed seen = observe(broken);
            assertTrue(hasErrors(seen.console()), () -> "the console: " + seen.console());
            assertTrue(seen.console().stream().anyMatch(entry -> entry.getMessage().contains("127.0.0.1:9")),
                    () -> "the refused request: " + seen.console());
            assertTrue(seen.console().stream().anyMatch(entry -> entry.getMessage().contains("null")),
                    () -> "the script error: " + seen.console());
        } finally {
            chromium.browser().get(PAGE.toAbsolutePath().toUri().toString());
        }
    }

    @Test
    void everyChartIsDrawnAndHasItsFiguresInATable() {
        List<WebElement> canvases = chromium.browser().findElements(By.cssSelector("figure canvas"));
        // The ten questions, then rows per table and seconds per stage (a Parquet lake has no history).
        assertEquals(Questions.LIST.size() + 2, canvases.size());
        for (WebElement canvas : canvases) {
            String id = canvas.getAttribute("id");
            Number inked = (Number) chromium.browser().executeScript("""
                    const c = arguments[0];
                    if (!Chart.getChart(c) || c.width === 0 || c.height === 0) return 0;
                    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                    let inked = 0;
                    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) inked++;
                    return inked;""", canvas);
            assertTrue(inked.longValue() > 1000, () -> id + " drew " + inked + " pixels");
            WebElement table = chromium.browser().findElement(By.id(canvas.getAttribute("aria-describedby")));
            assertEquals(labels(id).size(), table.findElements(By.cssSelector("tbody tr")).size(), id);
        }
    }

    @Test
    void theChartsShowWhatTheQueriesAnswer() {
        for (Questions.Question question : Questions.LIST) {
            Dataset<Row> answer = TestSpark.session().sql(QueryCatalog.named(question.query()).sql());
            List<Row> rows = answer.limit(question.rows()).collectAsList();
            List<Number> drawn = values(question.query());
            if (question.query().equals("match-rate")) {
                long plays = rows.get(0).getLong(0);
                long matched = rows.get(0).getLong(1);
                assertEquals(List.of(matched, plays - matched), longs(drawn));
                continue;
            }
            String column = question.query().equals("daily-active-users") ? "users" : "plays";
            assertEquals(rows.stream().map(r -> ((Number) r.getAs(column)).longValue()).toList(), longs(drawn),
                    question.query());
            assertEquals(rows.size(), labels(question.query()).size(), question.query());
        }
    }

    @Test
    void theSampleReadsAsTheIssueGivesIt() {
        // The busiest hour: 16 UTC with 542 plays; the most active user: 49 with 689 plays.
        List<Long> hours = longs(values("plays-by-hour"));
        assertEquals(24, hours.size());
        assertEquals(542L, hours.get(16));
        assertEquals(542L, hours.stream().mapToLong(Long::longValue).max().orElseThrow());
        assertEquals(689L, longs(values("top-users")).get(0));
        assertTrue(labels("top-users").get(0).endsWith("(user 49)"), labels("top-users").get(0));
    }

    @Test
    void theSampleSaysHowFewOfItsPlaysMatchTheCatalog() {
        Row rate = TestSpark.session().sql(QueryCatalog.named("match-rate").sql()).first();
        long plays = rate.getLong(0);
        long matched = rate.getLong(1);
        assertTrue(matched * 2 < plays, "the sample matches 1 of 6,820 plays");
        String note = chromium.browser().findElement(By.id("few-matched")).getText();
        assertTrue(note.startsWith(String.format(Locale.ROOT, "Only %,d of %,d plays (", matched, plays)), note);
        assertTrue(note.contains(String.format(Locale.ROOT, "the other %,d name songs that are not among the %,d songs",
                plays - matched, SampleLake.get().summary().tables().get("songs"))), note);
        assertTrue(note.contains("“Most played songs” and “Most played artists” count only"), note);
        // Above the first chart, where a reader comes to it before the one-bar rankings.
        WebElement firstChart = chromium.browser().findElement(By.cssSelector("figure canvas"));
        assertTrue(chromium.browser().findElement(By.id("few-matched")).getLocation().getY()
                < firstChart.getLocation().getY());
    }

    @Test
    void countsAreTickedInWholeNumbersAsDrawn() {
        for (WebElement canvas : chromium.browser().findElements(By.cssSelector("figure canvas"))) {
            String id = canvas.getAttribute("id");
            List<Number> ticks = ticks(id);
            if (ticks == null || id.equals("stages")) {
                continue; // a doughnut has no axis; seconds have fractions
            }
            assertTrue(ticks.stream().allMatch(tick -> tick.doubleValue() == Math.rint(tick.doubleValue())),
                    () -> id + " is ticked " + ticks);
        }
        // The sample's one matched play: the song and artist axes run 0, 1, not 0, 0.2 … 1.0.
        assertEquals(List.of(0L, 1L), longs(ticks("top-songs")));
        assertEquals(List.of(0L, 1L), longs(ticks("top-artists")));
    }

    @Test
    void theSmallTablesShowBesideTheLargest() {
        // Bar lengths in pixels, table by table: on a linear axis the 69 artists would be 1 % of the 6,820 plays.
        @SuppressWarnings("unchecked")
        List<Number> lengths = (List<Number>) chromium.browser().executeScript("""
                const chart = Chart.getChart(document.getElementById('rows'));
                return chart.getDatasetMeta(0).data.map(bar => Math.abs(bar.x - bar.base));""");
        List<String> tables = labels("rows");
        double largest = lengths.stream().mapToDouble(Number::doubleValue).max().orElseThrow();
        for (int i = 0; i < tables.size(); i++) {
            double length = lengths.get(i).doubleValue();
            String table = tables.get(i);
            assertTrue(length >= largest / 3, () -> table + " is " + length + " px beside " + largest);
        }
        assertEquals("logarithmic", chromium.browser().executeScript(
                "return Chart.getChart(document.getElementById('rows')).scales.x.type;"));
    }

    @Test
    void timesArePrintedToTheSecond() {
        String header = chromium.browser().findElement(By.tagName("header")).getText();
        assertTrue(header.matches("(?s).*, as of \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\. All times are UTC\\..*"),
                header);
        // The summary keeps the start to the nanosecond; the page gives its date and time to the second.
        String started = SampleLake.get().summary().startedAt();
        String run = chromium.browser().findElement(By.xpath("//p[starts-with(normalize-space(.), 'Run ')]")).getText();
        assertTrue(run.contains(", started " + started.substring(0, 19).replace('T', ' ') + ", "), run);
        assertTrue(!java.util.regex.Pattern.compile("\\d{2}:\\d{2}:\\d{2}\\.\\d").matcher(run).find(), run);
    }

    @SuppressWarnings("unchecked")
    private static List<Number> ticks(String chart) {
        return (List<Number>) chromium.browser().executeScript("""
                const chart = Chart.getChart(document.getElementById(arguments[0]));
                if (chart.config.type === 'doughnut') return null;
                return chart.scales[chart.options.indexAxis === 'y' ? 'x' : 'y'].ticks.map(tick => tick.value);""",
                chart);
    }

    @SuppressWarnings("unchecked")
    private static List<Number> values(String chart) {
        return (List<Number>) chromium.browser().executeScript(
                "return Chart.getChart(document.getElementById(arguments[0])).data.datasets[0].data;", chart);
    }

    @SuppressWarnings("unchecked")
    private static List<String> labels(String chart) {
        return (List<String>) chromium.browser().executeScript(
                "return Chart.getChart(document.getElementById(arguments[0])).data.labels;", chart);
    }

    private static List<Long> longs(List<Number> values) {
        return values.stream().map(Number::longValue).toList();
    }

}
