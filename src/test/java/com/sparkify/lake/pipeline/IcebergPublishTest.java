package com.sparkify.lake.pipeline;

import static com.sparkify.lake.support.InputFiles.event;
import static com.sparkify.lake.support.InputFiles.play;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.sparkify.lake.KillSwitch;
import com.sparkify.lake.LakeException;
import com.sparkify.lake.analytics.LakeTables;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.load.IcebergLake;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.quality.Checks;
import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.InputFiles;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/**
 * Write-audit-publish on an Iceberg lake: what readers see while a run publishes, after a run whose checks
 * fail, and after a run killed at a chosen moment.
 */
@Tag("slow")
class IcebergPublishTest {

    @TempDir
    static Path work;

    static Path fullLake;
    static List<String> first;
    static List<String> rest;

    @BeforeAll
    static void loadEverythingAtOnce() {
        List<String> names = IncrementalLoadTest.WORLD.names();
        first = names.subList(0, 3);
        rest = names.subList(3, names.size());
        fullLake = work.resolve("full");
        Lakes.build(IncrementalLoadTest.WORLD.writeTo(work.resolve("all")), fullLake, IncrementalLoadTest.ICEBERG);
    }

    /** A lake that has loaded the first batch, and its input folder with the rest of the files added. */
    private static Path[] firstBatchLoaded(String name) {
        Path input = IncrementalLoadTest.WORLD.writeTo(work.resolve(name + "-input"), first);
        Path lake = work.resolve(name + "-lake");
        Lakes.build(input, lake, IncrementalLoadTest.ICEBERG);
        IncrementalLoadTest.WORLD.writeTo(input, rest);
        return new Path[] {input, lake};
    }

    private static LakeCatalog catalog(Path lake) {
        SparkSession spark = TestSpark.session();
        return LakeCatalog.open(spark, LakeCatalog.qualified(lake.toString(),
                spark.sparkContext().hadoopConfiguration()), LakeConfig.none(), false);
    }

    /** The run branches left in the lake's tables. */
    private static List<String> runBranches(Path lake) {
        LakeCatalog catalog = catalog(lake);
        List<String> left = new ArrayList<>();
        for (String name : IcebergLake.ORDER) {
            catalog.table(name).refs().keySet().stream().filter(ref -> ref.startsWith("run_"))
                    .forEach(ref -> left.add(name + "@" + ref));
        }
        return left;
    }

    private static void assertChecksPass(Path lake) {
        SparkSession spark = TestSpark.session();
        Map<String, Long> committed = LakeTables.committedRows(spark, lake.toString(), LakeConfig.none()).orElseThrow();
        List<String> failed = Checks.onLake(spark, lake.toString(), LakeConfig.none()).run(committed).stream()
                .filter(result -> !result.passed()).map(Checks.Result::line).toList();
        assertEquals(List.of(), failed);
    }

    @Test
    void aRunWhoseChecksFailLeavesEveryTableAsItWas() {
        Path[] lake = firstBatchLoaded("audited");
        // A play's time taken out of the lake behind its back: the next batch does not touch that instant, so
        // the tables it would publish fail "every songplays.start_time exists in time".
        TestSpark.session().sql("DELETE FROM " + catalog(lake[1]).sparkName("time") + " WHERE start_time = "
                + "TIMESTAMP '2018-11-20 10:05:00Z'");
        Map<String, Long> before = Lakes.snapshotIds(lake[1]);

        LakeException failed = assertThrows(LakeException.class,
                () -> Lakes.build(lake[0], lake[1], IncrementalLoadTest.ICEBERG));

        assertTrue(failed.getMessage().contains("songplays.start_time exists in time"), failed.getMessage());
        assertTrue(failed.getMessage().contains("not published"), failed.getMessage());
        assertEquals(before, Lakes.snapshotIds(lake[1]), "no table moved");
        assertEquals(List.of(), runBranches(lake[1]), "nothing of the failed run is left in the catalog");
    }

    @Test
    void afterARunThatSkippedItsChecksTheNextRunChecksTheWholeLake() {
        Path[] lake = firstBatchLoaded("unchecked");
        // Broken behind the runs' back, as above; then a run that skips its checks publishes over it.
        TestSpark.session().sql("DELETE FROM " + catalog(lake[1]).sparkName("time") + " WHERE start_time = "
                + "TIMESTAMP '2018-11-20 10:05:00Z'");
        Lakes.build(lake[0], lake[1], IncrementalLoadTest.ICEBERG.withChecks(false));
        // A day that has nothing to do with the missing instant: checking what it changes alone would pass.
        new InputFiles().log("2018-11-22-events.json", List.of(event("8", 82, 0, "2018-11-22T08:00:00Z",
                play("Artist X", "Song", 200.0)))).writeTo(lake[0]);
        Map<String, Long> before = Lakes.snapshotIds(lake[1]);

        LakeException failed = assertThrows(LakeException.class,
                () -> Lakes.build(lake[0], lake[1], IncrementalLoadTest.ICEBERG));

        assertTrue(failed.getMessage().contains("songplays.start_time exists in time"), failed.getMessage());
        assertEquals(before, Lakes.snapshotIds(lake[1]), "no table moved");
    }

    @Test
    void readersSeeTheOldTablesOrTheNewOnesNeverAMix() throws Exception {
        Path[] lake = firstBatchLoaded("read");
        SparkSession spark = TestSpark.session();
        String songplays = catalog(lake[1]).sparkName("songplays");
        long old = spark.table(songplays).count();
        Set<Long> seen = new ConcurrentSkipListSet<>();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Throwable> readerFailed = new AtomicReference<>();
        int[] reads = new int[1];
        Thread reader = new Thread(() -> {
            try {
                while (!done.get()) {
                    seen.add(spark.table(songplays).count());
                    reads[0]++;
                }
            } catch (Throwable e) {
                readerFailed.set(e);
            }
        }, "reader");
        reader.start();
        try {
            Lakes.build(lake[0], lake[1], IncrementalLoadTest.ICEBERG);
        } finally {
            done.set(true);
            reader.join();
        }
        long now = spark.table(songplays).count();
        assertEquals(null, readerFailed.get(), "a reader never gets an error");
        assertNotEquals(old, now);
        assertTrue(reads[0] > 3, "the reader read while the run ran: " + reads[0]);
        assertTrue(Set.of(old, now).containsAll(seen), "counts seen " + seen + ", old " + old + ", new " + now);
    }

    /**
     * Killed during the writes, and between the commits of the publication (four tables published, the fact
     * table not): the lake passes its checks right after, and the next run converges to the lake one load of
     * everything gives. Kills at random moments, on both kinds of lake and through S3, are the fault harness's
     * (faults/run; FaultsTest runs a round).
     */
    @ParameterizedTest
    @ValueSource(strings = {"merge songs", "publish songplays"})
    void aRunKilledAtAnyMomentLeavesACheckedLakeAndTheNextRunConverges(String moment) throws Exception {
        Path[] lake = firstBatchLoaded("killed-" + moment.replace(' ', '-'));
        Map<String, Long> before = Lakes.snapshotIds(lake[1]);

        EtlProcess.Finished killed = EtlProcess.run(work, Map.of(KillSwitch.VARIABLE, moment), "etl", "--input",
                lake[0].toString(), "--output", lake[1].toString(), "--format", "iceberg", "--master", "local[2]",
                "--shuffle-partitions", "4");

        assertEquals(137, killed.code(), killed.output());
        assertChecksPass(lake[1]);
        boolean published = moment.startsWith("publish");
        if (!published) {
            assertEquals(before, Lakes.snapshotIds(lake[1]), "killed before publishing: no table moved");
        } else {
            assertNotEquals(before.get("songs"), Lakes.snapshotIds(lake[1]).get("songs"));
        }
        assertFalse(runBranches(lake[1]).isEmpty(), "the killed run's branches are there for the next run");

        RunSummary next = Lakes.build(lake[0], lake[1], IncrementalLoadTest.ICEBERG);
        assertEquals(published ? RunSummary.NOTHING_NEW : RunSummary.INCREMENTAL, next.kind(),
                "a publication that had begun is finished; one that had not is redone");
        Lakes.assertSameTables(fullLake, lake[1]);
        assertEquals(List.of(), runBranches(lake[1]));
        assertChecksPass(lake[1]);
    }
}
