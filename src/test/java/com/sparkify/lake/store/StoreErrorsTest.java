package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.AccessDeniedException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.s3a.UnknownStoreException;
import org.junit.jupiter.api.Test;

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
