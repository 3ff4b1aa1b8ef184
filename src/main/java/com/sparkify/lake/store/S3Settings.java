package com.sparkify.lake.store;

import java.util.Locale;

import org.apache.hadoop.conf.Configuration;

import com.sparkify.lake.config.LakeConfig;

/**
 * How S3A is set up for a run, on the Hadoop configuration (never on SparkConf, so that the keys are not
 * among the Spark properties a UI or an event log shows).
 *
 * <p>Credentials, first found wins: the {@code --config} file's keys, the standard AWS environment variables
 * ({@code AWS_ACCESS_KEY_ID}, ...), then the AWS SDK's default chain (profiles in ~/.aws, container and
 * instance roles).
 */
public final class S3Settings {

    public static final String ACCESS_KEY = "fs.s3a.access.key";
    public static final String SECRET_KEY = "fs.s3a.secret.key";
    public static final String SESSION_TOKEN = "fs.s3a.session.token";

    /** S3A tries these providers in order and takes the first that has credentials. */
    static final String PROVIDERS = String.join(",",
            // The --config file's keys: with a session token, then without one.
            "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
            // Environment again, system properties, profiles, web identity, container and instance roles.
            "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider");

    /** Spark's own default for spark.redaction.regex: the setting names whose values are secrets. */
    private static final java.util.regex.Pattern SECRET_NAME =
            java.util.regex.Pattern.compile("(?i)secret|password|token|access[.]?key");

    private S3Settings() {
    }

    public static void apply(LakeConfig config, Configuration hadoop) {
        // Keys of an earlier run in this JVM must not outlive the config that set them.
        hadoop.unset(ACCESS_KEY);
        hadoop.unset(SECRET_KEY);
        hadoop.unset(SESSION_TOKEN);
        config.credentials().ifPresent(keys -> {
            hadoop.set(ACCESS_KEY, keys.accessKeyId());
            hadoop.set(SECRET_KEY, keys.secretAccessKey());
            keys.sessionToken().ifPresent(token -> hadoop.set(SESSION_TOKEN, token));
            Secrets.register(keys.accessKeyId(), keys.secretAccessKey());
            keys.sessionToken().ifPresent(Secrets::register);
        });
        Secrets.registerEnvironment();
        // A key given through [spark] (spark.hadoop.fs.s3a.secret.key) is masked in messages all the same.
        config.spark().forEach((key, value) -> {
            if (SECRET_NAME.matcher(key).find()) {
                Secrets.register(value);
            }
        });
        hadoop.set("fs.s3a.aws.credentials.provider", PROVIDERS);

        config.region().ifPresent(region -> hadoop.set("fs.s3a.endpoint.region", region));
        config.endpoint().ifPresent(endpoint -> {
            hadoop.set("fs.s3a.endpoint", endpoint);
            // An S3-compatible store on plain HTTP (a test server, a MinIO on a private network).
            hadoop.setBoolean("fs.s3a.connection.ssl.enabled",
                    !endpoint.toLowerCase(Locale.ROOT).startsWith("http://"));
            if (config.region().isEmpty()) {
                // A store that is not AWS ignores the region, but the SDK's request signing needs one.
                hadoop.set("fs.s3a.endpoint.region", "us-east-1");
            }
        });
        config.pathStyleAccess().ifPresent(pathStyle -> hadoop.setBoolean("fs.s3a.path.style.access", pathStyle));

        // Bounded failures. The defaults retry a refused connection 7 times with growing pauses (S3A), each
        // attempt itself retried 5 times (SDK), and wait 200 s on a silent socket: minutes before a typo in
        // an endpoint is reported. A store that is up answers well within these.
        hadoop.setInt("fs.s3a.attempts.maximum", 2);
        hadoop.setInt("fs.s3a.retry.limit", 3);
        hadoop.set("fs.s3a.retry.interval", "250ms");
        // 15 s is the least S3A accepts (it raises anything lower to that, with a warning).
        hadoop.set("fs.s3a.connection.establish.timeout", "15s");
        hadoop.set("fs.s3a.connection.timeout", "60s");

        // Thousands of tiny input files: listing, opening and reading them is latency, not bandwidth, so the
        // pool must hold a connection for every thread that may be waiting on one.
        hadoop.setInt("fs.s3a.threads.max", 64);
        hadoop.setInt("fs.s3a.connection.maximum", 128);
        // Parallel listing of an input root when Spark is given several paths.
        hadoop.setInt("mapreduce.input.fileinputformat.list-status.num-threads", 16);

        // The magic committer: tasks upload their files as pending multipart uploads, the job commit
        // completes them. Nothing is copied or renamed (a rename on S3 is a copy and a delete).
        hadoop.set("fs.s3a.committer.name", "magic");
        hadoop.setBoolean("fs.s3a.committer.magic.enabled", true);
        hadoop.set("mapreduce.outputcommitter.factory.scheme.s3a",
                "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
    }
}
