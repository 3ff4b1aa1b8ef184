package com.sparkify.lake.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.TestSpark;

class EventLogTest {

    static final String GOOD = "{\"artist\":null,\"auth\":\"Logged In\",\"firstName\":\"Walter\",\"gender\":\"M\","
            + "\"itemInSession\":0,\"lastName\":\"Frye\",\"length\":null,\"level\":\"free\",\"location\":\"San "
            + "Francisco-Oakland-Hayward, CA\",\"method\":\"GET\",\"page\":\"Home\",\"registration\":1540919166796.0,"
            + "\"sessionId\":38,\"song\":null,\"status\":200,\"ts\":1541105830796,\"userAgent\":\"\\\"Mozilla\\/5.0 "
            + "(Macintosh)\\\"\",\"userId\":\"39\"}";

    @TempDir
    Path input;

    @Test
    void loadsGoodLinesAndQuarantinesEachBadOneWithItsReason() throws IOException {
        String loggedOut = GOOD.replace("\"userId\":\"39\"", "\"userId\":\"\"").replace("\"ts\":1541105830796",
                "\"ts\":1541105830797").replace("\"firstName\":\"Walter\"", "\"firstName\":\"\"");
        String noTs = GOOD.replace("\"ts\":1541105830796,", "");
        String textTs = GOOD.replace("\"ts\":1541105830796", "\"ts\":\"yesterday\"");
        String noPage = GOOD.replace("\"page\":\"Home\",", "\"page\":\"\",");
        String oddUser = GOOD.replace("\"userId\":\"39\"", "\"userId\":\"guest-1\"");
        String truncated = GOOD.substring(0, 40);
        Path day = input.resolve("log_data/2018/11/2018-11-01-events.json");
        Files.createDirectories(day.getParent());
        Files.writeString(day, String.join("\n", GOOD, "", loggedOut, noTs, textTs, noPage, oddUser, truncated));
        Files.writeString(day.resolveSibling("2018-11-02-events.json"), "");

        Extracted events = EventLog.read(TestSpark.session(), input.resolve("log_data").toString());
        try {
            List<Row> loaded = events.records().orderBy("ts").collectAsList();
            assertEquals(2, loaded.size());
            assertEquals("\"Mozilla/5.0 (Macintosh)\"", loaded.get(0).getAs("userAgent"),
                    "escapes are decoded, the literal quotes kept");
            assertEquals(38L, (long) loaded.get(0).getAs("sessionId"));
            assertNull(loaded.get(1).getAs("userId"), "a logged-out event's empty userId is null");
            assertNull(loaded.get(1).getAs("firstName"));

            Map<String, String> reasons = events.rejected().collectAsList().stream()
                    .collect(Collectors.toMap(r -> String.valueOf(r.<String>getAs("record")), r -> r.getAs("reason")));
            assertEquals(Map.of(
                    noTs, "required field 'ts' is missing or empty",
                    textTs, "wrong type: 'ts' is not bigint",
                    noPage, "required field 'page' is missing or empty",
                    oddUser, "'userId' is not a whole number",
                    truncated, RecordParser.NOT_JSON,
                    "null", JsonValues.EMPTY_FILE), reasons);
            assertEquals(2, events.files());
            assertEquals(8, events.read(), "seven non-blank lines and one empty file");
        } finally {
            events.release();
        }
    }
    @Test
    void aLineHoldingMoreThanOneRecordIsRejectedWholeNotHalfLoaded() throws IOException {
        String second = GOOD.replace("\"ts\":1541105830796", "\"ts\":1541105830799");
        String glued = GOOD + second;
        String gluedWithSpace = GOOD + "  " + second.replace("\"ts\":1541105830799", "\"ts\":1541105830800");
        String trailingText = GOOD.replace("\"ts\":1541105830796", "\"ts\":1541105830801") + " and more";
        // A brace inside a string is no second record.
        String braceInText = GOOD.replace("\"ts\":1541105830796", "\"ts\":1541105830802")
                .replace("\"page\":\"Home\"", "\"page\":\"Home} {x\"");
        Path day = input.resolve("glued/log_data/2018/11/2018-11-01-events.json");
        Files.createDirectories(day.getParent());
        Files.writeString(day, String.join("\n", GOOD, glued, gluedWithSpace, trailingText, braceInText));

        Extracted events = EventLog.read(TestSpark.session(), input.resolve("glued/log_data").toString());
        try {
            assertEquals(List.of(1541105830796L, 1541105830802L), events.records().orderBy("ts").collectAsList()
                    .stream().map(row -> row.<Long>getAs("ts")).toList());
            Map<String, String> reasons = events.rejected().collectAsList().stream()
                    .collect(Collectors.toMap(r -> String.valueOf(r.<String>getAs("record")), r -> r.getAs("reason")));
            assertEquals(Map.of(glued, JsonValues.GLUED, gluedWithSpace, JsonValues.GLUED, trailingText,
                    JsonValues.GLUED), reasons);
            assertEquals(5, events.read());
            assertEquals(3, events.rejectedCount());
        } finally {
            events.release();
        }
    }
}
