package com.sparkify.lake.faults;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;

import com.sparkify.lake.cli.SparkifyLake;

/**
 * The command line run in this JVM, on its Spark session, with everything it prints kept: what a user would
 * read, so a scenario can check it is a clear answer and holds no secret.
 */
final class Cli {

    record Result(int code, String output) {

        /** A stack trace as the answer: a frame line, or an exception's class name at a line's start. */
        boolean hasStackTrace() {
            return output.lines().anyMatch(line -> line.startsWith("\tat ") || line.matches("^[a-z]+(\\.[a-z0-9]+)+\\.[A-Z]\\w*(Exception|Error).*"));
        }
    }

    private Cli() {
    }

    static synchronized Result run(String... arguments) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = System.out;
        PrintStream err = System.err;
        PrintStream both = new PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            CommandLine command = SparkifyLake.commandLine();
            command.setOut(new PrintWriter(both, true));
            command.setErr(new PrintWriter(both, true));
            int code = command.execute(arguments);
            return new Result(code, printed.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
