package com.sparkify.lake.tables;

import static com.sparkify.lake.support.Fixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.joins.BroadcastHashJoinExec;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.support.TestSpark;

class EventsTest {

    private static Dataset<Row> deliveredTwice() {
        Row play = event().user("3").session(9).item(4).at("2018-11-05T08:00:00Z").play("A", "B", 1.0).row();
        Row sameEventOtherLevel = event().user("3").session(9).item(4).at("2018-11-05T08:00:00Z")
                .play("A", "B", 1.0).level("paid").row();
        Row nextItem = event().user("3").session(9).item(5).at("2018-11-05T08:00:00Z").play("A", "B", 1.0).row();
        Row loggedOut = event().user(null).session(9).item(6).at("2018-11-05T08:00:00Z").page("Home").row();
        return TestSpark.rows(Schemas.EVENT, List.of(play, play, sameEventOtherLevel, nextItem, loggedOut, loggedOut));
    }

    @Test
    void theSameEventDeliveredTwiceCountsOnceAndTheKeptCopyIsChosenTheSameWayEveryTime() {
        Dataset<Row> distinct = Events.distinct(deliveredTwice());

        assertEquals(List.of(Schemas.EVENT.fieldNames()), List.of(distinct.columns()), "columns keep their order");
        assertEquals(3, distinct.count());
        // Of the two differing copies of (3, 9, 4, ts), the smaller record ("free" < "paid") is kept.
        assertEquals(List.of("free"), distinct.where("itemInSession = 4").select("level")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertEquals(2, Events.plays(distinct).count());
    }

    @Test
    void repeatedKeysCountedFirstAreBroadcastAndGiveTheSameEvents() {
        Dataset<Row> events = deliveredTwice();
        Dataset<Row> repeated = Events.repeatedKeys(events).persist();
        try {
            assertEquals(2, repeated.count(), "(3, 9, 4, ts) and the logged-out (null, 9, 6, ts)");
            Dataset<Row> distinct = Events.distinct(events, repeated);

            // Counted and cached, the keys' size is known, and Spark joins the events to them without a shuffle.
            assertTrue(distinct.queryExecution().sparkPlan().find(node -> node instanceof BroadcastHashJoinExec)
                    .isDefined(), "the repeated keys are broadcast");
            assertEquals(new HashSet<>(Events.distinct(events).collectAsList()),
                    new HashSet<>(distinct.collectAsList()));
            assertEquals(3, distinct.count());
        } finally {
            repeated.unpersist();
        }
    }
}
