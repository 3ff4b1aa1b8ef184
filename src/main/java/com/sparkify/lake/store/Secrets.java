package com.sparkify.lake.store;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secrets this process knows, so that a message about to be shown can be checked for them. The first line
 * of defence is never putting a secret into a message; this is the second, for text that comes from a
 * library (an exception message, a URI) which this project does not control.
 */
public final class Secrets {

    static final String MASK = "****";
    /** Shorter values are not secrets worth masking and would mangle ordinary text. */
    private static final int SHORTEST = 8;
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private Secrets() {
    }

    public static void register(String... values) {
        for (String value : values) {
            if (value != null && value.length() >= SHORTEST) {
                KNOWN.add(value);
            }
        }
    }

    /** The standard AWS variables, which the SDK reads on its own. */
    static void registerEnvironment() {
        for (String name : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")) {
            register(System.getenv(name));
        }
    }

    public static String scrub(String text) {
        if (text == null) {
            return null;
        }
        String clean = text;
        for (String secret : KNOWN) {
            clean = clean.replace(secret, MASK);
        }
        return clean;
    }
}
