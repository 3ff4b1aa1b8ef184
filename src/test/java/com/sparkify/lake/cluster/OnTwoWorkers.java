package com.sparkify.lake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.StandaloneCluster;
import com.sparkify.lake.support.TestSpark;

/** A test class whose tests share one standalone master and two workers, stopped when the class ends. */
abstract class OnTwoWorkers {

    @TempDir
    static Path work;

    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        TestSpark.sample(); // fails in CI, skips elsewhere, when the sample is missing
        cluster = StandaloneCluster.start(work.resolve("cluster"), 2);
    }

    @AfterAll
    static void stopEverything() {
        if (cluster != null) {
            cluster.close();
            assertEquals(List.of(), cluster.alive(), "processes of the cluster still running");
            cluster = null;
        }
    }
}
