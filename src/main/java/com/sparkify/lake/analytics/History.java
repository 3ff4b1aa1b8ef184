package com.sparkify.lake.analytics;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.load.IcebergTables;
import com.sparkify.lake.load.LakeCatalog;

/** The runs an Iceberg lake's tables remember, and the tables as one of them left them. */
public final class History {

    /** What the files-loaded table is called: every run that loaded anything committed to it. */
    private static final String FILES = IcebergTables.INPUT_PREFIX + "files";

    private History() {
    }

    /**
     * One run as the tables remember it.
     *
     * @param rows   net rows the run added per table (added less deleted)
     * @param totals rows each table held after the run (a table the run left alone: as the run before left it)
     */
    public record Run(String runId, Instant committedAt, String kind, Map<String, Long> rows,
                      Map<String, Long> totals) {
    }

    /** The runs that changed the lake's published tables, oldest first. */
    public static List<Run> runs(LakeCatalog catalog) {
        Map<String, Instant> times = new TreeMap<>();
        Map<String, String> kinds = new LinkedHashMap<>();
        Map<String, Map<String, Long>> rows = new TreeMap<>();
        // Totals come from each snapshot's own count, not from summing the runs: expired snapshots leave no run.
        Map<String, Map<String, Long>> totals = new TreeMap<>();
        List<String> tables = new ArrayList<>(LakeTables.NAMES);
        tables.add(FILES);
        for (String name : tables) {
            if (!catalog.has(name)) {
                continue;
            }
            Table table = catalog.table(name);
            if (table.currentSnapshot() == null) {
                continue;
            }
            for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
                String run = snapshot.summary().get(IcebergTables.RUN_ID);
                if (run == null) {
                    continue;
                }
                Instant at = Instant.ofEpochMilli(snapshot.timestampMillis());
                times.merge(run, at, (a, b) -> a.isAfter(b) ? a : b);
                kinds.putIfAbsent(run, snapshot.summary().getOrDefault(IcebergTables.RUN_KIND, "?"));
                if (!name.equals(FILES)) {
                    long net = number(snapshot.summary().get("added-records"))
                            - number(snapshot.summary().get("deleted-records"));
                    rows.computeIfAbsent(run, r -> new LinkedHashMap<>()).merge(name, net, Long::sum);
                    // Ancestors come newest first: a run's last snapshot of the table gives its total.
                    totals.computeIfAbsent(run, r -> new LinkedHashMap<>())
                            .putIfAbsent(name, number(snapshot.summary().get("total-records")));
                }
            }
        }
        List<String> order = new ArrayList<>(times.keySet());
        order.sort(java.util.Comparator.comparing((String run) -> times.get(run)).thenComparing(run -> run));
        List<Run> runs = new ArrayList<>();
        Map<String, Long> held = new LinkedHashMap<>();
        for (String run : order) {
            Map<String, Long> added = new LinkedHashMap<>();
            for (String name : LakeTables.NAMES) {
                added.put(name, rows.getOrDefault(run, Map.of()).getOrDefault(name, 0L));
                Long total = totals.getOrDefault(run, Map.of()).get(name);
                held.put(name, total != null ? total : held.getOrDefault(name, 0L));
            }
            runs.add(new Run(run, times.get(run), kinds.get(run), added,
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(held))));
        }
        return runs;
    }

    /**
     * The table's snapshot as of a run (its id, as {@code history} lists it) or a time (ISO-8601, UTC unless
     * it says otherwise: {@code 2026-11-26T17:00:00Z}, {@code 2026-11-26 17:00}, {@code 2026-11-26}).
     */
    public static long snapshotAsOf(Table table, String name, String asOf) {
        if (table.currentSnapshot() == null) {
            throw new LakeException("The table " + name + " has no rows yet, as of any time.");
        }
        if (asOf.matches("\\d{8}T\\d{6}Z-[0-9a-f]{8}")) {
            for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
                String run = snapshot.summary().get(IcebergTables.RUN_ID);
                if (run != null && run.compareTo(asOf) <= 0) {
                    return snapshot.snapshotId();
                }
            }
            throw new LakeException("The lake's " + name + " has no run " + asOf + " or earlier: see "
                    + "sparkify-lake history for the runs it has.");
        }
        Instant at = time(asOf);
        try {
            return SnapshotUtil.snapshotIdAsOfTime(table, at.toEpochMilli());
        } catch (IllegalArgumentException e) {
            throw new LakeException("The lake's " + name + " did not exist yet at " + at + " (UTC): see "
                    + "sparkify-lake history for when its runs were.");
        }
    }

    static Instant time(String text) {
        String value = text.strip();
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notInstant) {
            // Without a zone the time is UTC, as every time in the lake is.
        }
        for (String pattern : List.of("yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss",
                "yyyy-MM-dd'T'HH:mm")) {
            try {
                return LocalDateTime.parse(value, java.time.format.DateTimeFormatter.ofPattern(pattern))
                        .toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException next) {
                // try the next spelling
            }
        }
        try {
            return LocalDate.parse(value).atStartOfDay().toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new LakeException("--as-of takes a run id (as history lists them) or a time such as "
                    + "2026-11-26T17:00:00Z or 2026-11-26 17:00 (UTC), not '" + text + "'.");
        }
    }

    private static long number(String value) {
        return value == null ? 0 : Long.parseLong(value);
    }
}
