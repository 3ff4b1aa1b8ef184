package com.sparkify.lake.store;

import java.util.Locale;

/**
 * How many requests to the object store a JVM keeps out at once: the reads of input files, the uploads and
 * their completions. The user may fix the number (--requests-in-flight); otherwise it follows the store.
 *
 * <p>Following the store: a JVM with N requests out, each answered in L ms, moves N / L requests a ms (Little's
 * law). The old fixed default, 64, moved about 3 a ms at S3's 20 ms from inside its region: some 3,000 a second,
 * about what S3 serves one prefix before it asks for slower. So the number kept out is what holds that rate at
 * the store's round trip measured so far (the least answer time: see {@link StoreRequests#leastAnswerMillis}),
 * never fewer than 64 (a store nearby) and never more than {@link #MOST}, which bounds the connections and
 * the memory of the reads ahead (one small file each). At 60 ms that is 192, which
 * cut the M set's run through such a store from 176 s to 122 s (bench/RESULTS-s3.md), where 64 left it waiting.
 */
public final class RequestsInFlight {

    /** The least kept out, and the number for a store 20 ms away. */
    public static final int LEAST = 64;
    /** The most kept out: the size of each JVM's connection pool to a bucket when the number follows the store. */
    public static final int MOST = 256;
    private static final double PER_MILLISECOND = LEAST / 20.0;

    private final Integer fixed;
    private final StoreRequests store;
    private volatile int chosen;
    private volatile double answerMillis = Double.NaN;

    private RequestsInFlight(Integer fixed, StoreRequests store) {
        this.fixed = fixed;
        this.store = store;
        this.chosen = fixed != null ? fixed : LEAST;
    }

    /** The number the user gave, whatever the store. */
    public static RequestsInFlight fixed(int count) {
        return new RequestsInFlight(count, null);
    }

    /** A number sized from the answer times of {@code store}'s requests so far, each time it is asked for. */
    public static RequestsInFlight following(StoreRequests store) {
        return new RequestsInFlight(null, store);
    }

    /** What a store whose round trip is {@code millis} ms needs out at once. */
    public static int forAnswerTime(double millis) {
        return (int) Math.max(LEAST, Math.min(MOST, Math.ceil(millis * PER_MILLISECOND)));
    }

    /** The number to use from now on: sized again from every answer timed so far, unless fixed. */
    public int now() {
        if (fixed == null && store.any()) {
            java.util.OptionalLong millis = store.leastAnswerMillis();
            if (millis.isPresent()) {
                answerMillis = millis.getAsLong();
                chosen = forAnswerTime(answerMillis);
            }
        }
        return chosen;
    }

    /** The number last chosen, and why: for the run's output and its summary. */
    public String describe() {
        if (fixed != null) {
            return String.format(Locale.ROOT, "%d requests in flight (--requests-in-flight)", fixed);
        }
        return Double.isNaN(answerMillis)
                ? String.format(Locale.ROOT, "%d requests in flight (no answer timed yet)", chosen)
                : String.format(Locale.ROOT, "%d requests in flight for a store that answers in %.0f ms or more",
                        chosen, answerMillis);
    }
}
