package com.sparkify.lake.report;

import static org.apache.commons.text.StringEscapeUtils.escapeHtml4;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.analytics.History;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.pipeline.Progress;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.quality.Checks;

/**
 * The report as one HTML file that needs nothing else: its style, its script and Chart.js are inlined, and its
 * content security policy forbids every request, so it opens the same offline, from a mail or from a share.
 * Each chart is drawn from figures embedded as JSON, and the same figures are printed in a table beside it.
 */
public final class ReportPage {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** No request of any kind: scripts and styles only from the page itself, images only as data. */
    private static final String POLICY = "default-src 'none'; script-src 'unsafe-inline'; "
            + "style-src 'unsafe-inline'; img-src data:";

    private final LakeReport report;
    private final List<Chart> charts = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();

    private ReportPage(LakeReport report) {
        this.report = report;
    }

    public static String html(LakeReport report) {
        return new ReportPage(report).render();
    }

    private String render() {
        questions();
        run();
        checks();
        history();
        String head = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + POLICY + "\">\n"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                + "<title>Sparkify lake: " + escapeHtml4(report.lake()) + "</title>\n"
                + "<style>\n" + resource("report/report.css") + "</style>\n</head>\n";
        String intro = "<header>\n<h1>What Sparkify's users play</h1>\n<p>The lake <code>" + escapeHtml4(report.lake())
                + "</code> (" + (report.iceberg() ? "Iceberg tables" : "Parquet folders") + "), as of "
                + time(report.made()) + ". All times are UTC.</p>\n</header>\n";
        return head + "<body>\n" + intro + "<main>\n" + body + "</main>\n"
                + "<script type=\"application/json\" id=\"charts\">" + json(charts) + "</script>\n"
                + "<script>\n" + chartJs() + "\n</script>\n"
                + "<script>\n" + resource("report/report.js") + "</script>\n</body>\n</html>\n";
    }

    private Answer answer(String query) {
        return report.answers().stream().filter(a -> a.query().name().equals(query)).findFirst().orElseThrow();
    }

    private void questions() {
        body.append("<section>\n<h2>Listening</h2>\n");
        Matching matching = Matching.of(answer("match-rate"));
        if (matching.few()) {
            List<Matching.Ranking> rankings = Questions.LIST.stream().filter(Questions.Question::matchedOnly)
                    .map(q -> new Matching.Ranking(q.chart().apply(answer(q.query())).title(), q.ranksMatched(),
                            answer(q.query()))).toList();
            body.append("<p class=\"note\" id=\"few-matched\" role=\"note\">")
                    .append(matching.fewHtml(report.rows().getOrDefault("songs", 0L), rankings)).append("</p>\n");
        }
        body.append("<div class=\"grid\">\n");
        for (Questions.Question question : Questions.LIST) {
            Answer answer = answer(question.query());
            String note = answer.query().description()
                    + (answer.more() ? " (the first " + answer.rows().size() + ")" : "")
                    + ". " + (question.matchedOnly() ? matching.countedHtml() + " " : "")
                    + "<code>sparkify-lake query " + answer.query().name() + "</code>";
            Chart chart = question.chart().apply(answer);
            if (chart.labels().size() == answer.rows().size()) {
                figure(chart, note, answer.columns(),
                        answer.rows().stream().map(row -> answer.columns().stream().map(row::get).toList()).toList());
            } else {
                // A chart that splits the answer (matched and not): its own parts, and the answer in the note.
                List<String> columns = new ArrayList<>(List.of(""));
                chart.series().forEach(series -> columns.add(series.name()));
                List<List<Object>> rows = new ArrayList<>();
                for (int i = 0; i < chart.labels().size(); i++) {
                    List<Object> row = new ArrayList<>(List.of(chart.labels().get(i)));
                    for (Chart.Series series : chart.series()) {
                        row.add(series.values().get(i));
                    }
                    rows.add(row);
                }
                String answered = String.join(", ", answer.rows().stream().flatMap(row -> row.entrySet().stream())
                        .map(cell -> cell.getKey() + " " + text(cell.getValue())).toList());
                figure(chart, note + " (" + escapeHtml4(answered) + ")", columns, rows);
            }
        }
        body.append("</div>\n</section>\n");
    }

    private void run() {
        body.append("<section>\n<h2>The run that built the lake</h2>\n");
        if (report.run().isEmpty()) {
            body.append("<p>The lake has no run summary (<code>_run/summary.json</code>).</p>\n");
        } else {
            RunSummary run = report.run().get();
            body.append("<p>Run <code>").append(escapeHtml4(run.runId())).append("</code>, ")
                    .append(escapeHtml4(String.valueOf(run.kind() == null ? "full" : run.kind()))).append(", ")
                    .append(escapeHtml4(run.status())).append(", started ").append(escapeHtml4(time(run.startedAt())))
                    .append(", ").append(String.format(Locale.ROOT, "%.1f", run.seconds()))
                    .append(" s in all, from <code>").append(escapeHtml4(run.input())).append("</code>.</p>\n");
        }
        body.append("<div class=\"grid\">\n");
        List<String> tables = LakeTables.NAMES;
        Chart rows = Chart.of("rows", "Rows per table", "bar", true,
                tables.stream().map(name -> Map.<String, Object>of("table", name,
                        "rows", report.rows().getOrDefault(name, 0L))).toList(),
                row -> (String) row.get("table"), "rows", "rows");
        rows = rows.withValueAxis(Chart.ValueAxis.forCounts(rows.series().get(0).values()));
        figure(rows, "As the run recorded them, which the checks compare with the tables."
                + (rows.valueAxis().logarithmic() ? LOG_NOTE : ""), List.of("table", "rows"),
                tables.stream().map(name -> List.<Object>of(name, report.rows().getOrDefault(name, 0L))).toList());
        report.run().ifPresent(run -> {
            List<Progress.Stage> stages = run.stages();
            figure(Chart.of("stages", "Seconds per stage", "bar", true,
                    stages.stream().map(stage -> Map.<String, Object>of("stage", stage.name(),
                            "seconds", tenths(stage.seconds()))).toList(), row -> (String) row.get("stage"), "seconds",
                    "seconds").withValueAxis(Chart.ValueAxis.MEASURE), "Each stage of the run, in order.", List.of("stage", "seconds", "what it did"),
                    stages.stream().map(stage -> List.<Object>of(stage.name(),
                            String.format(Locale.ROOT, "%.1f", tenths(stage.seconds())),
                            stage.detail() == null ? "" : stage.detail())).toList());
        });
        body.append("</div>\n");
        report.run().ifPresent(run -> table("What each input held", List.of("input", "files", "records", "loaded",
                "rejected"), run.inputs().entrySet().stream().map(input -> List.<Object>of(input.getKey(),
                input.getValue().files(), input.getValue().records(), input.getValue().loaded(),
                input.getValue().rejected())).toList()));
        if (report.rejections().isEmpty()) {
            body.append("<p>No record was rejected.</p>\n");
        } else {
            table("Rejected records, by input and reason" + (report.iceberg() ? " (every run's)" : ""),
                    List.of("input", "reason", "records"), report.rejections().stream().map(r ->
                            List.<Object>of(r.input(), r.reason(), r.records())).toList());
        }
        body.append("</section>\n");
    }

    private void checks() {
        long failed = report.checks().stream().filter(check -> !check.passed()).count();
        body.append("<section>\n<h2>Data-quality checks</h2>\n<p>")
                .append(failed == 0 ? "All " + report.checks().size() + " checks pass."
                        : failed + " of " + report.checks().size() + " checks fail.")
                .append(" <code>sparkify-lake check</code> runs the same.</p>\n");
        table("The checks, run when this report was made", List.of("check", "result", "offending rows", "examples"),
                report.checks().stream().map((Checks.Result check) -> List.<Object>of(check.name(),
                        check.passed() ? "pass" : "FAIL", check.offending(), String.join("; ", check.examples())))
                        .toList());
        body.append("</section>\n");
    }

    private void history() {
        if (report.history().isEmpty()) {
            return;
        }
        body.append("<section>\n<h2>Rows per table over the runs</h2>\n");
        List<History.Run> runs = report.history();
        List<String> labels = runs.stream().map(History.Run::runId).toList();
        List<Chart.Series> series = LakeTables.NAMES.stream().map(name -> new Chart.Series(name,
                runs.stream().map(run -> (Number) run.totals().get(name)).toList())).toList();
        List<String> columns = new ArrayList<>(List.of("run", "published (UTC)", "kind"));
        LakeTables.NAMES.forEach(name -> columns.add(name + " rows (net)"));
        List<List<Object>> rows = new ArrayList<>();
        for (History.Run run : runs) {
            List<Object> row = new ArrayList<>(List.of(run.runId(), History.printed(run.published()),
                    run.kind() + (run.readable() ? "" : " (expired)")));
            LakeTables.NAMES.forEach(name -> row.add(String.format(java.util.Locale.ROOT, "%,d (%+,d)",
                    run.totals().get(name), run.rows().get(name))));
            rows.add(row);
        }
        Chart.ValueAxis axis = Chart.ValueAxis.forCounts(series.stream().flatMap(s -> s.values().stream())
                .filter(java.util.Objects::nonNull).toList());
        figure(new Chart("history", "Rows per table after each run", "line", false, labels, series, axis),
                "The runs the lake recorded (<code>sparkify-lake history</code>), oldest first: each table's rows "
                + "once the run was published, and in brackets the net rows it added (rows written less rows "
                + "replaced or removed). An expired run can no longer be read with <code>--as-of</code>."
                + (axis.logarithmic() ? LOG_NOTE : ""), columns, rows);
        body.append("</section>\n");
    }

    /** A chart with its note, and its figures in a table that a screen reader can reach. */
    private void figure(Chart chart, String noteHtml, List<String> columns, List<List<Object>> rows) {
        charts.add(chart);
        String id = escapeHtml4(chart.id());
        body.append("<figure>\n<h3 id=\"").append(id).append("-title\">").append(escapeHtml4(chart.title()))
                .append("</h3>\n<div class=\"chart\"><canvas id=\"").append(id).append("\" role=\"img\" aria-labelledby=\"")
                .append(id).append("-title\" aria-describedby=\"").append(id).append("-figures\">")
                .append("The figures are in the table below.</canvas></div>\n")
                .append("<figcaption>").append(noteHtml).append("</figcaption>\n")
                .append("<details><summary>The figures</summary>\n");
        rows(id + "-figures", chart.title(), columns, rows);
        body.append("</details>\n</figure>\n");
    }

    private void table(String caption, List<String> columns, List<List<Object>> rows) {
        rows(null, caption, columns, rows);
    }

    private void rows(String id, String caption, List<String> columns, List<List<Object>> rows) {
        body.append("<table").append(id == null ? "" : " id=\"" + id + "\"").append(">\n<caption>")
                .append(escapeHtml4(caption)).append("</caption>\n<thead><tr>");
        columns.forEach(column -> body.append("<th scope=\"col\">").append(escapeHtml4(column)).append("</th>"));
        body.append("</tr></thead>\n<tbody>\n");
        for (List<Object> row : rows) {
            body.append("<tr>");
            for (Object value : row) {
                boolean number = value instanceof Number;
                body.append(number ? "<td class=\"number\">" : "<td>").append(escapeHtml4(text(value))).append("</td>");
            }
            body.append("</tr>\n");
        }
        body.append("</tbody>\n</table>\n");
    }

    /** Said under a chart whose counts are on a logarithmic axis, which a reader may take for a linear one. */
    private static final String LOG_NOTE = " The axis is logarithmic (1, 10, 100, 1,000 …), so that the small "
            + "tables show beside the largest.";

    private static final java.time.format.DateTimeFormatter SECONDS = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm:ss").withZone(java.time.ZoneOffset.UTC);

    /** A moment to the second, in UTC as every time of the page: a reader wants when, not nanoseconds. */
    static String time(Instant moment) {
        return SECONDS.format(moment);
    }

    /** A run summary's start, which it keeps as an ISO instant to the nanosecond; anything else as it is. */
    static String time(String instant) {
        if (instant == null) {
            return "";
        }
        try {
            return time(Instant.parse(instant));
        } catch (java.time.format.DateTimeParseException notAnInstant) {
            return instant;
        }
    }

    /** Seconds as the stage table prints them, so that a bar's number and its row agree. */
    private static double tenths(double seconds) {
        return Math.round(seconds * 10) / 10.0;
    }

    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Long || value instanceof Integer) {
            return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
        }
        return com.sparkify.lake.analytics.ResultFormat.plain(value);
    }

    /** Figures for the page's script; "<" written as an escape so no text can end the script element. */
    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the report's figures always serialise", e);
        }
    }

    /** Chart.js as the build bundled it, without its pointer to a source map (a request a browser may make). */
    private static String chartJs() {
        return resource("report/chartjs/chart.umd.min.js").replaceAll("(?m)^//# sourceMappingURL=.*$", "");
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the build lacks " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
