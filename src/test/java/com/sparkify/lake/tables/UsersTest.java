package com.sparkify.lake.tables;

import static com.sparkify.lake.support.Fixtures.event;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.extract.Schemas;
import com.sparkify.lake.support.TestSpark;

class UsersTest {

    @Test
    void oneRowPerUserWithTheLatestEventsAttributes() {
        Dataset<Row> events = TestSpark.rows(Schemas.EVENT, List.of(
                event().user("7").level("free").at("2018-11-01T10:00:00Z").item(0).row(),
                // Upgraded later; the latest event is not a play, and it still counts.
                event().user("7").level("paid").page("Submit Upgrade").at("2018-11-02T10:00:00Z").item(1)
                        .set("lastName", "Byron").row(),
                // Same ts as the upgrade but an earlier item in the session: not the latest.
                event().user("7").level("free").at("2018-11-02T10:00:00Z").item(0).row(),
                event().user("8").level("paid").at("2018-11-01T09:00:00Z").set("firstName", "Kaylee")
                        .set("gender", "F").row(),
                // Logged out: no userId (the extract stage has turned "" into null); no user row.
                event().user(null).page("Home").set("firstName", null).row()));

        Dataset<Row> users = Users.from(events);

        assertEquals(List.of("user_id", "first_name", "last_name", "gender", "level"), List.of(users.columns()));
        assertEquals(DataTypes.LongType, users.schema().apply("user_id").dataType());
        Map<Long, Row> byId = users.collectAsList().stream().collect(Collectors.toMap(r -> r.getLong(0), r -> r));
        assertEquals(2, byId.size(), "level changes must not duplicate a user, logged-out events make none");
        assertEquals("paid", byId.get(7L).getAs("level"));
        assertEquals("Byron", byId.get(7L).getAs("last_name"));
        assertEquals("Kaylee", byId.get(8L).getAs("first_name"));
    }

    @Test
    void aBatchLaterThanEverythingGivesItsUsersFromItselfAndNoEarlierOneDoes() {
        Dataset<Row> loaded = TestSpark.rows(Schemas.EVENT, List.of(
                event().user("7").level("free").at("2018-11-01T10:00:00Z").row(),
                event().user("8").level("paid").at("2018-11-01T11:00:00Z").row()));
        Dataset<Row> later = TestSpark.rows(Schemas.EVENT, List.of(
                event().user("7").level("paid").at("2018-11-02T08:00:00Z").row()));
        // The same instant as the lake's latest event: a re-delivery could replace it, so not "later".
        Dataset<Row> tied = TestSpark.rows(Schemas.EVENT, List.of(
                event().user("9").level("free").at("2018-11-01T11:00:00Z").row()));
        assertEquals(true, Users.laterThanAll(later, loaded));
        assertEquals(false, Users.laterThanAll(tied, loaded));
        assertEquals(true, Users.laterThanAll(later, loaded.limit(0)), "an empty lake has nothing later");

        // The lake's users named by the batch, and from the batch alone the same rows as from all events.
        Dataset<Row> named = Users.named(Users.from(loaded), later);
        assertEquals(List.of(7L), named.collectAsList().stream().map(r -> r.getLong(0)).toList());
        assertEquals(Users.from(loaded.unionByName(later)).where("user_id = 7").collectAsList(),
                Users.from(later).collectAsList());
    }
}
