package com.sparkify.lake.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

class JsonValuesTest {

    /** Each row the splitter makes, as "record | problem". */
    private static List<String> split(String content) {
        List<String> rows = new ArrayList<>();
        JsonValues.split(RowFactory.create("f.json", content))
                .forEachRemaining((Row r) -> rows.add(r.getString(1) + " | " + r.getString(2)));
        return rows;
    }

    @Test
    void cutsOneLineSeveralLinesAndPrettyPrintedValues() {
        assertEquals(List.of("{\"a\":1} | null"), split("{\"a\":1}"));
        assertEquals(List.of("{\"a\":1} | null", "{\"a\":2} | null"), split("{\"a\":1}\n{\"a\":2}\n"));
        assertEquals(List.of("{\"a\":1} | null", "{\"a\":2} | null"), split("{\"a\":1}{\"a\":2}"));
        assertEquals(List.of("{\n \"a\": {\"b\": [1, 2]}\n} | null"), split("{\n \"a\": {\"b\": [1, 2]}\n}\n"));
    }

    @Test
    void fallsBackToLinesWhenTheFileIsNotASequenceOfValues() {
        assertEquals(List.of("{\"a\":1} | null", "{\"a\": | null", "{\"a\":3} | null"),
                split("{\"a\":1}\n{\"a\":\n{\"a\":3}"));
    }

    @Test
    void reportsAFileWithNoRecord() {
        assertEquals(List.of("null | " + JsonValues.EMPTY_FILE), split(" \n\t"));
        assertEquals(List.of("null | " + JsonValues.EMPTY_FILE), split(""));
    }
}
