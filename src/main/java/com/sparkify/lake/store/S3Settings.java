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

    /**
     * @param requestsInFlight the most requests to the store a JVM has out at once, per bucket; null when the
     *                         number follows the store ({@link RequestsInFlight}), up to its most
     * @param oneMachine       the job runs in this JVM alone (a local master)
     */
    public static void apply(LakeConfig config, Integer requestsInFlight, boolean oneMachine, Configuration hadoop) {
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

        // Round trips are waiting, not work: they overlap. One bound for all of them, per bucket and JVM (the
        // driver, each executor): the HTTP pool, which every request needs a connection from; the threads
        // that upload, commit and delete in parallel; and the reads of input files (extract.WholeFiles).
        // Where the number follows the store, the pool is as big as it may grow: the run's own reads and the
        // committer's threads then keep the number chosen (an unused connection costs nothing).
        int most = requestsInFlight == null ? RequestsInFlight.MOST : requestsInFlight;
        hadoop.setInt("fs.s3a.connection.maximum", most);
        hadoop.setInt("fs.s3a.threads.max", most);
        commitThreads(hadoop, requestsInFlight == null ? RequestsInFlight.LEAST : requestsInFlight);
        // Parallel listing of an input root when Spark is given several paths.
        hadoop.setInt("mapreduce.input.fileinputformat.list-status.num-threads", 16);

        // A file is created without first asking the store whether the path is a folder or a file already:
        // a HEAD and a LIST per file, one after another. Every file this project writes has a name no other
        // file has (Spark's and Iceberg's include a unique id), and Iceberg writes its data files straight to
        // their final key, so at 20 ms these checks were half the round trips of an Iceberg lake's `songs`.
        hadoop.setBoolean("fs.s3a.create.performance", true);

        hadoop.set("mapreduce.outputcommitter.factory.scheme.s3a",
                "org.apache.hadoop.fs.s3a.commit.S3ACommitterFactory");
        hadoop.set("fs.s3a.committer.name", committer(oneMachine, hadoop));
        if (oneMachine && hadoop.getTrimmed("fs.s3a.committer.staging.tmp.path") == null) {
            // Its default, tmp/staging, is relative: a local run would leave tmp/staging/USER in whatever folder
            // the command was started from. The system's temporary folder is where such lists belong.
            hadoop.set("fs.s3a.committer.staging.tmp.path", new java.io.File(System.getProperty("java.io.tmpdir"),
                    "sparkify-lake-staging").toURI().toString());
        }
        // Where the magic committer runs, a task keeps what it must commit in memory instead of writing a
        // .pending file and a marker per file to the store and reading them back: two of its four round
        // trips per file, and its task commit's listing. Spark's tasks write and commit in one JVM.
        hadoop.setBoolean("fs.s3a.committer.magic.enabled", true);
        hadoop.setBoolean("fs.s3a.committer.magic.track.commits.in.memory.enabled", true);
    }

    /** The setting of how many uploads and completions a write keeps going at once. */
    public static final String COMMIT_THREADS = "fs.s3a.committer.threads";

    /** How many uploads and completions a write keeps going at once; read when a write job starts. */
    public static void commitThreads(Configuration hadoop, int requestsInFlight) {
        hadoop.setInt(COMMIT_THREADS, requestsInFlight);
    }

    /**
     * Which S3A committer writes the tables. Both upload each file as a multipart upload that stays invisible
     * until the job commit completes it, so a failed job leaves nothing half-written behind; they differ in
     * where a task's round trips go.
     *
     * <p>The <em>directory</em> (staging) committer has each task write its files to local disk and upload them
     * all at task commit, {@code fs.s3a.committer.threads} at a time; the job commit then completes them, as
     * many at a time. A table of 15,000 one-file partition folders costs three requests a file, all of them
     * overlapped. It hands each task's list of uploads to the job commit through a file system every node
     * shares: the local disk when everything runs in this JVM, the cluster's default file system when that is
     * not a local one (HDFS on YARN and EMR), or the folder {@code fs.s3a.committer.staging.tmp.path} names
     * when the user says where a shared one is.
     *
     * <p>Without such a file system, a task's list would stay on its own node and the job commit would not
     * find it: the table would lose those files. There the <em>magic</em> committer is used: it keeps that list
     * in the store itself, and uploads each file as it closes it, one after another within a task.
     */
    static String committer(boolean oneMachine, Configuration hadoop) {
        String defaultFs = hadoop.get("fs.defaultFS", "file:///");
        boolean shared = oneMachine || !defaultFs.startsWith("file:")
                || hadoop.getTrimmed("fs.s3a.committer.staging.tmp.path") != null;
        return shared ? "directory" : "magic";
    }
}
