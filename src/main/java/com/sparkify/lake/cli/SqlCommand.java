package com.sparkify.lake.cli;

import java.util.concurrent.Callable;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "sql", mixinStandardHelpOptions = true,
        description = {"Runs a query of your own over a lake: its tables are views named songplays, users, songs, "
                + "artists and time.",
            "E.g. sparkify-lake sql --lake LAKE \"SELECT level, COUNT(*) AS plays FROM songplays GROUP BY level\""})
final class SqlCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SQL", description = "One query (SELECT, WITH, …), quoted as one argument.")
    String sql;

    @Mixin
    LakeSource lake;

    @Mixin
    AnswerOptions answer;

    @Mixin
    ConfigFileOption config;

    @Override
    public Integer call() {
        answer.validated();
        if (lake.remote()) {
            return RemoteAnswers.sql(lake.remote, config.config(), sql, answer);
        }
        return Sessions.withSpark(config.settings(), spark -> {
            LakeTables.register(spark, lake.lake, config.config(), answer.asOf);
            try {
                // Queries only: the lake is the run's to change (a DROP or an INSERT here would bypass its checks).
                LogicalPlan parsed = spark.sessionState().sqlParser().parsePlan(sql);
                if (parsed instanceof org.apache.spark.sql.catalyst.plans.logical.Command || parsed.getClass().getSimpleName().matches(
                        "InsertInto.*|.*Statement|MergeIntoTable|DeleteFromTable|UpdateTable|ReplaceData|.*Command")) {
                    throw new UsageError("sql runs queries (SELECT, WITH, …), not statements that change or "
                            + "describe the lake's catalog: this one is a " + parsed.nodeName() + ".");
                }
                Dataset<Row> result = spark.sql(sql);
                answer.print(result);
                return 0;
            } catch (LakeException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof SparkThrowable thrown && "TABLE_OR_VIEW_NOT_FOUND".equals(thrown.getCondition())) {
                    String name = String.valueOf(thrown.getMessageParameters().get("relationName"));
                    throw new LakeException("The lake has no table " + name + ". Its tables are "
                            + String.join(", ", LakeTables.NAMES) + ".");
                }
                if (e instanceof SparkThrowable) {
                    throw new LakeException("The query failed: " + paragraph(e.getMessage()));
                }
                throw e instanceof RuntimeException unchecked ? unchecked : new IllegalStateException(e);
            }
        });
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
