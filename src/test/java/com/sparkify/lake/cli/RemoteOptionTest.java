package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.sparkify.lake.config.LakeConfig;

/** --remote's address, and the token sent as a bearer header (Spark's token= would turn TLS on). */
class RemoteOptionTest {

    private static RemoteOption remote(String address) {
        RemoteOption option = new RemoteOption();
        option.remote = address;
        return option;
    }

    @Test
    void anAddressIsScHostAndPortThePortDefaultingToSparkConnects() {
        assertEquals(new RemoteOption.Address("lake-host", 15010), remote("sc://lake-host:15010").address());
        assertEquals(new RemoteOption.Address("lake-host", 15002), remote("sc://lake-host").address());
        for (String wrong : List.of("lake-host:15002", "http://lake-host:15002", "sc://", "sc://h:port",
                "sc://h:15002/;token=x")) {
            assertThrows(UsageError.class, () -> remote(wrong).address(), wrong);
        }
    }

    @Test
    void theTokenGoesAsABearerHeaderAndNoneWithout() {
        LakeConfig config = LakeConfig.parse(List.of("[serve]", "token = ab cd+ef"), "serve.cfg");
        assertEquals("sc://h:15002/;authorization=Bearer%20ab%20cd%2Bef", remote("sc://h:15002").connection(config));
        // Without a config file, the environment's token (none in the test JVM) or nothing.
        if (System.getenv(com.sparkify.lake.config.ServeAccess.TOKEN_VARIABLE) == null) {
            assertEquals("sc://h:15002", remote("sc://h:15002").connection(LakeConfig.none()));
        }
    }
}
