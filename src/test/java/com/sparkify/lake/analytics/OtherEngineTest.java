package com.sparkify.lake.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

/**
 * A Parquet lake is plain files another engine can open without sparkify-lake: DuckDB, through its JDBC
 * driver and its built-in Parquet reader (no extension downloaded), reads every table of the sample's lake,
 * partition columns from the folder names, and gets Spark's rows: the same count and the same checksum of the
 * rows, each row rendered the same way from either engine's values.
 */
class OtherEngineTest {

    /** What docs/command-line.md gives as the DuckDB line, for one table. */
    static String duckdbQuery(String lake, String table) {
        return "SELECT * FROM read_parquet('" + lake + "/" + table + "/**/*.parquet', hive_partitioning = true)";
    }

    @Test
    void duckDbReadsEveryTableOfAParquetLakeAsSparkDoes() throws Exception {
        String lake = SampleLake.get().lake().toString();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
             Statement statement = duck.createStatement()) {
            for (String table : LakeTables.NAMES) {
                List<String> spark = sparkRows(LakeTables.table(TestSpark.session(), lake, table));
                List<String> duckdb = duckRows(statement, duckdbQuery(lake, table));
                assertTrue(spark.size() > 0, table + " has rows in Spark");
                assertEquals(spark.size(), duckdb.size(), table + " row count");
                assertEquals(checksum(spark), checksum(duckdb), table + " rows: first differing "
                        + firstDifference(spark, duckdb));
            }
        }
    }

    private static List<String> sparkRows(Dataset<Row> table) {
        String[] names = table.columns();
        List<String> rows = new ArrayList<>();
        for (Row row : table.collectAsList()) {
            TreeMap<String, String> values = new TreeMap<>();
            for (int i = 0; i < names.length; i++) {
                values.put(names[i], render(row.isNullAt(i) ? null : row.get(i)));
            }
            rows.add(values.toString());
        }
        return rows;
    }

    private static List<String> duckRows(Statement statement, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (ResultSet result = statement.executeQuery(sql)) {
            ResultSetMetaData columns = result.getMetaData();
            while (result.next()) {
                TreeMap<String, String> values = new TreeMap<>();
                for (int i = 1; i <= columns.getColumnCount(); i++) {
                    Object value = result.getObject(i);
                    // The lake's times are UTC instants, which DuckDB gives as a TIMESTAMP without a zone: its
                    // wall clock is UTC's, whatever the JVM's zone (UTC+14 in the tests).
                    values.put(columns.getColumnName(i), render(value instanceof java.sql.Timestamp time
                            ? time.toLocalDateTime().toInstant(java.time.ZoneOffset.UTC) : value));
                }
                rows.add(values.toString());
            }
        }
        return rows;
    }

    /** One spelling per value whichever engine gave it: whole numbers as integers, decimals without trailing
     *  zeros, instants in UTC. */
    private static String render(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        if (value instanceof Float || value instanceof Double || value instanceof BigDecimal) {
            return new BigDecimal(value.toString()).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Number number) {
            return Long.toString(number.longValue());
        }
        return value.toString();
    }

    private static String checksum(List<String> rows) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        rows.stream().sorted().forEach(row -> sha.update((row + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String firstDifference(List<String> spark, List<String> duckdb) {
        List<String> a = spark.stream().sorted().toList();
        List<String> b = duckdb.stream().sorted().toList();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "Spark " + a.get(i) + " / DuckDB " + b.get(i);
            }
        }
        return "none among the first " + Math.min(a.size(), b.size());
    }
}
