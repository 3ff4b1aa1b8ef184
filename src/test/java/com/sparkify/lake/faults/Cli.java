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

    static Result run(String... arguments) {
        Commands.Result result = Commands.run(arguments);
        return new Result(result.code(), result.out() + result.err());
    }
}
