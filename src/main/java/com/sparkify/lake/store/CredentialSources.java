package com.sparkify.lake.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;

/**
 * Where the run looked for AWS credentials, in the order of {@link S3Settings#PROVIDERS}, and what it found
 * in each place. Said when none were found, so that "no keys" is never mistaken for "keys refused". Only the
 * names of settings and files are shown, never a value.
 */
final class CredentialSources {

    private CredentialSources() {
    }

    static String describe(Configuration hadoop, Map<String, String> environment, Path home) {
        List<String> places = new ArrayList<>();
        places.add("--config [AWS] (" + (hadoop.getTrimmed(S3Settings.ACCESS_KEY, "").isEmpty()
                ? "no keys" : "an access key without its secret") + ")");
        places.add("the environment (" + environmentKeys(environment) + ")");
        places.add(profile(environment, home));
        places.add("container and web-identity roles (" + (set(environment, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                || set(environment, "AWS_CONTAINER_CREDENTIALS_FULL_URI") || set(environment, "AWS_WEB_IDENTITY_TOKEN_FILE")
                ? "set up, but they gave none" : "not set up") + ")");
        places.add("the instance role (" + ("true".equalsIgnoreCase(environment.getOrDefault("AWS_EC2_METADATA_DISABLED", ""))
                ? "switched off by AWS_EC2_METADATA_DISABLED" : "the instance metadata service gave none") + ")");
        return String.join(", ", places);
    }

    private static String environmentKeys(Map<String, String> environment) {
        boolean id = set(environment, "AWS_ACCESS_KEY_ID");
        boolean secret = set(environment, "AWS_SECRET_ACCESS_KEY");
        if (id == secret) {
            return id ? "both keys set, yet refused by the SDK" : "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY not set";
        }
        return (id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " not set";
    }

    private static String profile(Map<String, String> environment, Path home) {
        String name = environment.getOrDefault("AWS_PROFILE", "default");
        String file = environment.get("AWS_SHARED_CREDENTIALS_FILE");
        Path credentials = file == null || file.isBlank() ? home.resolve(".aws").resolve("credentials") : Path.of(file);
        String shown = file == null || file.isBlank() ? "~/.aws/credentials" : file;
        return "the AWS profile '" + name + "' in " + shown + " (" + (Files.isReadable(credentials)
                ? "no keys for it" : "no such file") + ")";
    }

    private static boolean set(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value != null && !value.isBlank();
    }
}
