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

import org.apache.iceberg.Table;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.RunRecord;

/**
 * The runs an Iceberg lake recorded (see {@link RunRecord}), and the tables as one of them published them. The
 * record, not the tables' snapshots, says which runs there were and what each did: maintain compacts and expires
 * snapshots, never the record.
 */
public final class History {

    private History() {
    }

    /**
     * One run as the lake recorded it.
     *
     * @param published when its tables became visible to readers
     * @param rows      net rows the run added per table (rows it wrote less rows it took away)
     * @param totals    rows each table held once the run was published
     * @param readable  whether the tables it published can still be read --as-of (maintain expires snapshots)
     */
    public record Run(String runId, Instant published, String kind, Map<String, Long> rows,
                      Map<String, Long> totals, boolean readable) {
    }

    /** The runs that published into the lake, in the order they did. */
    public static List<Run> runs(LakeCatalog catalog) {
        Map<String, Table> tables = tables(catalog);
        List<Run> runs = new ArrayList<>();
        for (RunRecord.Entry entry : RunRecord.read(catalog)) {
            Map<String, Long> net = new LinkedHashMap<>();
            Map<String, Long> totals = new LinkedHashMap<>();
            Map<String, RunRecord.TableFigures> figures = RunRecord.byTable(entry);
            for (String name : LakeTables.NAMES) {
                RunRecord.TableFigures table = figures.get(name);
                net.put(name, table == null ? 0 : table.net());
                totals.put(name, table == null ? 0 : table.rows());
            }
            runs.add(new Run(entry.runId(), entry.published(), entry.kind(), net, totals,
                    snapshots(entry, tables).isPresent()));
        }
        return runs;
    }

    /**
     * The snapshot of each of the five tables as a run published them: the run given by its id (as {@code history}
     * lists it), or the last run published at or before a time (ISO-8601, UTC unless it says otherwise:
     * {@code 2026-11-26T17:00:00Z}, {@code 2026-11-26 17:00}, {@code 2026-11-26}). All five come from that one
     * run, so a time during a publication answers with the run before, never a mix.
     */
    public static Map<String, Long> asOf(LakeCatalog catalog, String asOf) {
        List<RunRecord.Entry> entries = RunRecord.read(catalog);
        if (entries.isEmpty()) {
            throw new LakeException("The lake has no record of its runs, so --as-of has nothing to answer from: "
                    + "the record starts with the lake's next etl run.");
        }
        RunRecord.Entry chosen;
        if (asOf.strip().matches("\\d{8}T\\d{6}Z-[0-9a-f]{8}")) {
            chosen = entries.stream().filter(entry -> entry.runId().equals(asOf.strip())).findFirst()
                    .orElseThrow(() -> new LakeException("The lake has no run " + asOf.strip() + ": see "
                            + "sparkify-lake history for the runs it has."));
        } else {
            Instant at = time(asOf);
            chosen = null;
            for (RunRecord.Entry entry : entries) {
                if (!entry.published().isAfter(at)) {
                    chosen = entry;
                }
            }
            if (chosen == null) {
                throw new LakeException("The lake did not exist yet at " + at + " (UTC): its first run, "
                        + entries.get(0).runId() + ", was published at " + entries.get(0).published() + ".");
            }
        }
        Map<String, Table> tables = tables(catalog);
        RunRecord.Entry run = chosen;
        return snapshots(run, tables).orElseThrow(() -> new LakeException("Run " + run.runId() + " (published "
                + run.published() + ") can no longer be read --as-of: maintain expired its snapshots. "
                + oldestReadable(entries, tables)));
    }

    private static String oldestReadable(List<RunRecord.Entry> entries, Map<String, Table> tables) {
        for (RunRecord.Entry entry : entries) {
            if (snapshots(entry, tables).isPresent()) {
                return "The oldest run that can is " + entry.runId() + ", published at " + entry.published() + ".";
            }
        }
        return "No run can: the lake's tables are readable only as they are now.";
    }

    /** The run's snapshots of the five tables, or empty when one of them is no longer kept. */
    private static java.util.Optional<Map<String, Long>> snapshots(RunRecord.Entry entry, Map<String, Table> tables) {
        Map<String, Long> found = new LinkedHashMap<>();
        Map<String, RunRecord.TableFigures> figures = RunRecord.byTable(entry);
        for (String name : LakeTables.NAMES) {
            RunRecord.TableFigures table = figures.get(name);
            java.util.Optional<Long> snapshot = table == null ? java.util.Optional.empty()
                    : RunRecord.readable(tables.get(name), table.snapshotId());
            if (snapshot.isEmpty()) {
                return java.util.Optional.empty();
            }
            found.put(name, snapshot.get());
        }
        return java.util.Optional.of(found);
    }

    private static Map<String, Table> tables(LakeCatalog catalog) {
        Map<String, Table> tables = new LinkedHashMap<>();
        LakeTables.NAMES.forEach(name -> tables.put(name, catalog.table(name)));
        return tables;
    }

    /**
     * A published time as history prints it, to the millisecond: --as-of that text is that run, where a time cut
     * to the second would fall before it and answer with the run before.
     */
    public static String printed(Instant published) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC)
                .format(published);
    }

    static Instant time(String text) {
        String value = text.strip();
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException notInstant) {
            // Without a zone the time is UTC, as every time in the lake is.
        }
        for (String pattern : List.of("yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm",
                "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm")) {
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
