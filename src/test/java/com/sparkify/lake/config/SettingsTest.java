package com.sparkify.lake.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import com.sparkify.lake.LakeException;

/** How a run's shuffles and writes are sized: from the input, unless someone fixed them. */
class SettingsTest {

    static final long MIB = 1L << 20;
    static final long GIB = 1L << 30;

    /** A launcher that set nothing (not spark-submit, no spark-defaults). */
    static final SparkConf NOTHING_SET = new SparkConf(false);

    static Settings.Tuning tuning(Settings settings, long bytes, int cores) {
        return settings.tuningFor(bytes, cores, NOTHING_SET);
    }

    @Test
    void theSampleIsSmallSoTwoTasksPerCoreAndOneFilePerFolder() {
        // 3.6 MiB of JSON: far below 64 MiB a partition, so the floor of 4 (2 cores) decides.
        assertEquals(new Settings.Tuning(3_775_000, 4, 1, 5_000_000, false),
                tuning(Settings.defaults(), 3_775_000, 2));
    }

    @Test
    void plansAreCompiledFromSixteenMibOfInputOnUnlessTheUserSaid() {
        assertFalse(tuning(Settings.defaults(), 16 * MIB - 1, 2).wholeStageCodegen());
        assertTrue(tuning(Settings.defaults(), 16 * MIB, 2).wholeStageCodegen());
        assertTrue(tuning(Settings.defaults().withSpark("spark.sql.codegen.wholeStage", "true"), MIB, 2)
                .wholeStageCodegen());
        assertFalse(Settings.defaults().tuningFor(10 * GIB, 2,
                new SparkConf(false).set("spark.sql.codegen.wholeStage", "false")).wholeStageCodegen());
    }

    @Test
    void partitionsAndWritersGrowWithTheInput() {
        // 10 GiB / 64 MiB = 160 partitions; 10 GiB / 1 GiB = 10 writers a folder.
        Settings.Tuning tenGib = tuning(Settings.defaults(), 10 * GIB, 2);
        assertEquals(160, tenGib.shufflePartitions());
        assertEquals(10, tenGib.filesPerPartition());
        // 10 GiB + 1 byte needs an 11th writer and a 161st partition: both round up.
        assertEquals(161, tuning(Settings.defaults(), 10 * GIB + 1, 2).shufflePartitions());
        assertEquals(11, tuning(Settings.defaults(), 10 * GIB + 1, 2).filesPerPartition());
        // 1 TiB would be 16,384 partitions and 1,024 writers: both stop at their ceiling.
        Settings.Tuning oneTib = tuning(Settings.defaults(), 1024 * GIB, 8);
        assertEquals(4_000, oneTib.shufflePartitions());
        assertEquals(64, oneTib.filesPerPartition());
    }

    @Test
    void aBigClusterGetsTwoTasksPerCoreEvenOnSmallInput() {
        // 100 MiB is 2 partitions by size, but 64 cores would sit idle: 128.
        assertEquals(128, tuning(Settings.defaults(), 100 * MIB, 64).shufflePartitions());
    }

    @Test
    void whatTheUserFixedStays() {
        assertEquals(7, tuning(Settings.defaults().withShufflePartitions(7), 10 * GIB, 2).shufflePartitions());
        assertEquals(33, tuning(Settings.defaults().withSpark("spark.sql.shuffle.partitions", "33"), 10 * GIB, 2)
                .shufflePartitions());
        assertEquals(3, tuning(Settings.defaults().withFilesPerPartition(3), 3 * MIB, 2).filesPerPartition());
        assertEquals(1_000, tuning(Settings.defaults().withSpark("spark.sql.files.maxRecordsPerFile", "1000"),
                MIB, 2).maxRecordsPerFile());
        // spark-submit --conf (or spark-defaults.conf) reaches the job as the launcher's SparkConf.
        SparkConf submitted = new SparkConf(false).set("spark.sql.shuffle.partitions", "21")
                .set("spark.sql.files.maxRecordsPerFile", "0");
        Settings.Tuning fromSubmit = Settings.defaults().tuningFor(10 * GIB, 2, submitted);
        assertEquals(21, fromSubmit.shufflePartitions());
        assertEquals(0, fromSubmit.maxRecordsPerFile());
        // The command line's own option wins over a --conf of the same thing.
        assertEquals(5, Settings.defaults().withShufflePartitions(5).tuningFor(10 * GIB, 2, submitted)
                .shufflePartitions());
    }

    @Test
    void onlySparkPropertiesAndSensibleCountsAreTaken() {
        LakeException notSpark = assertThrows(LakeException.class,
                () -> Settings.defaults().withSpark("executor.memory", "2g"));
        assertTrue(notSpark.getMessage().contains("not a Spark property"), notSpark.getMessage());
        assertThrows(LakeException.class, () -> Settings.defaults().withShufflePartitions(0));
        assertThrows(LakeException.class, () -> Settings.defaults().withFilesPerPartition(0));
        LakeException notANumber = assertThrows(LakeException.class,
                () -> tuning(Settings.defaults().withSpark("spark.sql.shuffle.partitions", "many"), MIB, 2));
        assertEquals("spark.sql.shuffle.partitions must be a whole number, not 'many'.", notANumber.getMessage());
    }

    @Test
    void theTuningSaysWhatItChose() {
        assertEquals("3.6 MiB of input: 4 shuffle partitions, 1 file per partition folder, plans not compiled",
                new Settings.Tuning(3_775_000, 4, 1, 5_000_000, false).describe());
        assertEquals("10.0 GiB of input: 160 shuffle partitions, 10 files per partition folder",
                new Settings.Tuning(10 * GIB, 160, 10, 5_000_000, true).describe());
    }
}
