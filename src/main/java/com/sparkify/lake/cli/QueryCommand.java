package com.sparkify.lake.cli;

import java.util.concurrent.Callable;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;

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

        @Option(names = "--lake", paramLabel = "LAKE",
                description = "Folder or URI of a lake built by etl (or --remote).")
        String lake;
    }

    @ArgGroup(multiplicity = "1")
    Which which;

    @Mixin
    AnswerOptions answer;

    @Mixin
    ConfigFileOption config;

    @Mixin
    RemoteOption remote;

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
            String meant = SparkifyLake.closest(which.named.name, QueryCatalog.all().stream()
                    .map(QueryCatalog.Query::name).toList()).map(name -> " Did you mean '" + name + "'?").orElse("");
            throw new UsageError(unknown.getMessage() + meant);
        }
        answer.validated();
        String lake = which.named.lake;
        if (remote.given() == (lake != null)) {
            throw new UsageError(lake == null ? "Missing required option: '--lake=LAKE' (or --remote sc://HOST:PORT)."
                    : "Give --lake or --remote, not both: a server answers from the lake it serves.");
        }
        if (remote.given()) {
            RemoteAnswers.refuseAsOf(answer);
            return Sessions.withRemote(remote, config.config(), spark -> {
                answer.print(spark.sql(query.sql()));
                return 0;
            });
        }
        return Sessions.withSpark(config.settings(), spark -> {
            LakeTables.register(spark, lake, config.config(), answer.asOf);
            answer.print(spark.sql(query.sql()));
            return 0;
        });
    }
}
