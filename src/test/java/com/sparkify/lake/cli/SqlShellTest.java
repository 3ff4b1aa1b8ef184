package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.support.Commands;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/** {@code sql --lake LAKE} with a script on standard input, over the real sample's lake: what a pipe gets. */
class SqlShellTest {

    private static String lake;

    @BeforeAll
    static void theSamplesLake() throws IOException {
        lake = Lakes.localSampleLake().toString();
    }

    private static String answer(String... args) {
        Commands.Result result = Commands.run(args);
        assertEquals(0, result.code(), result.err());
        return result.out();
    }

    /** The text up to where {@code expected} starts, which must be there; {@code rest} then follows it. */
    private static String[] upTo(String text, String expected) {
        int at = text.indexOf(expected);
        assertTrue(at >= 0, "expected\n" + expected + "\nin\n" + text);
        return new String[] {text.substring(0, at), text.substring(at + expected.length())};
    }

    @Test
    void aScriptRunsEveryStatementAndSaysWhichFailed() {
        String top3 = "SELECT user_id, COUNT(*) AS plays\nFROM songplays\nGROUP BY user_id\nORDER BY plays DESC, user_id\n"
                + "LIMIT 3";
        String script = String.join("\n",
                "-- the top three users, over lines",                                          // 1
                top3 + ";",                                                                    // 2-6
                "SELECT no_such_column FROM songplays; SELECT COUNT(*) AS songs FROM songs;",   // 7
                ".tables",                                                                     // 8
                "top-users",                                                                   // 9
                ".format json",                                                                // 10
                ".query level-share",                                                          // 11
                ".format csv",                                                                 // 12
                "DROP TABLE songs;",                                                           // 13
                "SELECT * FROM song_plays;",                                                   // 14
                ".describe songplays",                                                         // 15
                "SELECT 'a;b' AS text -- the last, without its ;");                           // 16
        Commands.Result shell = Commands.runWithInput(script, "sql", "--lake", lake, "--format", "csv");

        assertEquals(1, shell.code(), shell.err());
        String top = answer("sql", "--lake", lake, top3, "--format", "csv");
        assertEquals("user_id,plays\n49,689\n80,665\n97,557\n", top, "the sample's top users");
        String[] rest = upTo(shell.out(), top);
        assertEquals("", rest[0], "answers only on standard output: no banner, no prompt");
        rest = upTo(rest[1], "songs\n71\n");
        assertEquals("", rest[0], "the failed statement printed nothing there");

        String topUsers = answer("query", "top-users", "--lake", lake, "--format", "csv");
        rest = upTo(rest[1], topUsers);
        List<String> tables = rest[0].lines().toList();
        assertEquals("table,rows,columns", tables.get(0));
        assertEquals(List.of("songplays,6820,", "users,", "songs,71,", "artists,69,", "time,6813,"),
                tables.subList(1, 6).stream().map(line -> line.replaceFirst("(^\\w+,(6820,|71,|69,|6813,)?).*", "$1"))
                        .toList(), rest[0]);
        assertTrue(tables.get(1).contains("\"songplay_id, start_time, user_id,"), tables.get(1));

        rest = upTo(rest[1], "\"level\" : \"paid\",\n  \"plays\" : 5591,");
        assertTrue(rest[0].startsWith("[ {") && rest[1].contains("\"plays\" : 1229,"), "level-share in JSON: " + rest[1]);
        rest = upTo(rest[1], "} ]\n");
        rest = upTo(rest[1], "text\na;b\n");
        assertEquals("", rest[1], "the last statement runs without its ;");
        List<String> described = rest[0].lines().toList();
        assertEquals("column,type,role", described.get(0));
        assertTrue(described.contains("songplay_id,string,key") || described.contains("songplay_id,bigint,key"),
                rest[0]);
        assertTrue(described.containsAll(List.of("start_time,timestamp,", "user_id,bigint,", "year,int,partition",
                "month,int,partition")), rest[0]);

        List<String> messages = shell.err().lines().filter(line -> !line.matches("\\(.*\\)|format \\w+")).toList();
        assertEquals(4, messages.size(), "one line per failure, and which failed: " + shell.err());
        assertTrue(messages.get(0).startsWith("line 7: The query failed: [UNRESOLVED_COLUMN"), messages.get(0));
        assertTrue(messages.get(1).startsWith("line 13: sql runs queries"), messages.get(1));
        assertEquals("line 14: " + SqlCommand.noSuchTable("`song_plays`"), messages.get(2));
        assertEquals("sparkify-lake sql: 3 of 12 statements and commands failed, on lines 7, 13, 14.", messages.get(3));
        assertTrue(shell.err().lines().anyMatch(line -> line.matches("\\(3 rows, \\d+\\.\\d\\d s\\)")), shell.err());
    }

    @Test
    void quitEndsAScriptThatThenExitsZero() {
        Commands.Result shell = Commands.runWithInput("SELECT COUNT(*) AS songs FROM songs;\n.limit 1\n"
                + "SELECT * FROM VALUES ('a'), ('b') AS t(letter) ORDER BY letter;\n.quit\nSELECT no_such_column FROM songs;\n",
                "sql", "--lake", lake);
        assertEquals(0, shell.code(), shell.err());
        assertEquals("songs\n-----\n   71\nletter\n------\na\n", shell.out());
        assertTrue(shell.err().contains("(first 1 row; .limit N shows more, "), shell.err());
    }

    @Test
    void completionOffersTheColumnsOfTheLakesSongplays() {
        LakeTables.register(TestSpark.session(), lake);
        ShellCompletion completion = new ShellCompletion(ShellCompletion.columnsOf(TestSpark.session()), List.of());
        String typed = "SELECT sp.se FROM songplays sp";
        assertEquals(List.of("sp.session_id"), completion.candidates(typed, "SELECT sp.se".length()));
        assertTrue(completion.candidates("SELECT u", 8).containsAll(List.of("user_id", "user_agent", "users")));
    }
}
