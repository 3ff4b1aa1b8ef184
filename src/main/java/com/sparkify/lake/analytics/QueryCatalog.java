package com.sparkify.lake.analytics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.sparkify.lake.LakeException;

/**
 * The analytics team's questions, one SQL file each under {@code resources/queries/}, listed in
 * {@code index.txt}. A file's first line, a comment, is its description.
 */
public final class QueryCatalog {

    /** @param sql the statement, over the views songplays, users, songs, artists and time */
    public record Query(String name, String description, String sql) {
    }

    private static final String FOLDER = "/queries/";

    private QueryCatalog() {
    }

    public static List<Query> all() {
        List<Query> queries = new ArrayList<>();
        for (String name : resource("index.txt").split("\n")) {
            if (!name.isBlank()) {
                queries.add(load(name.strip()));
            }
        }
        return queries;
    }

    public static Query named(String name) {
        return all().stream().filter(q -> q.name().equals(name)).findFirst().orElseThrow(() ->
                new LakeException("No query named '" + name + "'. The queries are: "
                        + String.join(", ", all().stream().map(Query::name).toList()) + "."));
    }

    private static Query load(String name) {
        String sql = resource(name + ".sql");
        String first = sql.lines().findFirst().orElse("");
        String description = first.startsWith("--") ? first.substring(2).strip() : "";
        return new Query(name, description, sql);
    }

    private static String resource(String file) {
        try (InputStream in = QueryCatalog.class.getResourceAsStream(FOLDER + file)) {
            if (in == null) {
                throw new IllegalStateException("the build lacks " + FOLDER + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
