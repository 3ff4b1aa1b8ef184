package com.sparkify.lake.extract;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Turns raw JSON texts into typed records and sorts out the ones that cannot load (SPEC rule 6), keeping each
 * of those with its file and the reason. Every input record ends up in exactly one of the two.
 */
public final class RecordParser {

    /** A record that cannot load: which input, which file, why, and the text as it was. */
    public static final StructType REJECTED = new StructType()
            .add("input", DataTypes.StringType)
            .add("file", DataTypes.StringType)
            .add("reason", DataTypes.StringType)
            .add("record", DataTypes.StringType);

    public static final String NOT_JSON = "not a valid JSON object";

    private static final String CORRUPT = "_corrupt_record";

    /** A check beyond the schema: records for which {@code fails} is true are rejected with {@code reason}. */
    public record Rule(Column fails, String reason) {
    }

    public static Rule required(String field) {
        return new Rule(col(field).isNull(), "required field '" + field + "' is missing or empty");
    }

    private RecordParser() {
    }

    /**
     * @param raw        rows of {@link JsonValues#RAW}: the file, one record's JSON text, or a problem found
     *                   before parsing
     * @param inputFiles every file the input holds, so that a file yielding no row at all is still reported
     * @param bytes      what those files add up to
     */
    public static Extracted classify(SparkSession spark, String input, Dataset<Row> raw, StructType schema,
                                     List<Rule> rules, String[] inputFiles, long bytes) {
        Map<String, String> options = new HashMap<>();
        options.put("mode", "PERMISSIVE");
        options.put("columnNameOfCorruptRecord", CORRUPT);

        Dataset<Row> parsed = raw.select(col("file"), col("record"), col("problem"),
                from_json(col("record"), schema.add(CORRUPT, DataTypes.StringType), options).as("strict"));

        List<Column> fields = new ArrayList<>();
        for (StructField field : schema.fields()) {
            Column value = col("strict." + field.name());
            // SPEC: strings that are empty in the source are null in the lake.
            fields.add(field.dataType() instanceof StringType
                    ? when(value.equalTo(""), lit(null).cast(DataTypes.StringType)).otherwise(value).as(field.name())
                    : value.as(field.name()));
        }
        List<Column> typed = new ArrayList<>(List.of(col("file"), col("record"), col("problem"),
                col("strict"), col("strict." + CORRUPT).as(CORRUPT)));
        typed.addAll(fields);

        List<Column> reasons = new ArrayList<>();
        reasons.add(col("problem"));
        reasons.add(when(col(CORRUPT).isNotNull(), typeProblem(schema, options)));
        for (Rule rule : rules) {
            reasons.add(when(rule.fails(), lit(rule.reason())));
        }
        Column reason = coalesce(reasons.toArray(Column[]::new));

        List<Column> kept = new ArrayList<>(List.of(col("file"), col("reason"),
                when(col("reason").isNotNull(), col("record")).as("record")));
        for (StructField field : schema.fields()) {
            kept.add(col(field.name()));
        }
        Dataset<Row> classified = parsed.select(typed.toArray(Column[]::new))
                .withColumn("reason", reason)
                .select(kept.toArray(Column[]::new))
                .persist(StorageLevel.MEMORY_AND_DISK());

        // One pass over the cached rows gives every count and the files that yielded anything.
        List<Row> perFile = classified.groupBy("file")
                .agg(count(when(col("reason").isNull(), lit(1))).as("loaded"), count(col("reason")).as("rejected"))
                .collectAsList();
        long loaded = 0;
        long rejected = 0;
        Set<String> seen = new HashSet<>();
        for (Row row : perFile) {
            seen.add(normalise(row.getString(0)));
            loaded += row.getLong(1);
            rejected += row.getLong(2);
        }
        List<Row> silentFiles = new ArrayList<>();
        for (String file : inputFiles) {
            if (!seen.contains(normalise(file))) {
                silentFiles.add(RowFactory.create(input, file, JsonValues.EMPTY_FILE, null));
            }
        }

        Dataset<Row> records = classified.where(col("reason").isNull()).select(fieldNames(schema));
        Dataset<Row> rejectedRows = classified.where(col("reason").isNotNull())
                .select(lit(input).as("input"), col("file"), col("reason"), col("record"))
                .unionByName(spark.createDataFrame(silentFiles, REJECTED));
        return new Extracted(input, records, rejectedRows, inputFiles.length, bytes, loaded,
                rejected + silentFiles.size(), classified, List.of());
    }

    /** Why a record the schema could not take is bad: not JSON at all, or which fields have the wrong type. */
    private static Column typeProblem(StructType schema, Map<String, String> options) {
        Column lenient = from_json(col("record"), Schemas.lenient(schema).add(CORRUPT, DataTypes.StringType), options);
        List<Column> wrong = new ArrayList<>();
        for (StructField field : schema.fields()) {
            wrong.add(when(col("strict." + field.name()).isNull().and(lenient.getField(field.name()).isNotNull()),
                    lit("'" + field.name() + "' is not " + field.dataType().simpleString())));
        }
        Column wrongFields = concat_ws(", ", wrong.toArray(Column[]::new));
        return when(lenient.getField(CORRUPT).isNotNull().or(wrongFields.equalTo("")), lit(NOT_JSON))
                .otherwise(concat(lit("wrong type: "), wrongFields));
    }

    private static Column[] fieldNames(StructType schema) {
        return java.util.Arrays.stream(schema.fieldNames()).map(name -> col(name)).toArray(Column[]::new);
    }

    /** Spark spells the same file {@code file:/x} in one place and {@code file:///x} in another. */
    private static String normalise(String file) {
        java.net.URI uri = new Path(file).toUri();
        return uri.getScheme() + "://" + (uri.getAuthority() == null ? "" : uri.getAuthority()) + uri.getPath();
    }
}
