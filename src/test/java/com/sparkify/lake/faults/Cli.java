package com.sparkify.lake.faults;

import com.sparkify.lake.support.Commands;

/**
 * The command line run in this JVM, on its Spark session, with everything it prints kept: what a user would
 * read, so a scenario can check it is a clear answer and holds no secret.
 */
final class Cli {

    record Result(int code, String output) {

        /** A stack trace as the answer: a frame line, or an exception's class name at a line's start. */
        boolean hasStackTrace() {
            return output.lines().anyMatch(line -> line.startsWith("\tat ")
                    || line.matches("^[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w*(Exception|Error).*"));
        }
    }

    private Cli() {
    }

    /** A command that throws past the command line's own handling (an Error) crashed: exit code 99, and the
     *  stack trace it would have printed. */
    static Result run(String... arguments) {
        try {
            Commands.Result result = Commands.run(arguments);
            return new Result(result.code(), result.out() + result.err());
        } catch (Throwable crash) {
            java.io.StringWriter trace = new java.io.StringWriter();
            crash.printStackTrace(new java.io.PrintWriter(trace));
            return new Result(99, "the command crashed: " + trace);
        }
    }
}
