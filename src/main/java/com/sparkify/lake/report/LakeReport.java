package com.sparkify.lake.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.History;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.extract.RecordParser;
import com.sparkify.lake.load.IcebergTables;
import com.sparkify.lake.load.Lake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.quality.Checks;

/**
 * Everything the report shows about a lake, worked out in one Spark session: the answers to the analytics
 * questions, the run that built the lake (its summary), the records its runs rejected, the data-quality checks
 * run now, and an Iceberg lake's history.
 *
 * @param rows       rows per table as the lake's builder recorded them
 * @param rejections rejected records per input and reason, most first
 * @param history    the runs an Iceberg lake remembers, oldest first; empty for a Parquet lake
 */
public record LakeReport(String lake, boolean iceberg, Instant made, List<Answer> answers, Optional<RunSummary> run,
                         Map<String, Long> rows, List<Rejections> rejections, List<Checks.Result> checks,
                         List<History.Run> history) {

    public record Rejections(String input, String reason, long records) {
    }

    public static LakeReport of(SparkSession spark, String lake, LakeConfig config) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String root = LakeCatalog.qualified(lake, hadoop);
        LakeTables.registerKept(spark, lake, config, null);
        boolean iceberg = LakeCatalog.isIceberg(root, hadoop);
        List<Answer> answers = answers(spark);
        Map<String, Long> rows = LakeTables.rowsAsBuilt(spark, lake, config);
        // The checks read the views registered above: a table kept in memory for the answers is not read again
        // from its files (the M lake's songs table: 15,000 of them).
        List<Checks.Result> checks = new Checks(spark::table).run(rows);
        Optional<LakeCatalog> catalog = iceberg ? Optional.of(LakeCatalog.open(spark, root, config, false))
                : Optional.empty();
        return new LakeReport(root, iceberg, Instant.now(), answers, RunSummary.readFrom(lake, hadoop), rows,
                rejections(spark, root, catalog), checks, catalog.map(History::runs).orElse(List.of()));
    }

    /** The answers to the questions the report draws, over the tables registered as views in {@code spark}. */
    static List<Answer> answers(SparkSession spark) {
        List<Answer> answers = new ArrayList<>();
        for (Questions.Question question : Questions.LIST) {
            answers.add(answer(spark, QueryCatalog.named(question.query()), question.rows()));
        }
        return answers;
    }

    private static Answer answer(SparkSession spark, QueryCatalog.Query query, int kept) {
        Dataset<Row> result = spark.sql(query.sql());
        List<Row> collected = result.limit(kept + 1).collectAsList();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Row row : collected.subList(0, Math.min(kept, collected.size()))) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (String column : result.columns()) {
                values.put(column, plain(row.getAs(column)));
            }
            rows.add(values);
        }
        return new Answer(query, List.of(result.columns()), rows, collected.size() > kept);
    }

    /** A value as the page shows it: a date as its ISO text, a number or text as itself. */
    private static Object plain(Object value) {
        if (value instanceof java.sql.Date date) {
            return date.toLocalDate().toString();
        }
        if (value instanceof LocalDate date) {
            return date.toString();
        }
        return value;
    }

    /** Rejected records per input and reason: from an Iceberg lake's record of them, or a Parquet lake's folder. */
    private static List<Rejections> rejections(SparkSession spark, String root, Optional<LakeCatalog> catalog) {
        Dataset<Row> rejected;
        if (catalog.isPresent()) {
            if (!catalog.get().has(IcebergTables.REJECTED)) {
                return List.of();
            }
            rejected = spark.table(catalog.get().sparkName(IcebergTables.REJECTED));
        } else {
            Path folder = new Path(root, Lake.REJECTED);
            try {
                if (!folder.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(folder)) {
                    return List.of(); // a run that rejected nothing writes no folder
                }
            } catch (IOException e) {
                throw new LakeException("Cannot read " + folder + ": " + e.getMessage(), e);
            }
            rejected = spark.read().schema(RecordParser.REJECTED).json(folder.toString());
        }
        List<Rejections> found = new ArrayList<>();
        for (Row row : rejected.groupBy(col("input"), col("reason")).count()
                .orderBy(desc("count"), col("input"), col("reason")).collectAsList()) {
            found.add(new Rejections(row.getString(0), row.getString(1), row.getLong(2)));
        }
        return found;
    }
}
