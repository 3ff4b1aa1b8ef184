package com.sparkify.lake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.S3ProxyServer;

/**
 * A user with no AWS credentials anywhere asks a lake in S3: the answer says that none were found and where
 * they were looked for, not that access was denied. The run's endpoint is a closed port on loopback, so that
 * even a credential found by mistake would send nothing off this machine.
 */
class NoCredentialsTest {

    @Test
    void aQueryWithoutCredentialsSaysSoAndWhereItLooked(@TempDir Path work) throws Exception {
        Path config = work.resolve("store.cfg");
        Files.writeString(config, "[AWS]\nendpoint = http://127.0.0.1:" + S3ProxyServer.freePort()
                + "\npath_style_access = true\n");
        Map<String, String> noProfile = Map.of(
                "AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString(),
                "AWS_CONFIG_FILE", work.resolve("no-config").toString());

        EtlProcess.Finished run = EtlProcess.run(work, noProfile, "query", "top-users", "--lake",
                "s3a://udacity-dend/lake", "--config", config.toString());

        assertEquals(1, run.code(), run.output());
        String said = run.output().lines().filter(line -> line.startsWith("sparkify-lake: ")).findFirst()
                .orElseThrow(() -> new AssertionError(run.output()));
        assertTrue(said.startsWith("sparkify-lake: No AWS credentials were found for s3a://udacity-dend/lake, so "
                + "nothing was sent to http://127.0.0.1:"), said);
        assertTrue(said.contains("Looked in: --config [AWS] (no keys), the environment (AWS_ACCESS_KEY_ID and "
                + "AWS_SECRET_ACCESS_KEY not set), the AWS profile 'default' in " + work.resolve("no-credentials")
                + " (no such file)"), said);
        assertTrue(said.contains("the instance role (switched off by AWS_EC2_METADATA_DISABLED)"), said);
        assertFalse(run.output().contains("Access denied"), run.output());
        assertFalse(run.output().contains("\tat "), "no stack trace: " + run.output());
    }
}
