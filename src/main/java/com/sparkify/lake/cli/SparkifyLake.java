package com.sparkify.lake.cli;

import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.store.Secrets;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code sparkify-lake etl | query | sql | report | check | serve | history | maintain | generate}. */
@Command(name = "sparkify-lake", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Builds Sparkify's star-schema data lake from the song catalog and the event logs.",
        subcommands = {EtlCommand.class, QueryCommand.class, SqlCommand.class, ReportCommand.class, CheckCommand.class,
            ServeCommand.class,
            HistoryCommand.class, MaintainCommand.class, GenerateCommand.class,
            CommandLine.HelpCommand.class})
public final class SparkifyLake implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** No command given: the usage, on standard error, and the exit code of any other wrong command line. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        spec.commandLine().getErr().flush();
        return USAGE;
    }

    public static void main(String[] args) {
        if (System.getenv("SPARKIFY_DEBUG") != null) {
            // Before any logger exists: log4j2.properties reads it to print the traces logged with errors.
            System.setProperty("sparkify.log.traces", "full");
        }
        com.sparkify.lake.pipeline.Interruption.trapSignals();
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a failure prints its message, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new SparkifyLake()).setExecutionExceptionHandler(SparkifyLake::failed)
                .setParameterExceptionHandler(SparkifyLake::usage);
    }

    static final int FAILED = 1;
    static final int USAGE = 2;

    /** A wrong command line: the error, a suggestion where a name was mistyped, and where help is; not the
     *  whole help, which buries the one line that matters. */
    private static int usage(CommandLine.ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        Optional<String> meant = Optional.empty();
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            String typed = unmatched.getUnmatched().get(0);
            List<String> names = typed.startsWith("-")
                    ? command.getCommandSpec().options().stream().flatMap(o -> List.of(o.names()).stream()).toList()
                    : List.copyOf(command.getSubcommands().keySet());
            meant = closest(typed, names);
        }
        return usage(command, e.getMessage(), meant);
    }

    private static int usage(CommandLine command, String message, Optional<String> meant) {
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + Secrets.scrub(message));
        meant.ifPresent(typo -> err.println("Did you mean '" + name + " " + typo + "'?"));
        err.println("See '" + name + " --help' for its usage.");
        err.flush();
        return USAGE;
    }

    /** The name a typo most likely meant: at most two edits away, a swap of neighbours counting as one. */
    static Optional<String> closest(String typed, List<String> names) {
        return names.stream().filter(name -> editDistance(typed, name) <= Math.min(2, name.length() / 2))
                .min(Comparator.comparingInt((String name) -> editDistance(typed, name)));
    }

    /** Optimal string alignment distance (Levenshtein plus the transposition of two adjacent letters). */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (com.sparkify.lake.pipeline.Interruption.signalled()) {
            // The run met the shutdown a signal began (Spark stopped under it); the signal's line says it all.
            return FAILED;
        }
        LakeException known = findLakeException(e);
        if (known instanceof UsageError) {
            return usage(command, known.getMessage(), Optional.empty());
        }
        Optional<String> changed = known == null ? lakeChangedMeanwhile(e) : Optional.empty();
        if (known != null) {
            err.println("sparkify-lake: " + Secrets.scrub(known.getMessage()));
        } else if (changed.isPresent()) {
            err.println("sparkify-lake: " + Secrets.scrub(changed.get()));
        } else {
            String message = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            err.println("sparkify-lake: the run failed unexpectedly: " + e.getClass().getSimpleName() + ": "
                    + Secrets.scrub(message));
            err.println("Set SPARKIFY_DEBUG=1 to see the stack trace.");
        }
        if (System.getenv("SPARKIFY_DEBUG") != null) {
            // A stack trace's messages come from libraries; mask any secret this process knows.
            java.io.StringWriter trace = new java.io.StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            err.print(Secrets.scrub(trace.toString()));
        }
        err.flush();
        return FAILED;
    }

    /**
     * Files of the lake that were there when the command listed them and gone, or a table folder that held no
     * files, when it read them: a run was replacing those tables (a Parquet lake renames them into place at
     * the end of a run; on S3 it writes them in place), or, for an etl, a second run wrote the same lake. Said as
     * that, with what to do, rather than as a failure of this command.
     */
    static Optional<String> lakeChangedMeanwhile(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            String message = String.valueOf(cause.getMessage());
            // FAILED_READ_FILE: Spark's, for a file that changed or went while it read it (faults/run saw
            // FILE_NOT_EXIST and NO_HINT from readers of a Parquet lake during its renames).
            if (cause instanceof java.io.FileNotFoundException || message.contains("FAILED_READ_FILE")
                    || message.contains("UNABLE_TO_INFER_SCHEMA") || message.contains("PATH_NOT_FOUND")) {
                return Optional.of("a table of the lake had no files, or lost some, while this command read it ("
                        + message.lines().findFirst().orElse("").replaceFirst("^\\[[A-Z_.]+\\] ", "")
                        + "). A run replacing the tables does that: ask again once it has ended. So do two etl runs "
                        + "into one lake on an object store, where a lake is not locked: run one at a time. If no run "
                        + "is going, build the lake again with etl.");
            }
        }
        return Optional.empty();
    }

    private static LakeException findLakeException(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LakeException lake) {
                return lake;
            }
        }
        return null;
    }
}
