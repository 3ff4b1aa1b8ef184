package com.sparkify.lake.cli;

import java.io.PrintWriter;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.store.Secrets;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line: {@code sparkify-lake etl | query | check | history | maintain | generate}. */
@Command(name = "sparkify-lake", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Builds Sparkify's star-schema data lake from the song catalog and the event logs.",
        subcommands = {EtlCommand.class, QueryCommand.class, CheckCommand.class, HistoryCommand.class,
            MaintainCommand.class, GenerateCommand.class,
            CommandLine.HelpCommand.class})
public final class SparkifyLake implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with its error handling: a failure prints its message, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new SparkifyLake()).setExecutionExceptionHandler(SparkifyLake::failed);
    }

    static final int FAILED = 1;

    private static int failed(Exception e, CommandLine command, CommandLine.ParseResult parsed) {
        PrintWriter err = command.getErr();
        LakeException known = findLakeException(e);
        if (known != null) {
            err.println("sparkify-lake: " + Secrets.scrub(known.getMessage()));
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

    private static LakeException findLakeException(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LakeException lake) {
                return lake;
            }
        }
        return null;
    }
}
