package com.sparkify.lake.extract;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Cuts a whole song file into the JSON texts of its records. A song file may hold one object on one line,
 * several objects one per line, or one object pretty-printed over many lines: reading it as a sequence of
 * top-level JSON values covers all three, where Spark's line mode misses the third and its multiLine mode
 * keeps only the first record of the second.
 */
public final class JsonValues {

    /** file, record (one top-level JSON text), problem (why the file yields no record, else null). */
    public static final StructType RAW = new StructType()
            .add("file", DataTypes.StringType)
            .add("record", DataTypes.StringType)
            .add("problem", DataTypes.StringType);

    public static final String EMPTY_FILE = "empty file: it holds no record";

    public static final String GLUED = "more than one JSON value on one line (a newline lost between records?): "
            + "the line is rejected whole";

    private static final JsonFactory JSON = new JsonFactory();

    private JsonValues() {
    }

    /** One row per record of a file; a file that is not a clean sequence of JSON values falls back to one
     *  row per non-blank line, so that good lines still load and each bad line is rejected on its own. */
    public static Iterator<Row> split(Row file) {
        String path = file.getString(0);
        String content = file.isNullAt(1) ? "" : file.getString(1);
        List<String> records;
        try {
            records = values(content);
        } catch (IOException notASequenceOfValues) {
            records = lines(content);
        }
        List<Row> rows = new ArrayList<>(records.size());
        for (String record : records) {
            rows.add(RowFactory.create(path, record, null));
        }
        if (rows.isEmpty()) {
            rows.add(RowFactory.create(path, null, EMPTY_FILE));
        }
        return rows.iterator();
    }

    static List<String> values(String content) throws IOException {
        List<String> values = new ArrayList<>(1);
        try (JsonParser parser = JSON.createParser(content)) {
            while (parser.nextToken() != null) {
                int start = (int) parser.currentTokenLocation().getCharOffset();
                if (parser.currentToken() == JsonToken.START_OBJECT || parser.currentToken() == JsonToken.START_ARRAY) {
                    parser.skipChildren();
                }
                int end = (int) parser.currentLocation().getCharOffset();
                values.add(content.substring(start, end));
            }
        }
        return values;
    }

    /**
     * Why a line that should hold one record holds more: {@link #GLUED} when a JSON value is followed by more
     * text on the line, else null (one value, or text that is not JSON at all, which the parser rejects). Spark's
     * JSON reader parses the first value of such a line and drops the rest without a word.
     */
    public static String glued(String line) {
        if (line == null) {
            return null;
        }
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() == null) {
                return null;
            }
            parser.skipChildren();
            return parser.nextToken() != null ? GLUED : null;
        } catch (IOException notJson) {
            // Text after the first value that is not JSON either: still more than one record's worth.
            return notJson.getMessage() != null && firstValueEnds(line) ? GLUED : null;
        }
    }

    /** Whether the line's first JSON value parses whole (so an error came after it). */
    private static boolean firstValueEnds(String line) {
        try (JsonParser parser = JSON.createParser(line)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static List<String> lines(String content) {
        List<String> lines = new ArrayList<>();
        for (String line : content.split("\\R")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        return lines;
    }
}
