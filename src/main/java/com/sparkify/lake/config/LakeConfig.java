package com.sparkify.lake.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import com.sparkify.lake.LakeException;

/**
 * The {@code --config FILE}: the seed project's {@code dl.cfg} INI format, read by hand so that no secret
 * ever passes through a library that might log or echo it.
 *
 * <pre>
 * [AWS]
 * AWS_ACCESS_KEY_ID = ...
 * AWS_SECRET_ACCESS_KEY = ...
 * AWS_SESSION_TOKEN = ...          ; optional, for temporary credentials
 * region = us-west-2               ; optional
 * endpoint = http://127.0.0.1:9000 ; optional, an S3-compatible store
 * path_style_access = true         ; optional, for stores without bucket host names
 *
 * [spark]
 * spark.sql.shuffle.partitions = 16        ; any spark.* key, passed through
 * spark.hadoop.fs.s3a.readahead.range = 1M ; spark.hadoop.* goes to the Hadoop configuration
 *
 * [lake]
 * format = iceberg                 ; parquet (the default) or iceberg, as etl --format
 *
 * [catalog]                        ; the Iceberg catalog of a lake on an object store
 * type = jdbc                      ; jdbc (the default) or rest
 * uri = jdbc:postgresql://db.example.com:5432/lakes
 * user = ...                       ; jdbc only
 * password = ...                   ; jdbc only
 * namespace = sparkify             ; optional: the lake's namespace in a catalog shared by several lakes
 *
 * [serve]                          ; sparkify-lake serve, and the commands that use it with --remote
 * token = ...                      ; what a client must present; needed to listen beyond loopback
 * </pre>
 *
 * Error messages name the file, the line number and the key, never a value: a value may be a secret.
 */
public record LakeConfig(Optional<Credentials> credentials, Optional<String> region, Optional<String> endpoint,
                         Optional<Boolean> pathStyleAccess, Map<String, String> spark, Optional<String> format,
                         Optional<CatalogConfig> catalog, Optional<String> serveToken) {

    private static final List<String> SECTIONS = List.of("aws", "spark", "lake", "catalog", "serve");

    private static final List<String> AWS_KEYS = List.of("aws_access_key_id", "aws_secret_access_key",
            "aws_session_token", "region", "endpoint", "path_style_access");

    public LakeConfig {
        spark = Collections.unmodifiableMap(new LinkedHashMap<>(spark));
    }

    /** No file: credentials and settings come from the environment and the default AWS chain. */
    public static LakeConfig none() {
        return new LakeConfig(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Map.of(),
                Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static LakeConfig load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new LakeException("The config file " + file + " does not exist. Copy dl.cfg.example to "
                    + "dl.cfg and fill it in, or leave --config out to use the AWS environment variables.");
        } catch (IOException e) {
            throw new LakeException("Cannot read the config file " + file + " (" + e.getClass().getSimpleName()
                    + "). Check that it is a readable text file.");
        }
        return parse(lines, file.toString());
    }

    /** Parses the lines of a config file; {@code source} names it in error messages. */
    public static LakeConfig parse(List<String> lines, String source) {
        Map<String, String> aws = new LinkedHashMap<>();
        Map<String, String> spark = new LinkedHashMap<>();
        Map<String, String> lake = new LinkedHashMap<>();
        Map<String, String> catalog = new LinkedHashMap<>();
        Map<String, String> serve = new LinkedHashMap<>();
        String section = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            String where = source + " line " + (i + 1);
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new LakeException(where + ": a section header must look like [AWS] or [spark].");
                }
                section = line.substring(1, line.length() - 1).strip().toLowerCase(Locale.ROOT);
                if (!SECTIONS.contains(section)) {
                    throw new LakeException(where + ": unknown section [" + section + "]; the sections are "
                            + "[AWS], [spark], [lake], [catalog] and [serve].");
                }
                continue;
            }
            int equals = separator(line);
            if (equals < 0) {
                throw new LakeException(where + ": expected KEY = value.");
            }
            String key = line.substring(0, equals).strip();
            String value = unquote(line.substring(equals + 1).strip());
            if (section == null) {
                throw new LakeException(where + ": " + key + " stands before any section; put it under [AWS] "
                        + "or [spark].");
            }
            if (section.equals("aws")) {
                String name = key.toLowerCase(Locale.ROOT);
                if (!AWS_KEYS.contains(name)) {
                    throw new LakeException(where + ": unknown key " + key + " in [AWS]; known keys are "
                            + "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, region, endpoint, "
                            + "path_style_access.");
                }
                aws.put(name, value);
            } else if (section.equals("lake")) {
                if (!key.equalsIgnoreCase("format")) {
                    throw new LakeException(where + ": unknown key " + key + " in [lake]; the known key is format.");
                }
                String format = value.toLowerCase(Locale.ROOT).strip();
                // Checked here, for every command that reads the file, not only by etl, which uses it.
                if (!format.equals("parquet") && !format.equals("iceberg")) {
                    throw new LakeException(where + ": format under [lake] must be parquet or iceberg, not '"
                            + value + "'.");
                }
                lake.put("format", format);
            } else if (section.equals("serve")) {
                if (!key.equalsIgnoreCase("token")) {
                    throw new LakeException(where + ": unknown key " + key + " in [serve]; the known key is token.");
                }
                serve.put("token", value);
            } else if (section.equals("catalog")) {
                String name = key.toLowerCase(Locale.ROOT);
                if (!CatalogConfig.KEYS.contains(name)) {
                    throw new LakeException(where + ": unknown key " + key + " in [catalog]; known keys are "
                            + String.join(", ", CatalogConfig.KEYS) + ".");
                }
                catalog.put(name, value);
            } else {
                if (!key.startsWith("spark.")) {
                    throw new LakeException(where + ": " + key + " is not a Spark setting; [spark] takes "
                            + "spark.* and spark.hadoop.* keys.");
                }
                spark.put(key, value);
            }
        }
        return new LakeConfig(credentials(aws, source), present(aws.get("region")), present(aws.get("endpoint")),
                pathStyle(aws.get("path_style_access"), source), spark, present(lake.get("format")),
                CatalogConfig.of(catalog, source), Optional.ofNullable(serve.get("token")));
    }

    private static Optional<Credentials> credentials(Map<String, String> aws, String source) {
        Optional<String> id = present(aws.get("aws_access_key_id"));
        Optional<String> secret = present(aws.get("aws_secret_access_key"));
        Optional<String> token = present(aws.get("aws_session_token"));
        if (id.isEmpty() && secret.isEmpty()) {
            if (token.isPresent()) {
                throw new LakeException(source + ": AWS_SESSION_TOKEN is set without AWS_ACCESS_KEY_ID and "
                        + "AWS_SECRET_ACCESS_KEY; temporary credentials need all three.");
            }
            return Optional.empty();
        }
        if (id.isEmpty() || secret.isEmpty()) {
            throw new LakeException(source + ": [AWS] has " + (id.isEmpty() ? "AWS_SECRET_ACCESS_KEY but no "
                    + "AWS_ACCESS_KEY_ID" : "AWS_ACCESS_KEY_ID but no AWS_SECRET_ACCESS_KEY")
                    + "; give both, or neither to use the environment.");
        }
        return Optional.of(new Credentials(id.get(), secret.get(), token));
    }

    private static Optional<Boolean> pathStyle(String value, String source) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1" -> Optional.of(true);
            case "false", "no", "0" -> Optional.of(false);
            default -> throw new LakeException(source + ": path_style_access must be true or false.");
        };
    }

    /** The first '=' or ':', whichever comes first: Python's configparser, which wrote dl.cfg, takes both. */
    private static int separator(String line) {
        int equals = line.indexOf('=');
        int colon = line.indexOf(':');
        if (equals < 0) {
            return colon;
        }
        return colon < 0 ? equals : Math.min(equals, colon);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("'") && value.endsWith("'")
                || value.startsWith("\"") && value.endsWith("\""))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }

    private static Optional<String> present(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }

    @Override
    public String toString() {
        // The record's generated toString would print the credentials; this one says only what is set.
        return "LakeConfig[credentials=" + credentials.map(Credentials::toString).orElse("from the environment")
                + ", region=" + region.orElse("-") + ", endpoint=" + endpoint.orElse("-") + ", pathStyleAccess="
                + pathStyleAccess.map(String::valueOf).orElse("-") + ", spark=" + spark.keySet() + ", format="
                + format.orElse("-") + ", catalog=" + catalog.map(CatalogConfig::toString).orElse("-") + ", serve token="
                + (serveToken.isPresent() ? "set, not shown" : "-") + "]";
    }

    /** Keys from the config file. Never printed: {@link #toString()} shows only which parts are present. */
    public record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {

        @Override
        public String toString() {
            return "Credentials[access key id, secret access key" + (sessionToken.isPresent() ? ", session token"
                    : "") + ": set, not shown]";
        }
    }
}
