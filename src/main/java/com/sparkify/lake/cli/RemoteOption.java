package com.sparkify.lake.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.config.ServeAccess;

import picocli.CommandLine.Option;

/** {@code --remote sc://HOST:PORT}: a running {@code sparkify-lake serve} answers instead of a Spark started here. */
final class RemoteOption {

    @Option(names = "--remote", paramLabel = "sc://HOST:PORT",
            description = "Ask a running sparkify-lake serve (Spark Connect) instead of starting Spark here. Its token, "
                + "when it has one, comes from [serve] in --config or " + ServeAccess.TOKEN_VARIABLE + ".")
    String remote;

    boolean given() {
        return remote != null;
    }

    /** The host and port given, checked: a Connect address is sc://HOST:PORT (the port defaults to Spark's). */
    Address address() {
        String rest = remote.startsWith("sc://") ? remote.substring("sc://".length()) : null;
        if (rest == null || rest.isEmpty() || rest.contains("/") || rest.contains(";")) {
            throw new UsageError("--remote takes a Spark Connect address, sc://HOST:PORT, not '" + remote + "'.");
        }
        int colon = rest.lastIndexOf(':');
        if (colon < 0 || rest.endsWith("]")) {
            return new Address(rest, ServeAccess.DEFAULT_PORT);
        }
        try {
            return new Address(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new UsageError("--remote takes a Spark Connect address, sc://HOST:PORT, not '" + remote + "'.");
        }
    }

    /**
     * The address for Spark's client, with the token as a bearer header: the client's own {@code token=}
     * parameter also turns TLS on, which serve does not speak.
     */
    String connection(LakeConfig config) {
        Address address = address();
        String url = "sc://" + address.host() + ":" + address.port();
        Optional<String> token = ServeAccess.token(config);
        return token.map(given -> url + "/;authorization=" + URLEncoder.encode("Bearer " + given,
                StandardCharsets.UTF_8).replace("+", "%20")).orElse(url);
    }

    record Address(String host, int port) {
    }
}
