package com.sparkify.lake.cli;

import com.sparkify.lake.analytics.ResultFormat;
import com.sparkify.lake.config.LakeConfig;

/** query, sql and its shell through a running server: the same answers, printed the same way, as with --lake. */
final class RemoteAnswers {

    private RemoteAnswers() {
    }

    /** The server answers from the lake's current run; its history is read where the lake is. */
    static final String NO_HISTORY = "--as-of reads an Iceberg lake's history, which a server does not offer: give "
            + "--lake instead of --remote.";

    static void refuseAsOf(AnswerOptions answer) {
        if (answer.asOf != null) {
            throw new UsageError(NO_HISTORY);
        }
    }

    /** The shell, each statement answered by the server, which keeps the lake's tables warm between them. */
    static int shell(RemoteOption remote, LakeConfig config, AnswerOptions answer, ResultFormat format) {
        refuseAsOf(answer);
        return Sessions.withRemote(remote, config,
                spark -> SqlShell.open(spark, remote.remote, true, config, format, answer.limit, null));
    }

    /**
     * A query of the user's own. The server refuses what would change the lake (its read-only rule, exit 1);
     * a query it cannot run gets Spark's message in one paragraph, as with --lake.
     */
    static int sql(RemoteOption remote, LakeConfig config, String sql, AnswerOptions answer) {
        refuseAsOf(answer);
        return Sessions.withRemote(remote, config, spark -> {
            try {
                answer.print(spark.sql(sql));
                return 0;
            } catch (Exception e) {
                // Exception: the client's AnalysisException and SparkException are checked ones to Java. Told as
                // with --lake: a missing table by name, Spark's message in one paragraph.
                throw SqlCommand.explained(e);
            }
        });
    }
}
