package com.sparkify.lake.tables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.support.TestSpark;

class TimeTest {

    private static final StructType START_TIMES = new StructType().add("start_time", DataTypes.TimestampType);

    @Test
    void partsAreUtcWithIsoWeekAndWeekdayWhateverTheMachinesZone() {
        // The test JVM runs at UTC+14 (see the surefire argLine): a zone leak would move every hour and
        // most days below.
        assertNotEquals(0, TimeZone.getDefault().getRawOffset(), "the tests must run in a non-UTC zone");
        Engine.prepare(TestSpark.session(), TestSpark.settings());
        Dataset<Row> plays = TestSpark.session().createDataFrame(List.of(
                RowFactory.create(Instant.parse("2018-11-21T21:56:47.796Z")), // Wednesday, ISO week 47
                RowFactory.create(Instant.parse("2018-11-21T21:56:47.796Z")), // the same instant again
                RowFactory.create(Instant.parse("2018-12-31T23:30:00Z")),     // Monday of ISO week 1 of 2019
                RowFactory.create(Instant.parse("2021-01-03T00:15:00Z"))),    // Sunday of ISO week 53 of 2020
                START_TIMES);

        Dataset<Row> time = Time.from(plays);

        assertEquals(List.of("start_time", "hour", "day", "week", "month", "year", "weekday"), List.of(time.columns()));
        Map<Instant, Row> byTime = time.collectAsList().stream()
                .collect(Collectors.toMap(r -> r.<Instant>getAs("start_time"), r -> r));
        assertEquals(3, byTime.size(), "one row per distinct start_time");
        assertParts(byTime.get(Instant.parse("2018-11-21T21:56:47.796Z")), 21, 21, 47, 11, 2018, 3);
        assertParts(byTime.get(Instant.parse("2018-12-31T23:30:00Z")), 23, 31, 1, 12, 2018, 1);
        assertParts(byTime.get(Instant.parse("2021-01-03T00:15:00Z")), 0, 3, 53, 1, 2021, 7);
    }

    private static void assertParts(Row row, int hour, int day, int week, int month, int year, int weekday) {
        assertEquals(List.of(hour, day, week, month, year, weekday),
                List.of(row.getInt(1), row.getInt(2), row.getInt(3), row.getInt(4), row.getInt(5), row.getInt(6)),
                "hour, day, week, month, year, weekday of " + row.get(0));
    }
}
