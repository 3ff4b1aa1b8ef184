package com.sparkify.lake.support;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import com.sparkify.lake.cli.SparkifyLake;

import picocli.CommandLine;

/** The command line run in this JVM, on its Spark session, with what it prints (picocli's streams and
 *  System.out and .err alike) kept: what a user would read. */
public final class Commands {

    public record Result(int code, String out, String err) {
    }

    private Commands() {
    }

    public static Result run(String... args) {
        return runWithInput(null, args);
    }

    /** @param input what standard input gives, as a file or a pipe would; null leaves System.in as it is */
    public static synchronized Result runWithInput(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream systemOut = System.out;
        PrintStream systemErr = System.err;
        PrintStream toOut = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream toErr = new PrintStream(err, true, StandardCharsets.UTF_8);
        java.io.InputStream systemIn = System.in;
        System.setOut(toOut);
        System.setErr(toErr);
        if (input != null) {
            System.setIn(new java.io.ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        }
        try {
            CommandLine command = SparkifyLake.commandLine();
            command.setOut(new PrintWriter(toOut, true));
            command.setErr(new PrintWriter(toErr, true));
            int code = command.execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(systemOut);
            System.setErr(systemErr);
            System.setIn(systemIn);
        }
    }
}
