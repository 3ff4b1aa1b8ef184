package com.sparkify.lake.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class SqlStatementsTest {

    private static List<String> sql(SqlStatements.Cut cut) {
        return cut.statements().stream().map(SqlStatements.Statement::sql).toList();
    }

    @Test
    void aSemicolonEndsAStatementOnlyWhereItIsCode() {
        SqlStatements.Cut cut = SqlStatements.cut("SELECT 'a;b', \"c;d\", `e;f` FROM songs; -- not; this\n"
                + "SELECT /* nor; /* this */ here; */ 1;");
        assertEquals(List.of("SELECT 'a;b', \"c;d\", `e;f` FROM songs", "SELECT /* nor; /* this */ here; */ 1"), sql(cut));
        assertEquals(List.of(1, 2), cut.statements().stream().map(SqlStatements.Statement::line).toList());
        assertFalse(cut.open(), "nothing after the last ;");
    }

    @Test
    void anEscapedQuoteStaysInItsString() {
        SqlStatements.Cut cut = SqlStatements.cut("SELECT 'it\\'s; fine' AS a; SELECT 2");
        assertEquals(List.of("SELECT 'it\\'s; fine' AS a"), sql(cut));
        assertEquals(" SELECT 2", cut.rest());
        assertTrue(cut.open(), "a statement begun");
    }

    @Test
    void aStatementOverLinesStartsWhereItsCodeDoes() {
        SqlStatements.Cut cut = SqlStatements.cut("-- the top users\n\nSELECT user_id\nFROM songplays\n;\n;  ;");
        assertEquals(List.of("SELECT user_id\nFROM songplays"), sql(cut), "without the comment ahead of it");
        assertEquals(3, cut.statements().get(0).line(), "the line of SELECT, not of the comment");
        assertEquals(6, cut.restLine());
    }

    @Test
    void onlyCommentsIsNoStatementAndAnOpenStringOrCommentWaits() {
        assertEquals(List.of(), sql(SqlStatements.cut("-- nothing;\n/* at; all */;")));
        assertFalse(SqlStatements.cut("-- nothing yet\n").open());
        assertTrue(SqlStatements.cut("SELECT 'unclosed;\n").open());
        assertTrue(SqlStatements.cut("/* a comment over; lines\n").open());
        assertTrue(SqlStatements.cut("SELECT 1 -- no semicolon yet\n").open());
    }
}
