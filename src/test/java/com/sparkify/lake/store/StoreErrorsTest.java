package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.nio.file.AccessDeniedException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.s3a.UnknownStoreException;
import org.apache.hadoop.fs.s3a.auth.NoAuthWithAWSException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.LakeException;

/** The messages for store failures, on the exceptions S3A raises, as a Spark job wraps them. */
class StoreErrorsTest {

    private static Configuration endpoint(String url) {
        Configuration hadoop = new Configuration(false);
        hadoop.set("fs.s3a.endpoint", url);
        return hadoop;
    }

    @Test
    void aMissingBucketIsNamedWithTheEndpointToCheck() {
        Exception thrown = new RuntimeException("Job aborted", new UnknownStoreException("s3a://gone/in",
                "getFileStatus on s3a://gone/in: NoSuchBucket"));
        LakeException message = StoreErrors.explain("s3a://gone/in", thrown, endpoint("http://127.0.0.1:9000"))
                .orElseThrow();
        assertEquals("The bucket 'gone' does not exist at http://127.0.0.1:9000. Check the bucket name in "
                + "s3a://gone/in, and the endpoint and region in --config.", message.getMessage());
    }

    @Test
    void aRefusalNamesTheCredentialSourcesInTheirOrder() {
        Exception thrown = new IOException(new AccessDeniedException("s3a://locked/x: getFileStatus: 403 Forbidden"));
        LakeException message = StoreErrors.explain("s3a://locked/x", thrown, new Configuration(false)).orElseThrow();
        assertTrue(message.getMessage().startsWith("Access denied to s3a://locked/x (HTTP 403) by AWS S3. Check the "
                + "credentials (--config [AWS], then the AWS_* environment variables, then the AWS profile or "
                + "role)"), message.getMessage());
    }

    @Test
    void aRefusedConnectionIsAnUnreachableStore() {
        Exception thrown = new IOException("doesBucketExist", new ConnectException("Connection refused"));
        LakeException message = StoreErrors.explain("s3a://b/x", thrown, endpoint("http://127.0.0.1:1")).orElseThrow();
        assertTrue(message.getMessage().startsWith("Cannot reach the object store at http://127.0.0.1:1 for s3a://b/x "
                + "(ConnectException)"), message.getMessage());
    }

    /** How S3A raises missing credentials: an AccessDeniedException around the chain's own failure. */
    private static Exception noCredentials() {
        NoAuthWithAWSException none = new NoAuthWithAWSException("No AWS Credentials provided by "
                + "TemporaryAWSCredentialsProvider SimpleAWSCredentialsProvider");
        return new RuntimeException("Job aborted", (Exception) new AccessDeniedException(
                "s3a://udacity-dend/lake/_catalog: " + none).initCause(none));
    }

    @Test
    void noCredentialsIsNotAnAccessDeniedAndSaysWhereItLooked(@TempDir Path home) {
        LakeException message = StoreErrors.explain("s3a://udacity-dend/lake", noCredentials(),
                new Configuration(false), Map.of("AWS_EC2_METADATA_DISABLED", "true"), home).orElseThrow();
        assertEquals("No AWS credentials were found for s3a://udacity-dend/lake, so nothing was sent to AWS S3. "
                + "Looked in: --config [AWS] (no keys), the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "not set), the AWS profile 'default' in ~/.aws/credentials (no such file), container and "
                + "web-identity roles (not set up), the instance role (switched off by AWS_EC2_METADATA_DISABLED). "
                + "Give keys in --config FILE ([AWS] AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or set "
                + "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set up an AWS profile or role.", message.getMessage());
    }

    @Test
    void aNamedProfileWithoutKeysAndAHalfSetEnvironmentAreSaid(@TempDir Path home) throws IOException {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/credentials"), "[other]\n");
        String message = StoreErrors.explain("s3a://b/x", noCredentials(), new Configuration(false),
                Map.of("AWS_PROFILE", "analytics", "AWS_ACCESS_KEY_ID", "AKIAFAKEFORTEST"), home)
                .orElseThrow().getMessage();
        assertTrue(message.contains("the environment (AWS_SECRET_ACCESS_KEY not set)"), message);
        assertTrue(message.contains("the AWS profile 'analytics' in ~/.aws/credentials (no keys for it)"), message);
        assertTrue(message.contains("the instance role (the instance metadata service gave none)"), message);
        assertFalse(message.contains("AKIAFAKEFORTEST"), message);
    }

    @Test
    void anUnreachableHostBehindARefusalIsUnreachable() {
        Exception thrown = new IOException((AccessDeniedException) new AccessDeniedException("s3a://b/x")
                .initCause(new UnknownHostException("b.s3.amazonaws.com")));
        String message = StoreErrors.explain("s3a://b/x", thrown, new Configuration(false)).orElseThrow().getMessage();
        assertTrue(message.startsWith("Cannot reach the object store at AWS S3 for s3a://b/x (UnknownHostException)"),
                message);
    }

    @Test
    void otherFailuresAreLeftAlone() {
        assertTrue(StoreErrors.explain("/tmp/lake", new IllegalStateException("disk full"), new Configuration(false))
                .isEmpty());
    }

    @Test
    void aKeyInAUriIsNeverShown() {
        String uri = "s3a://AKIAEXAMPLE:SeCrEtKeYvAlUe@bucket/prefix";
        assertTrue(StoreErrors.hasUserInfo(uri));
        assertEquals("s3a://bucket/prefix", StoreErrors.safe(uri));
        assertFalse(StoreErrors.hasUserInfo("s3a://bucket/prefix"));
        assertEquals("/tmp/lake", StoreErrors.safe("/tmp/lake"));
    }

    @Test
    void knownSecretsAreMaskedInTextFromLibraries() {
        Secrets.register("FAKE-secret-for-masking-42");
        assertEquals("failed with key ****.", Secrets.scrub("failed with key FAKE-secret-for-masking-42."));
        assertEquals("short", Secrets.scrub("short"));
    }
}
