package com.sparkify.lake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.sparkify.lake.LakeException;

/** serve's token and address rules, before anything listens. */
class ServeAccessTest {

    private static LakeConfig withToken(String token) {
        return LakeConfig.parse(List.of("[serve]", "token = " + token), "serve.cfg");
    }

    @Test
    void theConfigFilesTokenWinsOverTheEnvironmentsAndABlankOneIsNone() {
        assertEquals(Optional.of("from-the-file-123"), ServeAccess.token(withToken("from-the-file-123"), "from-env-456"));
        assertEquals(Optional.of("from-env-456"), ServeAccess.token(LakeConfig.none(), "from-env-456"));
        assertEquals(Optional.empty(), ServeAccess.token(LakeConfig.none(), "  "));
        assertEquals(Optional.empty(), ServeAccess.token(LakeConfig.none(), null));
    }

    @Test
    void theTokenIsNeverPrintedWithTheConfig() {
        String printed = withToken("s3cret-serve-token").toString();
        assertFalse(printed.contains("s3cret-serve-token"), printed);
        assertTrue(printed.contains("serve token=set, not shown"), printed);
    }

    @Test
    void beyondLoopbackOnlyWithAToken() {
        ServeAccess.requireTokenBeyondLoopback("127.0.0.1", Optional.empty());
        ServeAccess.requireTokenBeyondLoopback("localhost", Optional.empty());
        ServeAccess.requireTokenBeyondLoopback("0.0.0.0", Optional.of("a-token-of-length"));
        LakeException refused = assertThrows(LakeException.class,
                () -> ServeAccess.requireTokenBeyondLoopback("0.0.0.0", Optional.empty()));
        assertTrue(refused.getMessage().contains("only with a token"), refused.getMessage());
        assertEquals(1, refused.getMessage().lines().count());
    }

    @Test
    void anUnknownKeyUnderServeNamesTheKeyNotTheValue() {
        LakeException wrong = assertThrows(LakeException.class,
                () -> LakeConfig.parse(List.of("[serve]", "tokn = abcdefgh-secret"), "serve.cfg"));
        assertTrue(wrong.getMessage().contains("unknown key tokn in [serve]"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("abcdefgh-secret"));
    }
}
