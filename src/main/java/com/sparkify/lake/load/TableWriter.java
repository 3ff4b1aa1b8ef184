package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

/** Writes one table as Parquet, Hive-partitioned, and counts its rows on the way. */
public final class TableWriter {

    private TableWriter() {
    }

    /** @return the rows written, counted during the write rather than by a second pass */
    public static long parquet(Dataset<Row> table, String path, List<String> partitions) {
        Observation rows = new Observation("rows");
        Dataset<Row> counted = table.observe(rows, count(lit(1)).as("rows"));
        if (partitions.isEmpty()) {
            // Dimension tables without partitions are small: one file reads fastest.
            counted.coalesce(1).write().mode("overwrite").parquet(path);
        } else {
            // Rows of one partition value gathered in one task make one file per partition folder,
            // not one per task and folder.
            Column[] by = partitions.stream().map(name -> col(name)).toArray(Column[]::new);
            counted.repartition(by).write().mode("overwrite").partitionBy(partitions.toArray(String[]::new))
                    .parquet(path);
        }
        return rowCount(rows);
    }

    /** Rejected records as JSON lines: a person reads these, with cat or grep. */
    public static long json(Dataset<Row> records, String path) {
        Observation rows = new Observation("rows");
        records.observe(rows, count(lit(1)).as("rows")).coalesce(1).write().mode("overwrite").json(path);
        return rowCount(rows);
    }

    private static long rowCount(Observation rows) {
        try {
            return ((Number) rows.getAsJava().get("rows")).longValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting written rows", e);
        }
    }
}
