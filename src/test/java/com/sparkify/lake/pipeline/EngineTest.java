package com.sparkify.lake.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.sparkify.lake.LakeException;

/** How the run's Spark is started and set up: a master that is not there, the Hadoop configuration trimmed. */
class EngineTest {

    @Test
    void aStandaloneMasterThatDoesNotAnswerIsSaidInOneLineBeforeSparkStarts() throws java.io.IOException {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String master = "spark://127.0.0.1:" + port;
        LakeException refused = assertThrows(LakeException.class, () -> Engine.requireMasterAnswers(master));
        assertTrue(refused.getMessage().startsWith("No Spark master answered at " + master + ": 127.0.0.1:" + port
                + " (connection refused)"), refused.getMessage());
        try (java.net.ServerSocket listening = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            Engine.requireMasterAnswers("spark://127.0.0.1:" + listening.getLocalPort());
        }
        Engine.requireMasterAnswers("local[2]");
    }

    @Test
    void yarnDefaultsLeaveTheHadoopConfigurationButWhatAUserSetStays() {
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        hadoop.addResource("yarn-default.xml");
        hadoop.set("yarn.resourcemanager.address", "rm.example:8032");
        String fsDefault = hadoop.get("fs.defaultFS");
        int before = hadoop.size();
        long yarnDefaults = keysFrom(hadoop, "yarn-default.xml");
        assertTrue(yarnDefaults > 100, "yarn-default.xml should bring YARN's defaults, found " + yarnDefaults);

        Engine.dropYarnDefaults(hadoop);

        assertEquals(0, keysFrom(hadoop, "yarn-default.xml"));
        assertEquals(before - yarnDefaults, hadoop.size(), "nothing but YARN's defaults should go");
        assertEquals("rm.example:8032", hadoop.get("yarn.resourcemanager.address"));
        assertEquals(fsDefault, hadoop.get("fs.defaultFS"));
    }

    private static long keysFrom(org.apache.hadoop.conf.Configuration hadoop, String resource) {
        long n = 0;
        for (java.util.Map.Entry<String, String> entry : hadoop) {
            String[] sources = hadoop.getPropertySources(entry.getKey());
            n += sources != null && java.util.List.of(sources).contains(resource) ? 1 : 0;
        }
        return n;
    }
}
