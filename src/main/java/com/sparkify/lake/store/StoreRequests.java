package com.sparkify.lake.store;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;

/**
 * The requests this JVM has sent to the object stores of a run, by HTTP kind, from S3A's own statistics: one
 * S3A client per bucket and JVM serves the driver and, with a local master, every task, so there the counts
 * are the whole run's. On a cluster each executor has its own client and these are the driver's share.
 */
public final class StoreRequests {

    /** The kinds of request counted, in the order they are shown. */
    public static final List<String> KINDS = List.of("GET", "HEAD", "PUT", "POST", "LIST", "DELETE", "COPY");

    /** S3A's counter names behind each kind. A multipart upload is a POST to start it, a PUT per part and
     *  a POST to complete it; a bulk delete is a POST. */
    private static final Map<String, List<String>> COUNTERS = Map.of(
            "GET", List.of("action_http_get_request"),
            "HEAD", List.of("object_metadata_request"),
            "PUT", List.of("object_put_request_completed"),
            "POST", List.of("object_multipart_initiated", "committer_commits_completed", "object_bulk_delete_request"),
            "LIST", List.of("object_list_request", "object_continue_list_request", "multipart_upload_list"),
            "DELETE", List.of("object_delete_request", "object_multipart_aborted"),
            "COPY", List.of("object_copy_requests"));

    private final List<IOStatisticsSource> stores;

    private StoreRequests(List<IOStatisticsSource> stores) {
        this.stores = stores;
    }

    /** The stores behind those of {@code locations} that are S3A ones; none, and every count is empty. */
    public static StoreRequests of(Configuration hadoop, String... locations) {
        List<IOStatisticsSource> stores = new ArrayList<>();
        List<URI> seen = new ArrayList<>();
        for (String location : locations) {
            URI uri = new Path(location).toUri();
            if (!"s3a".equalsIgnoreCase(uri.getScheme())) {
                continue;
            }
            URI bucket = URI.create("s3a://" + uri.getAuthority() + "/");
            if (seen.contains(bucket)) {
                continue;
            }
            seen.add(bucket);
            try {
                if (FileSystem.get(bucket, hadoop) instanceof IOStatisticsSource source) {
                    stores.add(source);
                }
            } catch (IOException e) {
                // The run itself reports a store it cannot reach; counting its requests is not worth a failure.
            }
        }
        return new StoreRequests(stores);
    }

    public boolean any() {
        return !stores.isEmpty();
    }

    /** Requests so far, by kind; empty when no store is counted. */
    public Map<String, Long> sofar() {
        Map<String, Long> counts = new LinkedHashMap<>();
        if (stores.isEmpty()) {
            return counts;
        }
        KINDS.forEach(kind -> counts.put(kind, 0L));
        for (IOStatisticsSource store : stores) {
            IOStatistics statistics = store.getIOStatistics();
            if (statistics == null) {
                continue;
            }
            Map<String, Long> counters = statistics.counters();
            COUNTERS.forEach((kind, names) -> names.forEach(name ->
                    counts.merge(kind, counters.getOrDefault(name, 0L), Long::sum)));
        }
        return counts;
    }

    /** The requests whose answer time is a round trip and little else: a listing page, a read, a metadata look-up. */
    private static final List<String> ROUND_TRIPS = List.of("object_list_request", "action_http_get_request",
            "action_http_head_request");

    /**
     * The store's round trip: the least time it took to answer any request timed so far (S3A times each one);
     * empty before any. Not the mean: with many requests out, each answer also waits behind the others, in the
     * store and in this JVM, and a mean that grew with the number out would ask for more out still. A run of the
     * sample through an S3Proxy that answers after 5 ms, on this project's 2-core machine, measured a mean of
     * 144 ms, and the least 5 ms (S3RoundTripsTest).
     */
    public java.util.OptionalLong leastAnswerMillis() {
        long least = Long.MAX_VALUE;
        for (IOStatisticsSource store : stores) {
            IOStatistics statistics = store.getIOStatistics();
            if (statistics == null) {
                continue;
            }
            for (String name : ROUND_TRIPS) {
                org.apache.hadoop.fs.statistics.MeanStatistic mean = statistics.meanStatistics().get(name + ".mean");
                Long min = statistics.minimums().get(name + ".min");
                if (mean != null && mean.getSamples() > 0 && min != null && min >= 0) {
                    least = Math.min(least, min);
                }
            }
        }
        return least == Long.MAX_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(least);
    }

    /** {@code after - before}, kind by kind. */
    public static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> made = new LinkedHashMap<>();
        after.forEach((kind, count) -> made.put(kind, count - before.getOrDefault(kind, 0L)));
        return made;
    }
}
