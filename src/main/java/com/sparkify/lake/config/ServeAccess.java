package com.sparkify.lake.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

import com.sparkify.lake.LakeException;

/**
 * Who may reach {@code sparkify-lake serve}: where it listens, and the token a client must present. The token
 * comes from the config file's {@code [serve]} section or the environment, never from the command line, where
 * any user of the machine could read it in the process list.
 */
public final class ServeAccess {

    /** The environment variable that gives the token when the config file does not. */
    public static final String TOKEN_VARIABLE = "SPARKIFY_SERVE_TOKEN";
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** Spark Connect's own default port, the one its clients try first. */
    public static final int DEFAULT_PORT = 15002;

    private ServeAccess() {
    }

    /** The token: the config file's, else the environment's; empty when neither gives one (or it is blank). */
    public static Optional<String> token(LakeConfig config) {
        return token(config, System.getenv(TOKEN_VARIABLE));
    }

    static Optional<String> token(LakeConfig config, String environment) {
        Optional<String> given = config.serveToken().or(() -> Optional.ofNullable(environment));
        return given.map(String::strip).filter(token -> !token.isEmpty());
    }

    /** Whether every address {@code host} names is this machine's loopback (127.0.0.0/8, ::1). */
    public static boolean isLoopback(String host) {
        try {
            InetAddress[] addresses = InetAddress.getAllByName(host);
            for (InetAddress address : addresses) {
                if (!address.isLoopbackAddress()) {
                    return false;
                }
            }
            return addresses.length > 0;
        } catch (UnknownHostException e) {
            throw new LakeException("serve cannot listen on " + host + ": no such host on this machine.");
        }
    }

    /**
     * Refuses, before anything starts, to listen beyond loopback without a token: anyone who can reach the port
     * could read the whole lake.
     */
    public static void requireTokenBeyondLoopback(String host, Optional<String> token) {
        if (token.isEmpty() && !isLoopback(host)) {
            throw new LakeException("serve listens on " + host + ", beyond this machine, only with a token: put "
                    + "token = ... under [serve] in --config FILE, or set " + TOKEN_VARIABLE + ".");
        }
    }
}
