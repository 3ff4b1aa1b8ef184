package com.sparkify.lake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.pipeline.RunSummary;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.StandaloneCluster;
import com.sparkify.lake.support.TestSpark;

/**
 * The job on a real Spark standalone cluster: a master and two workers, each its own JVM on loopback, and
 * the driver started by spark-submit's own code with the application jar. The lake it builds must be the
 * local-mode lake, row for row. One run, of an Iceberg lake, whose runtime only the application jar brings: a
 * Parquet lake on a cluster is built by WorkerLossIT (launched as from a checkout, a worker lost) and by
 * LocalClusterIT (bin/local-cluster), each compared row for row with the local-mode lake.
 */
@Tag("slow")
class ClusterIT extends OnTwoWorkers {

    @Test
    void theApplicationJarHasTheJobAndNothingOfSpark() throws Exception {
        try (ZipFile jar = new ZipFile(StandaloneCluster.applicationJar().toFile())) {
            assertEquals("com.sparkify.lake.cli.SparkifyLake",
                    new java.util.jar.JarFile(jar.getName()).getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(jar.getEntry("com/sparkify/lake/pipeline/Pipeline.class") != null);
            assertTrue(jar.getEntry("picocli/CommandLine.class") != null, "picocli travels with the job");
            assertTrue(jar.getEntry("org/apache/iceberg/spark/SparkCatalog.class") != null,
                    "Iceberg's runtime travels with the job: a Spark installation does not have it");
            assertTrue(jar.getEntry("org/postgresql/Driver.class") != null, "so does the catalog's JDBC driver");
            // Iceberg's runtime puts a few classes of its own into Spark's packages (its SQL extensions): what
            // counts is that no class of the application jar is one a Spark installation has.
            java.util.Set<String> cluster = new java.util.HashSet<>();
            for (String entry : StandaloneCluster.clusterClasspath()) {
                if (entry.endsWith(".jar")) {
                    try (ZipFile provided = new ZipFile(entry)) {
                        provided.stream().map(java.util.zip.ZipEntry::getName).filter(name -> name.endsWith(".class"))
                                .forEach(cluster::add);
                    }
                }
            }
            List<String> provided = jar.stream().map(java.util.zip.ZipEntry::getName)
                    .filter(name -> name.endsWith(".class") && !name.endsWith("module-info.class"))
                    .filter(cluster::contains).limit(5).toList();
            assertEquals(List.of(), provided, "classes the cluster provides must not be in the application jar");
        }
    }

    @Test
    void theClusterBuildsAnIcebergLakeWithTheRuntimeFromTheApplicationJar() throws Exception {
        Path clusterLake = work.resolve("cluster-iceberg-lake");
        long start = System.nanoTime();
        StandaloneCluster.Started driver = cluster.startSubmittedDriver("iceberg-driver",
                "--input", TestSpark.sample().toString(), "--output", clusterLake.toString(), "--format", "iceberg");
        assertTrue(driver.process().waitFor(300, TimeUnit.SECONDS), "the cluster run did not end within 5 minutes:\n"
                + StandaloneCluster.tail(driver.output()));
        assertEquals(0, driver.process().exitValue(), StandaloneCluster.tail(driver.output()));
        System.out.printf("cluster run of the sample: %.1f s%n%s%n", (System.nanoTime() - start) / 1e9,
                StandaloneCluster.progress(driver.output()));

        Path localLake = Lakes.localSampleLake();
        Lakes.assertSameTables(localLake, clusterLake);
        RunSummary local = Lakes.summary(localLake);
        RunSummary onCluster = Lakes.summary(clusterLake);
        assertEquals(local.tables(), onCluster.tables());
        assertEquals(local.inputs(), onCluster.inputs());
        // No --master was given to etl: the job ran where spark-submit said.
        assertTrue(driver.output().contains("master " + cluster.masterUrl()), StandaloneCluster.tail(driver.output()));

        // Both workers ran an executor, and each executor fetched the application jar from the driver: the
        // job's classes, Iceberg's runtime among them, reached the workers the way spark-submit ships them, not
        // through their classpath.
        for (StandaloneCluster.Worker worker : cluster.workers()) {
            List<Path> executors = worker.executorFolders();
            assertFalse(executors.isEmpty(), worker.daemon().name() + " ran no executor");
            assertTrue(executors.stream().anyMatch(folder -> Files.exists(folder.resolve("sparkify-lake-app.jar"))),
                    worker.daemon().name() + "'s executor did not fetch the application jar: " + executors);
        }
    }
}
