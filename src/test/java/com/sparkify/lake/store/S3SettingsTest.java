package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                "region=eu-central-1"), "dl.cfg"), 64, true, hadoop);
        assertEquals("AKIAEXAMPLE0001", hadoop.get(S3Settings.ACCESS_KEY));
        assertEquals("example-secret-0001", hadoop.get(S3Settings.SECRET_KEY));
        assertEquals("example-token-0001", hadoop.get(S3Settings.SESSION_TOKEN));
        assertEquals("eu-central-1", hadoop.get("fs.s3a.endpoint.region"));
        assertEquals(List.of("org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider",
                        "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
                        "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
                        "software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider"),
                List.of(hadoop.getTrimmedStrings("fs.s3a.aws.credentials.provider")));
    }

    @Test
    void withoutKeysInTheFileAnEarlierRunsKeysAreDropped() {
        Configuration hadoop = new Configuration(false);
        hadoop.set(S3Settings.ACCESS_KEY, "AKIAEARLIERRUN01");
        hadoop.set(S3Settings.SECRET_KEY, "earlier-run-secret");
        S3Settings.apply(LakeConfig.none(), 64, true, hadoop);
        assertNull(hadoop.get(S3Settings.ACCESS_KEY));
        assertNull(hadoop.get(S3Settings.SECRET_KEY));
    }

    @Test
    void aPlainHttpEndpointTurnsTlsOffAndGetsARegionForSigning() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.parse(List.of("[AWS]", "endpoint=http://127.0.0.1:9000",
                "path_style_access=true"), "dl.cfg"), 64, true, hadoop);
        assertEquals("http://127.0.0.1:9000", hadoop.get("fs.s3a.endpoint"));
        assertFalse(hadoop.getBoolean("fs.s3a.connection.ssl.enabled", true));
        assertEquals("true", hadoop.get("fs.s3a.path.style.access"));
        assertEquals("us-east-1", hadoop.get("fs.s3a.endpoint.region"));
    }

    @Test
    void retriesAreBoundedAndOneSettingBoundsTheRequestsInFlight() {
        Configuration hadoop = new Configuration(false);
        S3Settings.apply(LakeConfig.none(), 48, true, hadoop);
        assertEquals(2, hadoop.getInt("fs.s3a.attempts.maximum", -1));
        assertEquals(3, hadoop.getInt("fs.s3a.retry.limit", -1));
        // S3's 503 "Slow Down" has its own, longer retry budget, left at S3A's default.
        assertNull(hadoop.get("fs.s3a.retry.throttle.limit"));
        for (String key : List.of("fs.s3a.connection.maximum", "fs.s3a.threads.max", "fs.s3a.committer.threads")) {
            assertEquals(48, hadoop.getInt(key, -1), key);
        }
    }

    @Test
    void tasksUploadInParallelWhereTheirCommitsCanBeHandedOverOnAFileSystemEveryNodeSees() {
        Configuration local = new Configuration(false);
        S3Settings.apply(LakeConfig.none(), 64, true, local);
        assertEquals("directory", local.get("fs.s3a.committer.name"));

        Configuration hdfsCluster = new Configuration(false);
        hdfsCluster.set("fs.defaultFS", "hdfs://namenode:8020");
        S3Settings.apply(LakeConfig.none(), 64, false, hdfsCluster);
        assertEquals("directory", hdfsCluster.get("fs.s3a.committer.name"));

        Configuration sharedMount = new Configuration(false);
        sharedMount.set("fs.s3a.committer.staging.tmp.path", "file:///mnt/shared/staging");
        S3Settings.apply(LakeConfig.none(), 64, false, sharedMount);
        assertEquals("directory", sharedMount.get("fs.s3a.committer.name"));

        // A cluster whose only file system is each node's own disk: the job commit would not see the tasks'
        // lists of uploads, so the magic committer, which keeps them in the store, writes instead.
        Configuration nothingShared = new Configuration(false);
        S3Settings.apply(LakeConfig.none(), 64, false, nothingShared);
        assertEquals("magic", nothingShared.get("fs.s3a.committer.name"));
        assertTrue(nothingShared.getBoolean("fs.s3a.committer.magic.track.commits.in.memory.enabled", false));
    }
}
