package com.sparkify.lake.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.analytics.ResultFormat;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.store.Secrets;
import com.sparkify.lake.tables.StarSchema;

/**
 * {@code sql} without a query: statements and the shell's commands run one after another on one Spark session,
 * whose views of the lake stay registered, so that only the first answer pays for starting Spark. Typed at a
 * terminal ({@link ShellTerminal}) or read from a file or a pipe; either way answers go to standard output and
 * everything else (times, messages, errors) to standard error, so that a script's output is its answers.
 */
final class SqlShell {

    /** Gives the shell its input, a line (or, at the prompt, a statement of several lines) at a time. */
    interface Lines {
        /** @return null at the end of the input */
        String next() throws IOException;
    }

    private final SparkSession spark;
    /** The lake's address, or the server's when {@link #remote}. */
    private final String lake;
    /**
     * Whether a server ({@code serve}) answers: it holds the lake's views and follows new runs itself, and
     * refuses what would change the lake, so statements go to it as they are and the history is not offered.
     */
    private final boolean remote;
    private final LakeConfig config;
    private final PrintStream out;
    private final PrintStream err;
    private final List<String> queries = QueryCatalog.all().stream().map(QueryCatalog.Query::name).toList();
    private ResultFormat format;
    private int limit;
    private String asOf;
    private ShellCompletion completion;
    private boolean quit;
    private int ran;
    private final List<Integer> failedLines = new ArrayList<>();

    /**
     * @param spark a session on which the lake's tables are already registered as views, or a Spark Connect
     *              session of a server that serves them ({@code remote})
     */
    SqlShell(SparkSession spark, String lake, boolean remote, LakeConfig config, ResultFormat format, int limit,
             String asOf, PrintStream out, PrintStream err) {
        this.spark = spark;
        this.lake = lake;
        this.remote = remote;
        this.config = config;
        this.format = format;
        this.limit = limit;
        this.asOf = asOf;
        this.out = out;
        this.err = err;
        this.completion = new ShellCompletion(ShellCompletion.columnsOf(spark), queries);
    }

    /** At a terminal, the prompt; otherwise every statement of standard input. */
    static int open(SparkSession spark, String lake, boolean remote, LakeConfig config, ResultFormat format,
                    int limit, String asOf) {
        SqlShell shell = new SqlShell(spark, lake, remote, config, format, limit, asOf, System.out, System.err);
        // Both ends a terminal, as for psql: with either redirected, the shell is a script's.
        if (System.console() != null) {
            return ShellTerminal.run(shell, ShellTerminal.historyFile(System.getenv(), System.getProperties()));
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return shell.run(in::readLine, false);
    }

    /**
     * Runs the input to its end, or to {@code .quit}.
     *
     * @param atPrompt whether a person types it: errors then name no line, and a failure does not change the exit
     *                 code, which for a script is 1 when any statement or command failed
     */
    int run(Lines lines, boolean atPrompt) {
        ShellInput input = new ShellInput(queries);
        try {
            String text;
            while (!quit && (text = lines.next()) != null) {
                for (ShellInput.Entry entry : input.read(text)) {
                    if (!quit) {
                        run(entry, atPrompt);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!quit) {
            input.end().forEach(entry -> run(entry, atPrompt));
        }
        if (atPrompt || failedLines.isEmpty()) {
            return 0;
        }
        List<String> where = failedLines.stream().map(String::valueOf).toList();
        err.println("sparkify-lake sql: " + failedLines.size() + " of " + ran + " statements and commands failed, on line"
                + (where.size() == 1 ? " " : "s ") + String.join(", ", where) + ".");
        return SparkifyLake.FAILED;
    }

    ShellCompletion completion() {
        return completion;
    }

    /** Ctrl-C while an answer is worked out: the answer stops, the shell does not. */
    void cancel() {
        if (remote) {
            spark.interruptAll(); // the server stops what this session asked; other clients' queries go on
        } else {
            spark.sparkContext().cancelAllJobs();
        }
    }

    void banner(PrintStream to) {
        to.println("sparkify-lake sql on " + (remote ? "the lake served at " : "") + lake
                + (asOf == null ? "" : " as of " + asOf) + ": tables "
                + String.join(", ", LakeTables.NAMES) + ".");
        to.println("End statements with ;  .help lists the commands, .quit leaves, Tab completes.");
    }

    private void run(ShellInput.Entry entry, boolean atPrompt) {
        ran++;
        long started = System.nanoTime();
        try {
            if (entry instanceof ShellInput.Statement statement) {
                answer(remote ? spark.sql(statement.sql()) : SqlCommand.query(spark, statement.sql()), started);
            } else if (entry instanceof ShellInput.Command command) {
                command(command.command(), started);
            }
        } catch (Exception e) {
            failedLines.add(entry.line());
            err.println((atPrompt ? "" : "line " + entry.line() + ": ") + Secrets.scrub(message(e)));
        }
        err.flush();
    }

    private static String message(Exception e) {
        if (e instanceof SparkThrowable thrown && List.of("SPARK_JOB_CANCELLED", "OPERATION_CANCELED")
                .contains(String.valueOf(thrown.getCondition()))) {
            return "Stopped (Ctrl-C).";
        }
        RuntimeException explained = SqlCommand.explained(e);
        if (explained instanceof LakeException) {
            return explained.getMessage();
        }
        return SparkifyLake.lakeChangedMeanwhile(e).map(changed -> changed + " .refresh reads the lake again.")
                .orElseGet(() -> "failed unexpectedly: " + e.getClass().getSimpleName() + ": "
                        + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                        + " (SPARKIFY_DEBUG=1 shows the stack trace in the commands)");
    }

    private void command(ShellCommand command, long started) {
        if (command instanceof ShellCommand.Tables) {
            print(new String[] {"table", "rows", "columns"}, tables(), false, started);
        } else if (command instanceof ShellCommand.Describe describe) {
            print(new String[] {"column", "type", "role"}, describe(describe.table()), false, started);
        } else if (command instanceof ShellCommand.Queries) {
            List<Row> rows = QueryCatalog.all().stream()
                    .map(query -> RowFactory.create(query.name(), query.description())).toList();
            print(new String[] {"query", "answers"}, rows, false, started);
        } else if (command instanceof ShellCommand.Named named) {
            answer(spark.sql(QueryCatalog.named(named.name()).sql()), started);
        } else if (command instanceof ShellCommand.Format chosen) {
            if (chosen.format() != null) {
                format = ResultFormat.valueOf(chosen.format().toUpperCase(Locale.ROOT));
            }
            err.println("format " + format.name().toLowerCase(Locale.ROOT));
        } else if (command instanceof ShellCommand.Limit chosen) {
            if (chosen.limit() != null) {
                limit = chosen.limit();
            }
            err.println("limit " + limit);
        } else if (command instanceof ShellCommand.AsOf chosen) {
            if (chosen.asOf() != null) {
                if (remote) {
                    throw new LakeException(RemoteAnswers.NO_HISTORY);
                }
                String wanted = List.of("latest", "now").contains(chosen.asOf().toLowerCase(Locale.ROOT))
                        ? null : chosen.asOf();
                // The views change only once the lake answered for the new time: a wrong one leaves them be.
                LakeTables.registerKept(spark, lake, config, wanted);
                asOf = wanted;
                completion = new ShellCompletion(ShellCompletion.columnsOf(spark), queries);
            }
            err.println(asOf == null ? "the tables as they are (latest)" : "the tables as of " + asOf);
        } else if (command instanceof ShellCommand.Refresh) {
            if (remote) {
                // The server reads each new run as it is published: only the names to complete are read again.
                completion = new ShellCompletion(ShellCompletion.columnsOf(spark), queries);
                err.println("the server answers from the lake's latest run: nothing to read again here");
                return;
            }
            LakeTables.registerKept(spark, lake, config, asOf);
            completion = new ShellCompletion(ShellCompletion.columnsOf(spark), queries);
            err.println("read " + lake + " again" + seconds(started));
        } else if (command instanceof ShellCommand.Help) {
            err.print(ShellCommand.help());
        } else if (command instanceof ShellCommand.Quit) {
            quit = true;
        } else if (command instanceof ShellCommand.Invalid invalid) {
            throw new LakeException(invalid.message());
        }
    }

    /**
     * Each table with its rows, counted now, and its columns. The shell's own listings are whole, whatever the
     * limit on answers, and made here: through a server, a DataFrame of them would be one more round trip.
     */
    private List<Row> tables() {
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<String, List<String>> table : ShellCompletion.columnsOf(spark).entrySet()) {
            rows.add(RowFactory.create(table.getKey(), spark.table(table.getKey()).count(),
                    String.join(", ", table.getValue())));
        }
        return rows;
    }

    /** A table's columns with their types, and which is the key and which partition the table's folders. */
    private List<Row> describe(String name) {
        StarSchema.Table table = StarSchema.TABLES.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
        List<Row> rows = new ArrayList<>();
        for (StructField field : spark.table(name).schema().fields()) {
            String role = field.name().equals(table.key()) ? "key"
                    : table.partitions().contains(field.name()) ? "partition" : "";
            rows.add(RowFactory.create(field.name(), field.dataType().simpleString(), role));
        }
        return rows;
    }

    /** Prints at most the limit's rows of the answer, as sql does, then its rows and seconds on standard error. */
    private void answer(Dataset<Row> answer, long started) {
        List<Row> rows = answer.limit(limit + 1).collectAsList();
        boolean more = rows.size() > limit;
        print(answer.columns(), more ? rows.subList(0, limit) : rows, more, started);
    }

    private void print(String[] columns, List<Row> rows, boolean more, long started) {
        out.print(format.render(columns, rows));
        out.flush();
        String count = rows.size() + (rows.size() == 1 ? " row" : " rows");
        count = more ? "first " + count + "; .limit N shows more" : count;
        err.println("(" + count + seconds(started) + ")");
    }

    private static String seconds(long started) {
        return String.format(Locale.ROOT, ", %.2f s", (System.nanoTime() - started) / 1e9);
    }
}
