package com.sparkify.lake.tables;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * A table's rows that a batch may change, as they were and as they are after it, by the table's merge rule:
 * the lake writes the difference (the rows only {@code after} has) and removes the rows only {@code before}
 * has. Rows the same on both sides are left alone.
 */
public record Merge(Dataset<Row> before, Dataset<Row> after) {
}
