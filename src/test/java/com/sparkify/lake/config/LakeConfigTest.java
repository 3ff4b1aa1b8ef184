package com.sparkify.lake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.LakeException;

class LakeConfigTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

    @Test
    void readsTheSeedsFormatWithQuotesCommentsAndBothSeparators() {
        LakeConfig config = LakeConfig.parse(List.of(
                "# the seed's dl.cfg",
                "[AWS]",
                "AWS_ACCESS_KEY_ID='AKIAEXAMPLE0001'",
                "AWS_SECRET_ACCESS_KEY = \"" + SECRET + "\"",
                "region: eu-west-1",
                "endpoint = http://127.0.0.1:9000",
                "path_style_access = true",
                "",
                "[spark]",
                "; a comment",
                "spark.sql.shuffle.partitions = 16",
                "spark.hadoop.fs.s3a.threads.max=32"), "dl.cfg");

        LakeConfig.Credentials keys = config.credentials().orElseThrow();
        assertEquals("AKIAEXAMPLE0001", keys.accessKeyId());
        assertEquals(SECRET, keys.secretAccessKey());
        assertEquals(Optional.empty(), keys.sessionToken());
        assertEquals(Optional.of("eu-west-1"), config.region());
        assertEquals(Optional.of("http://127.0.0.1:9000"), config.endpoint());
        assertEquals(Optional.of(true), config.pathStyleAccess());
        assertEquals(Map.of("spark.sql.shuffle.partitions", "16", "spark.hadoop.fs.s3a.threads.max", "32"),
                config.spark());
    }

    @Test
    void printingAConfigNeverShowsItsKeys() {
        LakeConfig config = LakeConfig.parse(List.of("[AWS]", "AWS_ACCESS_KEY_ID=AKIAEXAMPLE0001",
                "AWS_SECRET_ACCESS_KEY=" + SECRET, "AWS_SESSION_TOKEN=FwoGZXIvYXdzEXAMPLETOKEN",
                "[spark]", "spark.hadoop.fs.s3a.secret.key=" + SECRET), "dl.cfg");
        String shown = config.toString();
        assertFalse(shown.contains(SECRET), shown);
        assertFalse(shown.contains("AKIAEXAMPLE0001"), shown);
        assertFalse(shown.contains("FwoGZXIvYXdzEXAMPLETOKEN"), shown);
        assertTrue(shown.contains("session token"), shown);
    }

    @Test
    void mistakesAreNamedByLineAndKeyWithoutEchoingValues() {
        LakeException halfKeys = assertThrows(LakeException.class, () -> LakeConfig.parse(
                List.of("[AWS]", "AWS_SECRET_ACCESS_KEY=" + SECRET), "dl.cfg"));
        assertTrue(halfKeys.getMessage().contains("no AWS_ACCESS_KEY_ID"), halfKeys.getMessage());
        assertFalse(halfKeys.getMessage().contains(SECRET));

        LakeException typo = assertThrows(LakeException.class, () -> LakeConfig.parse(
                List.of("[AWS]", "AWS_SECRET_KEY=" + SECRET), "dl.cfg"));
        assertTrue(typo.getMessage().startsWith("dl.cfg line 2: unknown key AWS_SECRET_KEY"), typo.getMessage());
        assertFalse(typo.getMessage().contains(SECRET));

        LakeException notSpark = assertThrows(LakeException.class, () -> LakeConfig.parse(
                List.of("[spark]", "fs.s3a.endpoint=x"), "dl.cfg"));
        assertTrue(notSpark.getMessage().contains("not a Spark setting"), notSpark.getMessage());

        LakeException noSection = assertThrows(LakeException.class, () -> LakeConfig.parse(
                List.of("region=us-east-1"), "dl.cfg"));
        assertTrue(noSection.getMessage().contains("before any section"), noSection.getMessage());
    }

    @Test
    void aMissingFileSaysWhatToDo(@TempDir Path dir) throws Exception {
        LakeException missing = assertThrows(LakeException.class, () -> LakeConfig.load(dir.resolve("dl.cfg")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path file = dir.resolve("ok.cfg");
        Files.writeString(file, "[AWS]\nregion = us-west-2\n");
        LakeConfig config = LakeConfig.load(file);
        assertTrue(config.credentials().isEmpty(), "no keys in the file: the environment's are used");
        assertEquals(Optional.of("us-west-2"), config.region());
    }
}
