package com.sparkify.lake.faults;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.SparkSession;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sparkify.lake.pipeline.Engine;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.support.Commands;

/**
 * A reader in a JVM of its own: {@code query NAME --lake L --format csv}, the named queries in turn, until a stop
 * file appears (or 10 minutes pass). Each answer is one JSON line in the out file, written whole once the query
 * has ended: query, start and end (epoch microseconds), exit code, what it printed. The JVM keeps one Spark
 * session, as a notebook or a server would; each query opens the lake afresh (the catalog caches no table).
 *
 * <pre>QueryLoop OUT STOP LAKE [--config FILE] QUERY...</pre>
 */
public final class QueryLoop {

    private QueryLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Path stop = Path.of(args[1]);
        String lake = args[2];
        boolean configured = args.length > 4 && args[3].equals("--config");
        String config = configured ? args[4] : null;
        List<String> queries = List.of(args).subList(configured ? 5 : 3, args.length);
        SparkSession spark = Engine.start(Settings.defaults().withMaster("local[1]").withShufflePartitions(2));
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + 600_000_000_000L;
        try {
            Files.writeString(out, "", StandardCharsets.UTF_8);
            for (int i = 0; !Files.exists(stop) && System.nanoTime() < deadline; i++) {
                String query = queries.get(i % queries.size());
                Map<String, Object> answer = ask(query, lake, config);
                Files.writeString(out, json.writeValueAsString(answer) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND);
            }
        } finally {
            spark.stop();
        }
        System.exit(0);
    }

    /** One query and what came of it, timed. */
    static Map<String, Object> ask(String query, String lake) {
        return ask(query, lake, null);
    }

    /** A reader's command: one named query over the lake, as CSV; {@code config} as in {@link #ask}. */
    static String[] command(String query, String lake, String config) {
        List<String> command = new java.util.ArrayList<>(List.of("query", query, "--lake", lake, "--format", "csv"));
        if (config != null) {
            command.addAll(List.of("--config", config));
        }
        return command.toArray(String[]::new);
    }

    /** @param config the config file that opens the lake (its store's keys, its catalog), or null */
    static Map<String, Object> ask(String query, String lake, String config) {
        Instant start = Instant.now();
        Commands.Result result = Commands.run(command(query, lake, config));
        Instant end = Instant.now();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("query", query);
        answer.put("start", ChronoUnit.MICROS.between(Instant.EPOCH, start));
        answer.put("end", ChronoUnit.MICROS.between(Instant.EPOCH, end));
        answer.put("code", result.code());
        answer.put("out", result.out());
        answer.put("err", result.err());
        return answer;
    }
}
