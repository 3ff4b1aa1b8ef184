package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.config.LakeConfig;

/** What a config file turns into on the Hadoop configuration S3A reads. */
class S3SettingsTest {

    @Test
    void theFilesKeysComeFirstThenTheEnvironmentThenTheDefaultChain() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.parse(List.of("[AWS]", "AWS_ACCESS_KEY_ID=AKIAEXAMPLE0001",
                "AWS_SECRET_ACCESS_KEY=example-secret-0001", "AWS_SESSION_TOKEN=example-token-0001",
                "region=eu-central-1"), "dl.cfg"), hadoop);
        assertEquals("AKIAEXAMPLE0001", hadoop.get(S3Settings.ACCESS_KEY));
        assertEquals("example-secret-0001", hadoop.get(S3Settings.SECRET_KEY));
        assertEquals("example-token-0001", hadoop.get(S3Settings.SESSION_TOKEN));
        assertEquals("eu-central-1", hadoop.get("fs.s3a.endpoint.region"));
        assertEquals(List.of("org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
                        "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"),
                List.of(hadoop.getTrimmedStrings("fs.s3a.aws.credentials.provider")));
        assertEquals("magic", hadoop.get("fs.s3a.committer.name"));
    }

    @Test
    void withoutKeysInTheFileAnEarlierRunsKeysAreDropped() {
        Configuration hadoop = new Configuration(false);
        hadoop.set(S3Settings.ACCESS_KEY, "AKIAEARLIERRUN01");
        hadoop.set(S3Settings.SECRET_KEY, "earlier-run-secret");
        S3Settings.apply(LakeConfig.none(), hadoop);
        assertNull(hadoop.get(S3Settings.ACCESS_KEY));
        assertNull(hadoop.get(S3Settings.SECRET_KEY));
    }

    @Test
    void aPlainHttpEndpointTurnsTlsOffAndGetsARegionForSigning() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.parse(List.of("[AWS]", "endpoint=http://127.0.0.1:9000",
                "path_style_access=true"), "dl.cfg"), hadoop);
        assertEquals("http://127.0.0.1:9000", hadoop.get("fs.s3a.endpoint"));
        assertFalse(hadoop.getBoolean("fs.s3a.connection.ssl.enabled", true));
        assertEquals("true", hadoop.get("fs.s3a.path.style.access"));
        assertEquals("us-east-1", hadoop.get("fs.s3a.endpoint.region"));
    }

    @Test
    void retriesAreBoundedAndThePoolIsLargerThanTheThreads() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.none(), hadoop);
        assertEquals(2, hadoop.getInt("fs.s3a.attempts.maximum", -1));
        assertEquals(3, hadoop.getInt("fs.s3a.retry.limit", -1));
        assertFalse(hadoop.getInt("fs.s3a.connection.maximum", 0) <= hadoop.getInt("fs.s3a.threads.max", 0));
    }
}
