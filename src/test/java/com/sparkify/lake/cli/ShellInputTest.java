package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.jline.reader.EOFError;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.junit.jupiter.api.Test;

/** The sql shell's reading of its input, its commands and its completion: no terminal, no Spark. */
class ShellInputTest {

    private static final List<String> QUERIES = List.of("top-users", "level-share");

    private static List<ShellInput.Entry> readAll(String... lines) {
        ShellInput input = new ShellInput(QUERIES);
        List<ShellInput.Entry> entries = new ArrayList<>();
        for (String line : lines) {
            entries.addAll(input.read(line));
        }
        entries.addAll(input.end());
        return entries;
    }

    @Test
    void statementsOverLinesSeveralOnALineAndCommandsBetween() {
        List<ShellInput.Entry> entries = readAll(
                "SELECT level,",                                  // 1
                "  COUNT(*) AS plays",                            // 2
                "FROM songplays GROUP BY level;  SELECT 1; SELECT", // 3
                "2;",                                             // 4
                ".tables",                                        // 5
                "top-users;",                                     // 6
                "\\d songs",                                      // 7
                "SELECT 3 -- the last, without its ;");           // 8
        assertEquals(List.of(
                new ShellInput.Statement("SELECT level,\n  COUNT(*) AS plays\nFROM songplays GROUP BY level", 1),
                new ShellInput.Statement("SELECT 1", 3),
                new ShellInput.Statement("SELECT\n2", 3),
                new ShellInput.Command(new ShellCommand.Tables(), 5),
                new ShellInput.Command(new ShellCommand.Named("top-users"), 6),
                new ShellInput.Command(new ShellCommand.Describe("songs"), 7),
                new ShellInput.Statement("SELECT 3 -- the last, without its ;", 8)), entries);
    }

    @Test
    void aLineInsideAStatementIsNeverACommand() {
        ShellInput input = new ShellInput(QUERIES);
        assertEquals(List.of(), input.read("SELECT 1 AS"));
        assertTrue(input.continuing());
        assertEquals(List.of(new ShellInput.Statement("SELECT 1 AS\nhelp", 1)), input.read("help;"));
        assertFalse(input.continuing());
        assertEquals(List.of(new ShellInput.Statement("SELECT 2", 3)),
                input.read("SELECT 2; -- a comment after the ; begins nothing"));
        assertFalse(input.continuing());
        assertEquals(List.of(), input.end(), "the comment is not run");
    }

    @Test
    void theShellsCommandsAndTheirMistakes() {
        assertEquals(Optional.empty(), ShellCommand.parse("SELECT 1", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Quit()), ShellCommand.parse("  exit; ", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Quit()), ShellCommand.parse("\\q", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Help()), ShellCommand.parse(".help", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Tables()), ShellCommand.parse("\\d", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Describe("songplays")), ShellCommand.parse(".describe songplays;", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Named("level-share")), ShellCommand.parse(".query level-share", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Format("csv")), ShellCommand.parse(".format CSV", QUERIES));
        assertEquals(Optional.of(new ShellCommand.Limit(5)), ShellCommand.parse(".limit 5", QUERIES));
        assertEquals(Optional.of(new ShellCommand.AsOf("2026-11-26T17:00:00Z")),
                ShellCommand.parse(".as-of 2026-11-26T17:00:00Z", QUERIES));
        assertEquals(Optional.of(new ShellCommand.AsOf(null)), ShellCommand.parse(".as-of", QUERIES), "says which");

        assertEquals("Unknown command '.tabels'. Did you mean '.tables'? .help lists the commands.",
                invalid(".tabels"));
        assertEquals("No query named 'top-user'. Did you mean 'top-users'? .queries lists them.", invalid(".query top-user"));
        assertEquals("The lake has no table song_plays. Its tables are songplays, users, songs, artists, time.",
                invalid(".describe song_plays"));
        assertEquals(".format takes table, csv or json, not 'xml'.", invalid(".format xml"));
        assertEquals(".limit takes a whole number of at least 1, not '0'.", invalid(".limit 0"));
    }

    private static String invalid(String line) {
        return assertInstanceOf(ShellCommand.Invalid.class, ShellCommand.parse(line, QUERIES).orElseThrow()).message();
    }

    private static final Map<String, List<String>> COLUMNS = Map.of(
            "songplays", List.of("songplay_id", "start_time", "user_id", "level", "song_id", "artist_id", "session_id",
                    "location", "user_agent", "year", "month"),
            "users", List.of("user_id", "first_name", "last_name", "gender", "level"));

    /** @param typed the buffer, with | where the cursor is (at the end without one) */
    private static List<String> complete(String typed) {
        int cursor = typed.contains("|") ? typed.indexOf('|') : typed.length();
        return new ShellCompletion(COLUMNS, QUERIES).candidates(typed.replace("|", ""), cursor);
    }

    @Test
    void completionOffersColumnsTablesKeywordsCommandsAndQueries() {
        assertTrue(complete("SELECT s").containsAll(List.of("session_id", "song_id", "songplays", "sum")),
                complete("SELECT s").toString());
        assertEquals(List.of("sp.session_id"), complete("SELECT sp.ses| FROM songplays sp"));
        assertEquals(List.of("u.first_name"), complete("SELECT u.fi| FROM songplays sp JOIN users AS u"));
        assertEquals(List.of("songplays.user_agent", "songplays.user_id"),
                complete("SELECT songplays.us").stream().sorted().toList());
        assertTrue(complete("SELECT level FROM so").contains("songplays"));
        assertTrue(complete("SELECT * FROM users WHERE first_name LI").contains("LIKE"));
        assertTrue(complete("select * from users where first_name li").contains("like"), "in the case typed");
        List<String> ofUsers = complete("SELECT * FROM users WHERE l");
        assertTrue(ofUsers.containsAll(List.of("last_name", "level")) && !ofUsers.contains("location"),
                "only the columns of the tables named: " + ofUsers);
        assertEquals(List.of(".describe"), complete(".desc"));
        assertEquals(List.of("top-users"), complete("top"));
        assertEquals(List.of("songplays"), complete(".describe song"));
        assertEquals(List.of("level-share"), complete(".query lev"));
        assertEquals(List.of("csv"), complete(".format c"));
    }

    @Test
    void atThePromptEnterWaitsForTheSemicolonAndTabSeesWordsAsTheCompletionDoes() {
        Parser parser = new ShellTerminal.StatementParser(QUERIES);
        assertThrows(EOFError.class, () -> parser.parse("SELECT *\nFROM songs", 19, Parser.ParseContext.ACCEPT_LINE));
        parser.parse("SELECT *\nFROM songs;", 20, Parser.ParseContext.ACCEPT_LINE);
        parser.parse(".tables", 7, Parser.ParseContext.ACCEPT_LINE);
        parser.parse("top-users", 9, Parser.ParseContext.ACCEPT_LINE);
        ParsedLine line = parser.parse("SELECT COUNT(sp.user_", 21, Parser.ParseContext.COMPLETE);
        assertEquals("sp.user_", line.word());
    }

    @Test
    void theHistoryIsKeptWhereTheUserOrXdgSays() {
        Properties home = new Properties();
        home.setProperty("user.home", "/home/ana");
        assertEquals(Path.of("/home/ana/.sparkify-lake/history"), ShellTerminal.historyFile(Map.of(), home));
        assertEquals(Path.of("/state/sparkify-lake/history"),
                ShellTerminal.historyFile(Map.of("XDG_STATE_HOME", "/state"), home));
        assertEquals(Path.of("/tmp/h"), ShellTerminal.historyFile(Map.of("SPARKIFY_HISTORY", "/tmp/h"), home));
        assertNull(ShellTerminal.historyFile(Map.of("SPARKIFY_HISTORY", ""), home), "none kept");
        Properties chosen = new Properties(home);
        chosen.setProperty("sparkify.history", "/tmp/p");
        assertEquals(Path.of("/tmp/p"), ShellTerminal.historyFile(Map.of("SPARKIFY_HISTORY", "/tmp/h"), chosen));
    }
}
