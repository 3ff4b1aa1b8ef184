package com.sparkify.lake.analytics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** How a query's rows are printed: an aligned table, CSV with a header row, or one JSON array. */
public enum ResultFormat {
    TABLE, CSV, JSON;

    public String render(String[] columns, List<Row> rows) {
        return switch (this) {
            case TABLE -> table(columns, rows);
            case CSV -> csv(columns, rows);
            case JSON -> json(columns, rows);
        };
    }

    /** A value as the answers print it: numbers in plain decimals, null as nothing. */
    public static String plain(Object value) {
        if (value instanceof Double || value instanceof Float) {
            // 0.000147, not Java's 1.47E-4: a share reads, and sorts in a spreadsheet, as the number it is.
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? java.math.BigDecimal.valueOf(number).toPlainString() : value.toString();
        }
        return value == null ? "" : value.toString();
    }

    private static String table(String[] columns, List<Row> rows) {
        int[] widths = new int[columns.length];
        boolean[] numeric = new boolean[columns.length];
        for (int c = 0; c < columns.length; c++) {
            widths[c] = columns[c].length();
            numeric[c] = true;
        }
        for (Row row : rows) {
            for (int c = 0; c < columns.length; c++) {
                widths[c] = Math.max(widths[c], plain(row.get(c)).length());
                numeric[c] &= row.get(c) == null || row.get(c) instanceof Number;
            }
        }
        StringBuilder out = new StringBuilder();
        appendLine(out, columns.length, c -> columns[c], widths, numeric);
        appendLine(out, columns.length, c -> "-".repeat(widths[c]), widths, numeric);
        for (Row row : rows) {
            appendLine(out, columns.length, c -> plain(row.get(c)), widths, numeric);
        }
        return out.toString();
    }

    private static void appendLine(StringBuilder out, int count, java.util.function.IntFunction<String> cell,
                                   int[] widths, boolean[] numeric) {
        List<String> cells = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            String value = cell.apply(c);
            String pad = " ".repeat(widths[c] - value.length());
            cells.add(numeric[c] ? pad + value : value + pad);
        }
        out.append(String.join("  ", cells).stripTrailing()).append('\n');
    }

    private static String csv(String[] columns, List<Row> rows) {
        StringBuilder out = new StringBuilder();
        List<String> header = new ArrayList<>();
        for (String column : columns) {
            header.add(csvField(column));
        }
        out.append(String.join(",", header)).append("\n");
        for (Row row : rows) {
            List<String> fields = new ArrayList<>();
            for (int c = 0; c < columns.length; c++) {
                fields.add(csvField(plain(row.get(c))));
            }
            out.append(String.join(",", fields)).append("\n");
        }
        return out.toString();
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    private static String csvField(String value) {
        boolean quote = value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r");
        return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    private static final ObjectMapper JSON_WRITER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static String json(String[] columns, List<Row> rows) {
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> object = new LinkedHashMap<>();
            for (int c = 0; c < columns.length; c++) {
                object.put(columns[c], row.get(c));
            }
            objects.add(object);
        }
        try {
            return JSON_WRITER.writeValueAsString(objects) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("query rows always serialise", e);
        }
    }
}
