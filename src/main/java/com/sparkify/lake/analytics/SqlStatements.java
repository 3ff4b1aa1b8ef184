package com.sparkify.lake.analytics;

import java.util.ArrayList;
import java.util.List;

/**
 * Spark SQL text cut into statements at each {@code ;} that is code: a {@code ;} inside a string, a quoted name or
 * a comment does not end a statement. Spark's own parser takes one statement at a time, so a script or a line
 * typed with several has to be cut before Spark sees it.
 *
 * <p>Spark's lexer is followed where it matters for cutting: strings in single or double quotes with backslash
 * escapes, names in backquotes, {@code --} comments to the end of the line, and {@code /* *}{@code /} comments,
 * which Spark lets nest.
 */
public final class SqlStatements {

    /** @param line the line of the text on which the statement's code starts, from 1 */
    public record Statement(String sql, int line) {
    }

    /**
     * @param statements the statements the text ends with a {@code ;}, from their first code to before the
     *                   {@code ;}: the comments ahead of a statement are not part of it, and a statement of
     *                   comments alone is none (Spark's parser refuses an empty statement)
     * @param rest       what follows the last {@code ;}
     * @param open       whether the rest still needs a {@code ;}: it holds code, or a string or comment that
     *                   does not end in the text
     * @param restLine   the line of the text on which the rest starts
     */
    public record Cut(List<Statement> statements, String rest, boolean open, int restLine) {
    }

    private SqlStatements() {
    }

    public static Cut cut(String text) {
        List<Statement> statements = new ArrayList<>();
        int start = 0;
        int startLine = 1;
        int line = 1;
        boolean code = false;
        int codeStart = 0;
        int codeLine = 1;
        char quote = 0;
        int comments = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
            if (c == '\n') {
                line++;
            }
            if (quote != 0) {
                if (c == '\\' && quote != '`' && next != 0) {
                    i++;
                    line += next == '\n' ? 1 : 0;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (comments > 0) {
                if (c == '/' && next == '*') {
                    comments++;
                    i++;
                } else if (c == '*' && next == '/') {
                    comments--;
                    i++;
                }
            } else if (c == '-' && next == '-') {
                int end = text.indexOf('\n', i);
                // The newline itself is left to the loop, which counts it.
                i = end < 0 ? text.length() : end - 1;
            } else if (c == '/' && next == '*') {
                comments = 1;
                i++;
            } else if (c == ';') {
                if (code) {
                    statements.add(new Statement(text.substring(codeStart, i).strip(), codeLine));
                }
                start = i + 1;
                startLine = line;
                code = false;
            } else if (!Character.isWhitespace(c)) {
                if (!code) {
                    code = true;
                    codeStart = i;
                    codeLine = line;
                }
                if (c == '\'' || c == '"' || c == '`') {
                    quote = c;
                }
            }
        }
        return new Cut(statements, text.substring(start), code || quote != 0 || comments > 0, startLine);
    }
}
