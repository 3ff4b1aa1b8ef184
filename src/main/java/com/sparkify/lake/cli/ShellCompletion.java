package com.sparkify.lake.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.analytics.LakeTables;

/**
 * What Tab offers in the sql shell, worked out from the text before the cursor: the shell's commands and the
 * named queries where a line starts, a table's columns after {@code table.} or {@code alias.}, the columns of the
 * tables a statement names (all tables' when it names none yet), the tables and SQL's keywords.
 */
final class ShellCompletion {

    /** The words of Spark SQL a query over the lake uses most, and the functions its questions call. */
    static final List<String> KEYWORDS = List.of("SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING",
            "LIMIT", "JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN", "INNER JOIN", "ON", "USING", "AS",
            "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE", "RLIKE", "BETWEEN", "EXISTS", "DISTINCT", "CASE",
            "WHEN", "THEN", "ELSE", "END", "WITH", "UNION", "UNION ALL", "INTERSECT", "EXCEPT", "ASC", "DESC", "NULLS",
            "FIRST", "LAST", "OVER", "PARTITION BY", "ROWS", "VALUES", "TABLE", "TRUE", "FALSE", "CAST", "COUNT",
            "SUM", "AVG", "MIN", "MAX", "ROUND", "COALESCE", "DATE", "TIMESTAMP", "DATE_TRUNC", "HOUR", "DAYOFWEEK",
            "ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENTILE", "APPROX_COUNT_DISTINCT");

    /** How a statement may start: sql runs queries only. */
    static final List<String> STARTS = List.of("SELECT", "WITH", "FROM", "VALUES", "TABLE");

    private static final Pattern WORD = Pattern.compile("[\\w.\\\\`-]*$");

    private final Map<String, List<String>> columns;
    private final Collection<String> queries;

    /**
     * @param columns each table's columns, in the order its view has them
     * @param queries the names of the named queries
     */
    ShellCompletion(Map<String, List<String>> columns, Collection<String> queries) {
        this.columns = columns;
        this.queries = queries;
    }

    /** The columns of the views the shell reads: the lake's tables, as registered in this session. */
    static Map<String, List<String>> columnsOf(SparkSession spark) {
        Map<String, List<String>> columns = new LinkedHashMap<>();
        for (String table : LakeTables.NAMES) {
            columns.put(table, List.of(spark.table(table).columns()));
        }
        return columns;
    }

    /** Where the word the cursor is in starts: what a candidate replaces. */
    static int wordStart(String line, int cursor) {
        Matcher word = WORD.matcher(line.substring(0, cursor));
        return word.find() ? word.start() : cursor;
    }

    /**
     * @param buffer all the text typed so far, the statement's earlier lines included (JLine keeps a statement
     *               in one buffer until its ;)
     * @param cursor where the cursor is in it
     */
    List<String> candidates(String buffer, int cursor) {
        String before = buffer.substring(0, cursor);
        int start = wordStart(buffer, cursor);
        String word = before.substring(start);
        String ahead = before.substring(0, start);
        Set<String> offered = new LinkedHashSet<>();
        boolean lineStart = ahead.isBlank();
        String[] typed = ahead.strip().split("\\s+");
        String command = typed[0].toLowerCase(Locale.ROOT);
        if (lineStart) {
            offered.addAll(ShellCommand.NAMES);
            offered.addAll(queries);
            STARTS.forEach(keyword -> offered.add(cased(keyword, word)));
        } else if (typed.length == 1 && (command.startsWith(".") || command.startsWith("\\"))) {
            switch (command) {
                case ".describe", "\\d" -> offered.addAll(columns.keySet());
                case ".query" -> offered.addAll(queries);
                case ".format" -> offered.addAll(List.of("table", "csv", "json"));
                case ".as-of" -> offered.add("latest");
                default -> {
                    // The other commands take nothing to complete.
                }
            }
        } else if (word.contains(".")) {
            String qualifier = word.substring(0, word.lastIndexOf('.'));
            String table = tableOf(qualifier, buffer);
            if (table != null) {
                columns.get(table).forEach(column -> offered.add(qualifier + "." + column));
            }
        } else {
            List<String> named = tablesNamedIn(buffer);
            for (String table : named.isEmpty() ? columns.keySet() : named) {
                offered.addAll(columns.get(table));
            }
            offered.addAll(columns.keySet());
            KEYWORDS.forEach(keyword -> offered.add(cased(keyword, word)));
        }
        List<String> matching = new ArrayList<>();
        for (String candidate : offered) {
            if (candidate.toLowerCase(Locale.ROOT).startsWith(word.toLowerCase(Locale.ROOT))) {
                matching.add(candidate);
            }
        }
        return matching;
    }

    /** A keyword in the case the word is being typed in: select for sel, SELECT for SEL or nothing yet. */
    private static String cased(String keyword, String word) {
        boolean lower = !word.isEmpty() && word.equals(word.toLowerCase(Locale.ROOT));
        return lower ? keyword.toLowerCase(Locale.ROOT) : keyword;
    }

    /** The table a qualifier names: the table itself, or an alias given it in the statement (songplays sp). */
    private String tableOf(String qualifier, String buffer) {
        String name = qualifier.replace("`", "");
        if (columns.containsKey(name)) {
            return name;
        }
        for (String table : columns.keySet()) {
            Matcher alias = Pattern.compile("(?i)\\b" + table + "`?\\s+(?:AS\\s+)?`?(\\w+)").matcher(buffer);
            while (alias.find()) {
                if (alias.group(1).equalsIgnoreCase(name)) {
                    return table;
                }
            }
        }
        return null;
    }

    private List<String> tablesNamedIn(String buffer) {
        List<String> named = new ArrayList<>();
        for (String table : columns.keySet()) {
            if (Pattern.compile("(?i)\\b" + table + "\\b").matcher(buffer).find()) {
                named.add(table);
            }
        }
        return named;
    }
}
