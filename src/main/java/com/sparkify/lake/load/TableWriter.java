package com.sparkify.lake.load;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

import com.sparkify.lake.config.Settings;

/** Writes one table as Parquet, Hive-partitioned, and counts its rows on the way. */
public final class TableWriter {

    /**
     * Parquet's writer allocates its buffers up front, per file: a page buffer of the page size (1 MiB by
     * default) and, per column page, a compression buffer of io.file.buffer.size (Spark sets 64 KiB). Writing
     * 15,000 one-row song files allocated 18.8 GB in all, 5.5 GB with these sizes; the write's time did not
     * measurably change, but the garbage collector has less to do. Buffers grow when a page needs more, and
     * 20,000 rows per page (Parquet's row limit) of the lake's widest column fit in 128 KiB.
     */
    private static final Map<String, String> SMALL_BUFFERS = Map.of(
            "parquet.page.size", String.valueOf(128 * 1024),
            "io.file.buffer.size", String.valueOf(8 * 1024));

    private TableWriter() {
    }

    /**
     * @param filesPerPartition how many tasks write each partition folder (or, for a table without
     *                          partitions, the whole table); at most that many files each, before
     *                          {@code spark.sql.files.maxRecordsPerFile} splits a big one
     * @return the rows written, counted during the write rather than by a second pass
     */
    public static long parquet(Dataset<Row> table, String path, List<String> partitions, int filesPerPartition) {
        Observation rows = new Observation("rows");
        if (partitions.isEmpty()) {
            // Dimension tables without partitions are small: one file reads fastest, a few on big inputs.
            table.coalesce(filesPerPartition).observe(rows, count(lit(1)).as("rows")).write().mode("overwrite")
                    .options(SMALL_BUFFERS).parquet(path);
        } else {
            // Rows of one partition value gathered in one task make one file per partition folder, not one per
            // task and folder. On a big input a folder is spread over a few tasks by a hash of the row itself:
            // a re-run task sends every row where the first attempt did, so a retry after a lost executor
            // cannot move a row into another file and write it twice or not at all.
            List<Column> by = new ArrayList<>(partitions.stream().map(name -> col(name)).toList());
            if (filesPerPartition > 1) {
                by.add(pmod(xxhash64(Arrays.stream(table.columns()).map(name -> col(name)).toArray(Column[]::new)),
                        lit(filesPerPartition)));
            }
            // As many writing tasks as shuffle partitions, said outright: left to adaptive execution, a small
            // table of many folders (15,000 songs, 13,000 artist folders) is merged into one task, and one core
            // opens and closes every file while the others wait.
            int writers = Integer.parseInt(table.sparkSession().conf().get(Settings.SHUFFLE_PARTITIONS));
            // The count is taken after the shuffle, in the tasks that write: Spark applies a write task's
            // metrics once however often it ran, but applies a map task's again when its stage is re-run
            // after a lost executor, which would count those rows twice.
            table.repartition(writers, by.toArray(Column[]::new)).observe(rows, count(lit(1)).as("rows"))
                    .write().mode("overwrite").options(SMALL_BUFFERS).partitionBy(partitions.toArray(String[]::new))
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
