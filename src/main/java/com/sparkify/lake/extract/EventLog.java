package com.sparkify.lake.extract;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Reads {@code <input>/log_data}: the app's events, newline-delimited JSON, one file per day. */
public final class EventLog {

    public static final String FOLDER = "log_data";

    private EventLog() {
    }

    public static Extracted read(SparkSession spark, String logData) {
        // Spark lists the folder as it reads it; the files that are not input are found in that listing, not
        // in one of our own (another round trip per thousand files on a store).
        Dataset<Row> lines = spark.read().option("recursiveFileLookup", "true").text(logData);
        String[] all = lines.inputFiles();
        String[] files = Arrays.stream(all).filter(Inputs::isInputFile).toArray(String[]::new);
        if (files.length == all.length) {
            return read(spark, lines, files);
        }
        Dataset<Row> input = lines.where(lower(col("_metadata.file_path")).endsWith(".json"));
        return read(spark, input, files).withSkipped(Arrays.stream(all).filter(file -> !Inputs.isInputFile(file))
                .toList());
    }

    /** Reads the given log files (an incremental load's new ones), input files all ({@link Inputs#select}). */
    public static Extracted read(SparkSession spark, List<WholeFiles.Found> files) {
        if (files.isEmpty()) {
            Dataset<Row> none = spark.createDataFrame(List.of(), new StructType().add("file", DataTypes.StringType)
                    .add("record", DataTypes.StringType).add("problem", DataTypes.StringType));
            return RecordParser.classify(spark, FOLDER, none, Schemas.EVENT, rules(), new String[0], 0);
        }
        Dataset<Row> lines = spark.read().text(files.stream().map(WholeFiles.Found::path).toArray(String[]::new));
        return read(spark, lines, lines.inputFiles());
    }

    private static Extracted read(SparkSession spark, Dataset<Row> lines, String[] files) {
        Dataset<Row> records = lines
                .where(trim(col("value")).notEqual(""))
                .select(col("_metadata.file_path").as("file"), col("value").as("record"),
                        // Only a line with text after a closing brace can hold two records: the exact check
                        // (a JSON parse) runs on those few, not on every line.
                        when(col("value").rlike("\\}\\s*\\S"), GLUED.apply(col("value")))
                                .otherwise(lit(null).cast(DataTypes.StringType)).as("problem"));
        return RecordParser.classify(spark, FOLDER, records, Schemas.EVENT, rules(), files,
                Inputs.bytes(lines));
    }

    private static final org.apache.spark.sql.expressions.UserDefinedFunction GLUED = org.apache.spark.sql.functions
            .udf((org.apache.spark.sql.api.java.UDF1<String, String>) JsonValues::glued, DataTypes.StringType);

    static List<RecordParser.Rule> rules() {
        List<RecordParser.Rule> rules = new ArrayList<>();
        Schemas.EVENT_REQUIRED.forEach(field -> rules.add(RecordParser.required(field)));
        // user_id is a long in the lake: a userId that is not a whole number would have to be dropped or
        // invented, so the event is rejected instead.
        rules.add(new RecordParser.Rule(
                col("userId").isNotNull().and(col("userId").try_cast(DataTypes.LongType).isNull()),
                "'userId' is not a whole number"));
        return rules;
    }
}
