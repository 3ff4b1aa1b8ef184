package com.sparkify.lake.load;

import java.util.function.Function;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How the checks see a run's new tables before they are published.
 *
 * @param tables  each table as the run wrote it, by name
 * @param changes what the run changed in each table, by name; null to check the whole tables
 */
public record CheckScope(Function<String, Dataset<Row>> tables, Function<String, IcebergTables.Changed> changes) {

    public boolean whole() {
        return changes == null;
    }
}
