package com.sparkify.lake.extract;

import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * One input after extraction.
 *
 * @param input     the input's name, as in the lake's folder layout: {@code song_data} or {@code log_data}
 * @param records   the records that load, typed as in {@link Schemas}, empty strings as null (cached)
 * @param rejected  the records that do not, as {@link RecordParser#REJECTED} rows
 * @param files     input files read
 * @param bytes     what those files add up to
 * @param loaded    how many rows {@code records} holds
 * @param rejectedCount how many rows {@code rejected} holds
 * @param cached    the cached dataset both of the above are read from
 * @param skipped   files in the input's folder that are not input ({@link Inputs#isInputFile}), not read
 */
public record Extracted(String input, Dataset<Row> records, Dataset<Row> rejected,
                        long files, long bytes, long loaded, long rejectedCount, Dataset<Row> cached,
                        List<String> skipped) {

    public Extracted withSkipped(List<String> files) {
        return new Extracted(input, records, rejected, this.files, bytes, loaded, rejectedCount, cached,
                List.copyOf(files));
    }

    public long read() {
        return loaded + rejectedCount;
    }

    public double rejectedFraction() {
        return read() == 0 ? 0.0 : (double) rejectedCount / read();
    }

    /** Frees the cache once every table built from these records is written. */
    public void release() {
        cached.unpersist();
    }
}
