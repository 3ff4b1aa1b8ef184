package com.sparkify.lake.cli;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import com.sparkify.lake.analytics.LakeTables;

/**
 * What the sql shell does with a line that starts a statement and is not SQL: its own commands, after duckdb's
 * dot commands and psql's backslash ones, and a named query typed by its name. A command is the whole line; a
 * {@code ;} after it is allowed, since a hand used to SQL types one.
 */
sealed interface ShellCommand {

    /** The commands and what each does, as {@code .help} prints them and completion offers them. */
    List<String[]> HELP = List.of(
            new String[] {".tables", "the lake's tables, their rows and columns (also \\d)"},
            new String[] {".describe TABLE", "a table's columns and types, its key and partition columns (also \\d TABLE)"},
            new String[] {".queries", "the analytics team's named queries"},
            new String[] {".query NAME", "runs a named query (NAME alone does too)"},
            new String[] {".format table|csv|json", "how answers are printed"},
            new String[] {".limit N", "prints at most N rows of an answer"},
            new String[] {".as-of RUN|TIME|latest", "an Iceberg lake: the tables as a run left them, or as they are"},
            new String[] {".refresh", "reads the lake again, with what runs since the start published"},
            new String[] {".help", "this list (also help, \\?)"},
            new String[] {".quit", "leaves (also .exit, exit, quit, \\q, Ctrl-D)"});

    /** The names completion offers at the start of a line. */
    List<String> NAMES = List.of(".tables", ".describe", ".queries", ".query", ".format", ".limit", ".as-of",
            ".refresh", ".help", ".quit", ".exit", "\\d", "\\q", "\\?", "help", "exit", "quit");

    record Tables() implements ShellCommand {
    }

    record Describe(String table) implements ShellCommand {
    }

    record Queries() implements ShellCommand {
    }

    record Named(String name) implements ShellCommand {
    }

    /** @param format table, csv or json; null to say which is in use */
    record Format(String format) implements ShellCommand {
    }

    /** @param limit null to say which is in use */
    record Limit(Integer limit) implements ShellCommand {
    }

    /** @param asOf a run id or a time; "latest" for the tables as they are; null to say which is read */
    record AsOf(String asOf) implements ShellCommand {
    }

    record Refresh() implements ShellCommand {
    }

    record Help() implements ShellCommand {
    }

    record Quit() implements ShellCommand {
    }

    /** A command typed wrong: the message says what, and what was likely meant. */
    record Invalid(String message) implements ShellCommand {
    }

    /**
     * The command a line that starts a statement holds, or empty when the line is SQL.
     *
     * @param queries the names of the named queries
     */
    static Optional<ShellCommand> parse(String line, Collection<String> queries) {
        String typed = line.strip().replaceFirst("[;\\s]+$", "");
        String lower = typed.toLowerCase(Locale.ROOT);
        if (lower.equals("help")) {
            return Optional.of(new Help());
        }
        if (lower.equals("exit") || lower.equals("quit")) {
            return Optional.of(new Quit());
        }
        if (queries.contains(typed)) {
            return Optional.of(new Named(typed));
        }
        if (!typed.startsWith(".") && !typed.startsWith("\\")) {
            return Optional.empty();
        }
        String[] words = typed.split("\\s+", 2);
        String name = words[0].toLowerCase(Locale.ROOT);
        String argument = words.length > 1 ? words[1].strip() : null;
        return Optional.of(switch (name) {
            case ".tables", "\\dt" -> new Tables();
            case ".describe", "\\d" -> argument == null ? new Tables() : describe(argument);
            case ".queries" -> new Queries();
            case ".query" -> argument == null ? new Queries() : named(argument, queries);
            case ".format" -> argument == null || List.of("table", "csv", "json").contains(argument.toLowerCase(Locale.ROOT))
                    ? new Format(argument == null ? null : argument.toLowerCase(Locale.ROOT))
                    : new Invalid(".format takes table, csv or json, not '" + argument + "'.");
            case ".limit" -> limit(argument);
            case ".as-of" -> new AsOf(argument);
            case ".refresh" -> new Refresh();
            case ".help", "\\?", "\\h" -> new Help();
            case ".quit", ".exit", "\\q" -> new Quit();
            default -> new Invalid("Unknown command '" + words[0] + "'."
                    + SparkifyLake.closest(name, NAMES.stream().filter(n -> n.startsWith(".")).toList())
                            .map(meant -> " Did you mean '" + meant + "'?").orElse("")
                    + " .help lists the commands.");
        });
    }

    private static ShellCommand describe(String table) {
        String name = table.replace("`", "");
        if (LakeTables.NAMES.contains(name)) {
            return new Describe(name);
        }
        return new Invalid(SqlCommand.noSuchTable(name));
    }

    private static ShellCommand named(String name, Collection<String> queries) {
        if (queries.contains(name)) {
            return new Named(name);
        }
        return new Invalid("No query named '" + name + "'."
                + SparkifyLake.closest(name, List.copyOf(queries)).map(meant -> " Did you mean '" + meant + "'?").orElse("")
                + " .queries lists them.");
    }

    private static ShellCommand limit(String argument) {
        if (argument == null) {
            return new Limit(null);
        }
        try {
            int limit = Integer.parseInt(argument);
            if (limit >= 1) {
                return new Limit(limit);
            }
        } catch (NumberFormatException e) {
            // Said below, as a limit of 0 is.
        }
        return new Invalid(".limit takes a whole number of at least 1, not '" + argument + "'.");
    }

    /** The help as printed: one command a line. */
    static String help() {
        StringBuilder text = new StringBuilder("End a statement with ; (it may span lines; a line may hold several).\n");
        for (String[] command : HELP) {
            text.append(String.format(Locale.ROOT, "  %-24s %s%n", command[0], command[1]));
        }
        return text.append("Tables: ").append(String.join(", ", LakeTables.NAMES)).append(". Tab completes names.\n")
                .toString();
    }
}
