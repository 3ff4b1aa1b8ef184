package com.sparkify.lake.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sparkify.lake.LakeException;
import com.sparkify.lake.load.Batch;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.TableSnapshot;
import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.store.StoreRequests;

/**
 * What a run read, rejected and wrote, how long each stage took and what the checks found: printed at the end of
 * a run and kept as {@code _run/summary.json} beside the tables it describes, for a scheduler or the report.
 * {@code input} and {@code lake} are fully qualified URIs ({@code file:/…}, {@code s3a://…}); {@code seconds}
 * counts from the command's start, so it is the total the console printed. {@code snapshots}: each Iceberg table
 * as the run left it, which a reader without the catalog opens with its metadata file. {@code inFlight}: through
 * an object store, the requests the run kept out at once and why (see store.RequestsInFlight); else null.
 */
public record RunSummary(String runId, String status, String input, String lake, String startedAt,
                         Map<String, InputCounts> inputs, Map<String, Long> tables,
                         List<Progress.Stage> stages, List<Checks.Result> checks, double seconds, String message,
                         String format, String kind, Map<String, TableSnapshot> snapshots, String inFlight) {

    /** The kinds of run (see load.Batch); a run that found nothing new to read is one more. */
    public static final String FULL = Batch.FULL;
    public static final String FULL_REFRESH = Batch.FULL_REFRESH;
    public static final String INCREMENTAL = Batch.INCREMENTAL;
    /** An incremental run that also loaded again input files whose content changed (--reload-changed). */
    public static final String RELOAD = Batch.RELOAD;
    public static final String NOTHING_NEW = "nothing-new";

    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";

    /**
     * @param records records found; {@code loaded + rejected == records}
     * @param skipped files in the input's folder that are not input (not {@code *.json}), so not read
     */
    public record InputCounts(long files, long records, long loaded, long rejected, List<String> skipped) {

        public InputCounts {
            skipped = skipped == null ? List.of() : List.copyOf(skipped);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public String toJson() {
        try {
            return JSON.writeValueAsString(this) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a run summary always serialises", e);
        }
    }

    /** The summary of the run that built the lake at {@code lake}, if it has one. */
    public static Optional<RunSummary> readFrom(String lake, Configuration hadoop) {
        Path file = new Path(lake + "/" + Lake.RUN + "/" + Lake.SUMMARY);
        try {
            FileSystem fs = file.getFileSystem(hadoop);
            if (!fs.exists(file)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(file)) {
                return Optional.of(fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new LakeException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static RunSummary fromJson(String json) {
        try {
            return JSON.readValue(json, RunSummary.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a run summary: " + e.getOriginalMessage(), e);
        }
    }

    /** The summary as a person reads it in a terminal. */
    public String toTable() {
        StringBuilder out = new StringBuilder();
        if (inputs.isEmpty()) {
            // A run with nothing new read nothing: an input table of headers alone would say nothing.
            out.append("input: nothing new to read\n");
        } else {
            out.append(String.format("%-12s %8s %10s %10s %10s%n", "input", "files", "records", "loaded", "rejected"));
            inputs.forEach((name, counts) -> out.append(String.format("%-12s %,8d %,10d %,10d %,10d%n",
                    name, counts.files(), counts.records(), counts.loaded(), counts.rejected())));
        }
        if (snapshots == null || snapshots.isEmpty()) {
            out.append(String.format("%n%-12s %10s%n", "table", "rows"));
            tables.forEach((name, rows) -> out.append(String.format("%-12s %,10d%n", name, rows)));
        } else {
            // net = written - replaced; a changed row is one of each.
            out.append(String.format("%n%-12s %10s %10s %10s %10s  %s%n", "table", "rows", "net", "written",
                    "replaced", "snapshot"));
            tables.forEach((name, rows) -> {
                TableSnapshot snapshot = snapshots.get(name);
                out.append(snapshot == null ? String.format("%-12s %,10d%n", name, rows)
                        : String.format("%-12s %,10d %+,10d %,10d %,10d  %d%n", name, rows, snapshot.net(),
                                snapshot.written(), snapshot.replaced(), snapshot.snapshotId()));
            });
        }
        out.append(String.format("%n%-34s %8s%n", "stage", "seconds"));
        for (Progress.Stage stage : stages) {
            out.append(String.format("%-34s %8.1f%n", stage.name(), stage.seconds()));
        }
        out.append(String.format("%-34s %8.1f%n", "total", seconds));
        if (stages.stream().anyMatch(stage -> stage.requests() != null && !stage.requests().isEmpty())) {
            out.append(requestTable());
        }
        if (inFlight != null) {
            out.append(String.format("%-22s%s%n", "in flight", inFlight));
        }
        return out.toString();
    }

    /** Requests to the object store per stage and kind: where the round trips of a run went. */
    private String requestTable() {
        StringBuilder out = new StringBuilder(String.format("%n%-22s", "store requests"));
        StoreRequests.KINDS.forEach(kind -> out.append(String.format("%8s", kind)));
        out.append('\n');
        Map<String, Long> total = new java.util.LinkedHashMap<>();
        for (Progress.Stage stage : stages) {
            if (stage.requests() == null || stage.requests().values().stream().allMatch(n -> n == 0)) {
                continue;
            }
            out.append(String.format("%-22s", stage.name()));
            StoreRequests.KINDS.forEach(kind -> {
                long n = stage.requests().getOrDefault(kind, 0L);
                total.merge(kind, n, Long::sum);
                out.append(String.format("%,8d", n));
            });
            out.append('\n');
        }
        out.append(String.format("%-22s", "total"));
        StoreRequests.KINDS.forEach(kind -> out.append(String.format("%,8d", total.getOrDefault(kind, 0L))));
        return out.append('\n').toString();
    }
}
