package com.sparkify.lake.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import com.sparkify.lake.analytics.SqlStatements;

/**
 * The lines given to the sql shell, typed or piped, turned into what it runs: statements, once their {@code ;}
 * comes, and its own commands, which are whole lines. A line is a command only where a statement would start, so
 * a statement's later lines are never taken for one.
 */
final class ShellInput {

    /** @param line the line of the input where it starts, from 1: what an error in a script names */
    sealed interface Entry {
        int line();
    }

    record Statement(String sql, int line) implements Entry {
    }

    record Command(ShellCommand command, int line) implements Entry {
    }

    private final Collection<String> queries;
    private String pending = "";
    private int pendingLine = 1;
    private int lines;

    /** @param queries the names of the named queries, which a line may hold alone */
    ShellInput(Collection<String> queries) {
        this.queries = queries;
    }

    /** What a line, or several (a statement edited over lines at the prompt), completes. */
    List<Entry> read(String text) {
        List<Entry> entries = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            lines++;
            if (pending.isEmpty()) {
                Optional<ShellCommand> command = ShellCommand.parse(line, queries);
                if (command.isPresent()) {
                    entries.add(new Command(command.get(), lines));
                    continue;
                }
                pendingLine = lines;
            }
            SqlStatements.Cut cut = SqlStatements.cut(pending + line + "\n");
            for (SqlStatements.Statement statement : cut.statements()) {
                entries.add(new Statement(statement.sql(), pendingLine + statement.line() - 1));
            }
            // What follows the last ; is kept only while it is a statement begun: a comment after it is not.
            pendingLine += cut.restLine() - 1;
            pending = cut.open() ? cut.rest() : "";
        }
        return entries;
    }

    /** At the end of the input: a last statement that lacks its {@code ;} runs all the same, as in psql. */
    List<Entry> end() {
        String rest = pending;
        pending = "";
        SqlStatements.Cut cut = SqlStatements.cut(rest + ";");
        List<Entry> entries = new ArrayList<>();
        for (SqlStatements.Statement statement : cut.statements()) {
            entries.add(new Statement(statement.sql(), pendingLine + statement.line() - 1));
        }
        if (entries.isEmpty() && !rest.isBlank() && cut.open()) {
            // A string or a comment never closed swallowed the ;: Spark's parser says where.
            entries.add(new Statement(rest.strip(), pendingLine));
        }
        return entries;
    }

    /** Whether a statement is begun and waits for its {@code ;}: Enter at the prompt then opens another line. */
    boolean continuing() {
        return !pending.isEmpty();
    }
}
