package com.sparkify.lake.cli;

import java.util.List;
import java.util.concurrent.Callable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.analytics.ResultFormat;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Runs one of the analytics team's named queries over a lake; --list names them.")
final class QueryCommand implements Callable<Integer> {

    /** Either a query over a lake, both required, or the list of queries. */
    static final class Which {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Named named;

        @Option(names = "--list", required = true, description = "List the queries with what each answers.")
        boolean list;
    }

    static final class Named {
        @Parameters(paramLabel = "NAME", description = "The query to run (see --list).")
        String name;

        @Option(names = "--lake", required = true, paramLabel = "LAKE",
                description = "Folder or URI of a lake built by etl.")
        String lake;
    }

    @ArgGroup(multiplicity = "1")
    Which which;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, csv or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--as-of", paramLabel = "RUN|TIME",
            description = "An Iceberg lake: answer from the tables as a run left them (its id, see history) or as "
                + "they were at a time (UTC, e.g. 2026-11-26T17:00:00Z).")
    String asOf;

    @Mixin
    ConfigFileOption config;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
            description = "At most N rows (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
        if (which.list) {
            for (QueryCatalog.Query query : QueryCatalog.all()) {
                System.out.printf("%-20s %s%n", query.name(), query.description());
            }
            return 0;
        }
        QueryCatalog.Query query;
        try {
            query = QueryCatalog.named(which.named.name);
        } catch (LakeException unknown) {
            throw new UsageError(unknown.getMessage());
        }
        ResultFormat output = parseFormat(format);
        if (limit < 1) {
            throw new UsageError("--limit must be at least 1, not " + limit + ".");
        }
        String lake = which.named.lake;
        return Sessions.withSpark(config.settings(), spark -> {
            LakeTables.register(spark, lake, config.config(), asOf);
            Dataset<Row> result = spark.sql(query.sql());
            List<Row> rows = result.limit(limit + 1).collectAsList();
            boolean more = rows.size() > limit;
            System.out.print(output.render(result.columns(), more ? rows.subList(0, limit) : rows));
            if (more) {
                System.err.println("(more rows than --limit " + limit + "; raise it to see them)");
            }
            return 0;
        });
    }

    static ResultFormat parseFormat(String format) {
        try {
            return ResultFormat.valueOf(format.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--format must be table, csv or json, not '" + format + "'.");
        }
    }
}
