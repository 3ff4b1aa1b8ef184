package com.sparkify.lake.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.jline.reader.Candidate;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import com.sparkify.lake.analytics.QueryCatalog;

/** The sql shell at a terminal: JLine's line editing, history and Tab completion around {@link SqlShell}. */
final class ShellTerminal {

    static final String PROMPT = "sparkify> ";
    /** As wide as the prompt, so that a statement's lines line up. */
    static final String CONTINUED = "     ...> ";

    private ShellTerminal() {
    }

    /**
     * Where the history is kept: {@code SPARKIFY_HISTORY} (or the system property {@code sparkify.history}; empty
     * keeps none), else under {@code XDG_STATE_HOME} when it is set, else {@code ~/.sparkify-lake/history}.
     *
     * @return null for no history file
     */
    static Path historyFile(Map<String, String> env, Properties properties) {
        String chosen = properties.getProperty("sparkify.history", env.get("SPARKIFY_HISTORY"));
        if (chosen != null) {
            return chosen.isBlank() ? null : Path.of(chosen);
        }
        String state = env.get("XDG_STATE_HOME");
        if (state != null && !state.isBlank()) {
            return Path.of(state, "sparkify-lake", "history");
        }
        return Path.of(properties.getProperty("user.home"), ".sparkify-lake", "history");
    }

    static int run(SqlShell shell, Path history) {
        // JNI where JLine has a native library for the machine, else stty; never FFM, which Java 17 lacks.
        try (Terminal terminal = TerminalBuilder.builder().name("sparkify-lake").system(true).providers("jni,exec")
                .signalHandler(Terminal.SignalHandler.SIG_IGN).build()) {
            terminal.handle(Terminal.Signal.INT, signal -> shell.cancel());
            List<String> queries = QueryCatalog.all().stream().map(QueryCatalog.Query::name).toList();
            LineReaderBuilder builder = LineReaderBuilder.builder().terminal(terminal).appName("sparkify-lake")
                    .parser(new StatementParser(queries))
                    .completer((reader, line, candidates) -> {
                        for (String offered : shell.completion().candidates(line.line(), line.cursor())) {
                            candidates.add(new Candidate(offered, offered, null, null, null, null, true));
                        }
                    })
                    .variable(LineReader.SECONDARY_PROMPT_PATTERN, CONTINUED)
                    // SQL has ! in != and in strings: no history expansion of it.
                    .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                    .option(LineReader.Option.CASE_INSENSITIVE, true);
            if (history != null && usable(history)) {
                builder.variable(LineReader.HISTORY_FILE, history);
            }
            LineReader reader = builder.build();
            shell.banner(System.err);
            return shell.run(() -> {
                try {
                    return reader.readLine(PROMPT);
                } catch (UserInterruptException e) {
                    return "";
                } catch (EndOfFileException e) {
                    return null;
                }
            }, true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean usable(Path history) {
        try {
            Files.createDirectories(history.toAbsolutePath().getParent());
            return true;
        } catch (IOException e) {
            System.err.println("(no history kept: cannot make the folder of " + history + ": " + e.getMessage() + ")");
            return false;
        }
    }

    /**
     * Enter ends a statement only once its {@code ;} is typed (JLine then shows the continuation prompt and keeps
     * the lines as one entry of the history); a word, for Tab, is what {@link ShellCompletion} takes for one.
     */
    static final class StatementParser implements Parser {

        private final List<String> queries;

        StatementParser(List<String> queries) {
            this.queries = queries;
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE) {
                ShellInput input = new ShellInput(queries);
                input.read(line);
                if (input.continuing()) {
                    throw new EOFError(-1, -1, "a statement ends with ;");
                }
            }
            int start = ShellCompletion.wordStart(line, cursor);
            String word = line.substring(start, cursor);
            // Completing: JLine warns of a ParsedLine that is not one. Candidates are names, never quoted or escaped.
            return new CompletingParsedLine() {
                @Override
                public CharSequence escape(CharSequence candidate, boolean complete) {
                    return candidate;
                }

                @Override
                public int rawWordCursor() {
                    return word.length();
                }

                @Override
                public int rawWordLength() {
                    return word.length();
                }

                @Override
                public String word() {
                    return word;
                }

                @Override
                public int wordCursor() {
                    return word.length();
                }

                @Override
                public int wordIndex() {
                    return 0;
                }

                @Override
                public List<String> words() {
                    return List.of(word);
                }

                @Override
                public String line() {
                    return line;
                }

                @Override
                public int cursor() {
                    return cursor;
                }
            };
        }
    }
}
