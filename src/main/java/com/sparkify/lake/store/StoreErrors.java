package com.sparkify.lake.store;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.s3a.UnknownStoreException;
import org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException;

import com.sparkify.lake.LakeException;

/**
 * Turns what S3A and the AWS SDK throw into a short {@link LakeException} that names the cause and what to
 * check. The library's own message is not repeated: it can run to a page, and it is not ours to vouch for.
 */
public final class StoreErrors {

    private StoreErrors() {
    }

    /**
     * @param location the input or output the run was working on when it failed
     * @return the user's message, or empty when the failure is not about reaching an object store
     */
    public static Optional<LakeException> explain(String location, Throwable failure, Configuration hadoop) {
        return explain(location, failure, hadoop, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Optional<LakeException> explain(String location, Throwable failure, Configuration hadoop,
            Map<String, String> environment, Path home) {
        String where = safe(location);
        String endpoint = endpoint(hadoop);
        // S3A reports missing credentials and an unreachable host as an AccessDeniedException around the real
        // cause: the whole chain is searched for the precise causes before the generic refusal is believed.
        if (find(failure, cause -> cause instanceof UnknownStoreException)) {
            return Optional.of(new LakeException("The bucket " + bucket(where) + " does not exist at "
                    + endpoint + ". Check the bucket name in " + where + ", and the endpoint and region in "
                    + "--config.", failure));
        }
        if (find(failure, cause -> cause instanceof NoAuthWithAWSException)) {
            return Optional.of(new LakeException("No AWS credentials were found for " + where + ", so nothing was "
                    + "sent to " + endpoint + ". Looked in: " + CredentialSources.describe(hadoop, environment, home)
                    + ". Give keys in --config FILE ([AWS] AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or set "
                    + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set up an AWS profile or role.", failure));
        }
        Optional<Throwable> unreachable = first(failure, StoreErrors::cannotConnect);
        if (unreachable.isPresent()) {
            return Optional.of(new LakeException("Cannot reach the object store at " + endpoint + " for "
                    + where + " (" + unreachable.get().getClass().getSimpleName() + "): no answer came back. Check "
                    + "the endpoint in --config, that the store is up, and the network in between.", failure));
        }
        if (find(failure, cause -> cause instanceof AccessDeniedException || mentions(cause, "Status Code: 403",
                "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"))) {
            return Optional.of(new LakeException("Access denied to " + where + " (HTTP 403) by " + endpoint
                    + ". Check the credentials (--config [AWS], then the AWS_* environment variables, then "
                    + "the AWS profile or role) and that they may read and write " + bucket(where) + ".", failure));
        }
        return Optional.empty();
    }

    private static boolean find(Throwable failure, Predicate<Throwable> test) {
        return first(failure, test).isPresent();
    }

    private static Optional<Throwable> first(Throwable failure, Predicate<Throwable> test) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (test.test(cause)) {
                return Optional.of(cause);
            }
        }
        return Optional.empty();
    }

    /** Whether the failure, or a cause of it, is a store that cannot be reached at all. */
    public static boolean unreachable(Throwable failure) {
        return find(failure, StoreErrors::cannotConnect);
    }

    private static boolean cannotConnect(Throwable cause) {
        return cause instanceof ConnectException || cause instanceof NoRouteToHostException
                || cause instanceof UnknownHostException || cause instanceof SocketTimeoutException
                || cause instanceof org.apache.hadoop.net.ConnectTimeoutException
                || mentions(cause, "Connection refused", "Connect timed out", "UnknownHost");
    }

    /** A URI as it may be shown: any user information (a key someone put in it) is dropped. */
    public static String safe(String location) {
        try {
            URI uri = new URI(location);
            if (uri.getRawUserInfo() == null) {
                return location;
            }
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
                    .toString();
        } catch (Exception notAUri) {
            return Secrets.scrub(location);
        }
    }

    public static boolean hasUserInfo(String location) {
        try {
            return new URI(location).getRawUserInfo() != null;
        } catch (Exception notAUri) {
            return false;
        }
    }

    private static String endpoint(Configuration hadoop) {
        String endpoint = hadoop.getTrimmed("fs.s3a.endpoint", "");
        return endpoint.isEmpty() ? "AWS S3" : safe(endpoint);
    }

    private static String bucket(String location) {
        try {
            String host = new URI(location).getHost();
            return host == null ? location : "'" + host + "'";
        } catch (Exception notAUri) {
            return location;
        }
    }

    private static boolean mentions(Throwable cause, String... words) {
        String message = cause.getMessage();
        if (message == null) {
            return false;
        }
        String lower = message.toLowerCase(Locale.ROOT);
        for (String word : words) {
            if (lower.contains(word.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }
}
