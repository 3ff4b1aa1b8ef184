package com.sparkify.lake.cli;

import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import com.sparkify.lake.analytics.ResultFormat;

import picocli.CommandLine.Option;

/** How query and sql print an answer: the format, at most so many rows, and the lake as of a run. */
final class AnswerOptions {

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N rows (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--as-of", paramLabel = "RUN|TIME",
            description = "An Iceberg lake: answer from the tables as a run left them (its id, see history) or as "
                + "they were at a time (UTC, e.g. 2026-11-26T17:00:00Z).")
    String asOf;

    /** Refuses a wrong format or limit before any Spark starts. */
    ResultFormat validated() {
        if (limit < 1) {
            throw new UsageError("--limit must be at least 1, not " + limit + ".");
        }
        try {
            return ResultFormat.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--format must be table, csv or json, not '" + format + "'.");
        }
    }

    /** Prints at most --limit rows of the answer, and says so on standard error when there were more. */
    void print(Dataset<Row> answer) {
        List<Row> rows = answer.limit(limit + 1).collectAsList();
        boolean more = rows.size() > limit;
        System.out.print(validated().render(answer.columns(), more ? rows.subList(0, limit) : rows));
        if (more) {
            System.err.println("(more rows than --limit " + limit + "; raise it to see them)");
        }
    }
}
