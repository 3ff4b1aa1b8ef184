package com.sparkify.lake.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.sparkify.lake.LakeException;

/**
 * The {@code [catalog]} section: where an Iceberg lake on an object store keeps its catalog. A catalog holds
 * each table's current metadata file and changes it with an atomic compare-and-swap, which an object store
 * alone cannot do (a rename there is a copy); a database or a catalog service can.
 *
 * @param type      {@code jdbc} (a database: PostgreSQL, MySQL, SQLite) or {@code rest} (an Iceberg REST
 *                  catalog service)
 * @param uri       the JDBC URL or the REST service's URL
 * @param user      the database user (jdbc)
 * @param password  the database password (jdbc); never printed
 * @param namespace the lake's namespace in the catalog: lakes that share one catalog need one each
 */
public record CatalogConfig(String type, String uri, Optional<String> user, Optional<String> password,
                            String namespace) {

    public static final String JDBC = "jdbc";
    public static final String REST = "rest";
    public static final String DEFAULT_NAMESPACE = "sparkify";
    static final List<String> KEYS = List.of("type", "uri", "user", "password", "namespace");

    static Optional<CatalogConfig> of(Map<String, String> section, String source) {
        if (section.isEmpty()) {
            return Optional.empty();
        }
        String type = section.getOrDefault("type", JDBC).toLowerCase(Locale.ROOT);
        if (!type.equals(JDBC) && !type.equals(REST)) {
            throw new LakeException(source + ": [catalog] type must be jdbc or rest (Glue and others: not bundled).");
        }
        String uri = section.get("uri");
        if (uri == null || uri.isBlank()) {
            throw new LakeException(source + ": [catalog] needs a uri, e.g. uri = jdbc:postgresql://HOST:5432/DB"
                    + " or uri = https://HOST/iceberg for a REST catalog.");
        }
        if (type.equals(JDBC) && !uri.startsWith("jdbc:")) {
            throw new LakeException(source + ": [catalog] uri of a jdbc catalog starts with jdbc: "
                    + "(e.g. jdbc:postgresql://HOST:5432/DB).");
        }
        String namespace = section.getOrDefault("namespace", DEFAULT_NAMESPACE);
        if (!namespace.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new LakeException(source + ": [catalog] namespace must be letters, digits and _, not starting "
                    + "with a digit.");
        }
        return Optional.of(new CatalogConfig(type, uri, present(section.get("user")),
                present(section.get("password")), namespace));
    }

    private static Optional<String> present(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public String toString() {
        // The URI may carry a password as a query parameter: show only its scheme.
        String scheme = uri.contains("//") ? uri.substring(0, uri.indexOf("//")) : "?";
        return "CatalogConfig[type=" + type + ", uri=" + scheme + "//…, user=" + (user.isPresent() ? "set" : "-")
                + ", password=" + (password.isPresent() ? "set, not shown" : "-") + ", namespace=" + namespace + "]";
    }
}
