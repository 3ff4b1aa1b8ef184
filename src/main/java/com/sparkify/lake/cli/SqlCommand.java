package com.sparkify.lake.cli;

import java.util.concurrent.Callable;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.ResultFormat;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Runs a query of your own over a lake: its tables are views named songplays, users, songs, "
                + "artists and time.",
            "E.g. sparkify-lake sql --lake LAKE \"SELECT level, COUNT(*) AS plays FROM songplays GROUP BY level\"",
            "Without a query, a shell: sparkify-lake sql --lake LAKE"})
final class SqlCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SQL", arity = "0..1", description = {"One query (SELECT, WITH, …), quoted as one argument.",
        "Without it, a shell over one Spark session: statements ended by ; at a prompt, or every statement of "
            + "standard input when it is a file or a pipe (sql --lake LAKE < queries.sql). .help lists its commands."})
    String sql;

    @Mixin
    LakeSource lake;

    @Mixin
    AnswerOptions answer;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        ResultFormat format = answer.validated();
        if (lake.remote()) {
            if (sql == null) {
                return RemoteAnswers.shell(lake.remote, config.config(), answer, format);
            }
            return RemoteAnswers.sql(lake.remote, config.config(), sql, answer);
        }
        return Sessions.withSpark(config.settings(), spark -> {
            if (sql == null) {
                LakeTables.registerKept(spark, lake.lake, config.config(), answer.asOf);
                return SqlShell.open(spark, lake.lake, false, config.config(), format, answer.limit, answer.asOf);
            }
            LakeTables.register(spark, lake.lake, config.config(), answer.asOf);
            try {
                answer.print(query(spark, sql));
                return 0;
            } catch (Exception e) {
                throw explained(e);
            }
        });
    }

    /** The answer to a query of one's own; a statement that is not a query is refused (a usage error). */
    static Dataset<Row> query(SparkSession spark, String sql) throws ParseException {
        // Queries only: the lake is the run's to change (a DROP or an INSERT here would bypass its checks).
        LogicalPlan parsed = spark.sessionState().sqlParser().parsePlan(sql);
        if (parsed instanceof org.apache.spark.sql.catalyst.plans.logical.Command || parsed.getClass().getSimpleName().matches(
                "InsertInto.*|.*Statement|MergeIntoTable|DeleteFromTable|UpdateTable|ReplaceData|.*Command")) {
            throw new UsageError("sql runs queries (SELECT, WITH, …), not statements that change or "
                    + "describe the lake's catalog: this one is a " + parsed.nodeName() + ".");
        }
        return spark.sql(sql);
    }

    /** A failure while parsing, planning or running a query, as the one paragraph the user reads. */
    static RuntimeException explained(Exception e) {
        if (e instanceof LakeException known) {
            return known;
        }
        if (e instanceof SparkThrowable thrown && "TABLE_OR_VIEW_NOT_FOUND".equals(thrown.getCondition())) {
            return new LakeException(noSuchTable(String.valueOf(thrown.getMessageParameters().get("relationName"))));
        }
        if (e instanceof SparkThrowable) {
            return new LakeException("The query failed: " + paragraph(e.getMessage()));
        }
        return e instanceof RuntimeException unchecked ? unchecked : new IllegalStateException(e);
    }

    static String noSuchTable(String name) {
        return "The lake has no table " + name + ". Its tables are " + String.join(", ", LakeTables.NAMES) + ".";
    }

    /** Spark's message without the query plan or the SQL excerpt it appends: one paragraph. */
    static String paragraph(String message) {
        String text = message == null ? "" : message;
        for (String tail : new String[] {"\n== SQL", ";\n'", ";\n", "\n\n"}) {
            int at = text.indexOf(tail);
            if (at >= 0) {
                text = text.substring(0, at);
            }
        }
        return text.replaceAll("\\s*\\n\\s*", " ").strip();
    }
}
