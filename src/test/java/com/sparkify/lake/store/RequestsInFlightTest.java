package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.config.LakeConfig;

/** The number of requests kept out at once: the rule that sizes it from the store's answer time, and the bounds. */
class RequestsInFlightTest {

    @Test
    void theRateOf64At20MsIsKeptAtAnyAnswerTimeWithinTheBounds() {
        // 64 out, each answered in 20 ms: 3.2 requests a ms. The same rate at L ms needs 3.2 * L out.
        assertEquals(RequestsInFlight.LEAST, RequestsInFlight.forAnswerTime(0.4));
        assertEquals(64, RequestsInFlight.forAnswerTime(20));
        assertEquals(96, RequestsInFlight.forAnswerTime(30));
        assertEquals(192, RequestsInFlight.forAnswerTime(60));
        assertEquals(RequestsInFlight.MOST, RequestsInFlight.forAnswerTime(80));
        assertEquals(RequestsInFlight.MOST, RequestsInFlight.forAnswerTime(2_000));
    }

    @Test
    void aNumberTheUserFixedIsKeptAndSaidAsTheirs() {
        RequestsInFlight fixed = RequestsInFlight.fixed(16);
        assertEquals(16, fixed.now());
        assertEquals("16 requests in flight (--requests-in-flight)", fixed.describe());
    }

    @Test
    void withoutAStoreOrAnAnswerTheLeastIsUsedAndSaidSo() {
        RequestsInFlight following = RequestsInFlight.following(StoreRequests.of(new Configuration(false), "/tmp/x"));
        assertEquals(RequestsInFlight.LEAST, following.now());
        assertEquals("64 requests in flight (no answer timed yet)", following.describe());
    }

    @Test
    void aFollowingNumberOpensThePoolToTheMostAndStartsTheWritesAtTheLeast() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.none(), null, true, hadoop);
        assertEquals(RequestsInFlight.MOST, hadoop.getInt("fs.s3a.connection.maximum", 0));
        assertEquals(RequestsInFlight.MOST, hadoop.getInt("fs.s3a.threads.max", 0));
        assertEquals(RequestsInFlight.LEAST, hadoop.getInt("fs.s3a.committer.threads", 0));

        S3Settings.apply(LakeConfig.none(), 24, true, hadoop);
        assertEquals(24, hadoop.getInt("fs.s3a.connection.maximum", 0));
        assertEquals(24, hadoop.getInt("fs.s3a.committer.threads", 0));
        assertEquals(24, hadoop.getInt("fs.s3a.threads.max", 0));
    }
}
