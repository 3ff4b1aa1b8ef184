package com.sparkify.lake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.generate.Generator;
import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.StandaloneCluster;
import com.sparkify.lake.support.TestSpark;

/**
 * A worker dies while the job runs. Its executor's cached input and shuffle files go with it; Spark must run
 * those tasks again on the other worker, and the lake must come out exactly as if nothing had happened: no
 * row lost, none written twice, the run's counts unchanged.
 */
@Tag("slow")
class WorkerLossIT extends OnTwoWorkers {

    @Test
    void aWorkerKilledMidRunLosesAndDuplicatesNothing() throws Exception {
        Path expected = Lakes.localSampleLake();
        // The lake already holds an earlier, different build, which the run must replace whole.
        Path lake = work.resolve("lake");
        Path earlierInput = work.resolve("earlier-input");
        new Generator(new Generator.Spec(40, 600, 3, 2, Generator.Spec.REAL_FIRST_DAY)).write(earlierInput);
        Map<String, List<Row>> earlier = Lakes.tables(lakeBuiltLocally(earlierInput, lake));
        assertNotEquals(Lakes.tables(expected).get("songplays").size(), earlier.get("songplays").size());

        // Started as a user would from a checkout (issue point 2), the runnable jar shipped to the executors.
        StandaloneCluster.Started driver = cluster.startLauncherDriver("driver",
                "--input", TestSpark.sample().toString(), "--output", lake.toString());
        // Both inputs are read and cached on the two executors; every table is still to be built.
        cluster.awaitLog(driver, Pattern.compile("(?m)^extract log_data "), Duration.ofSeconds(150));
        assertTrue(driver.process().isAlive(), "the run ended before the worker could be killed");
        StandaloneCluster.Worker victim = cluster.workers().get(1);
        assertFalse(victim.executorFolders().isEmpty(), "the worker to kill runs no executor of this job");
        cluster.killWorker(victim);

        assertTrue(driver.process().waitFor(180, TimeUnit.SECONDS), "the run did not end within 3 minutes:\n"
                + StandaloneCluster.tail(driver.output()));
        assertEquals(0, driver.process().exitValue(), "the run should finish on the other worker:\n"
                + StandaloneCluster.tail(driver.output()));
        System.out.printf("cluster run with a worker killed after the extract:%n%s%n",
                StandaloneCluster.progress(driver.output()));
        assertTrue(driver.output().contains("Lost executor"), "the driver never noticed the lost executor:\n"
                + StandaloneCluster.tail(driver.output()));

        assertTrue(victim.executorFolders().stream().anyMatch(f -> Files.exists(f.resolve("sparkify-lake.jar"))),
                "the executor got the runnable jar from the driver");
        Lakes.assertSameTables(expected, lake);
        RunSummary local = Lakes.summary(expected);
        RunSummary afterLoss = Lakes.summary(lake);
        // Row counts are taken while writing; a re-run stage must not count its rows twice.
        assertEquals(local.tables(), afterLoss.tables());
        assertEquals(local.inputs(), afterLoss.inputs());
        assertFalse(Files.exists(lake.resolve("_staging")), "nothing of the run is left in staging");
    }

    private static Path lakeBuiltLocally(Path input, Path lake) {
        Lakes.build(input, lake);
        return lake;
    }
}
