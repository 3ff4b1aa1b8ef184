package com.sparkify.lake.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.config.Settings;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.SampleLake;
import com.sparkify.lake.support.TestSpark;

/**
 * The fast tier's whole run on the real sample into an Iceberg lake: the same tables, row for row, as the
 * sample's Parquet lake (SampleLakeTest holds that one to SPEC's figures), all checks passed, and a second run
 * over the same input reads nothing and changes nothing.
 */
class IcebergSampleLakeTest {

    @TempDir
    Path work;

    @Test
    void theSampleAsIcebergTablesIsTheParquetLakeAndASecondRunFindsNothingNew() {
        Path lake = work.resolve("lake");
        Settings iceberg = TestSpark.settings().withFormat(Settings.Format.ICEBERG);
        RunSummary first = Lakes.build(TestSpark.sample(), lake, iceberg);

        assertEquals(RunSummary.SUCCEEDED, first.status());
        assertEquals(RunSummary.FULL, first.kind());
        assertEquals(SampleLake.get().summary().tables(), Map.copyOf(first.tables()));
        assertTrue(first.checks().size() >= 17, "every check ran: " + first.checks());
        assertEquals(List.of(), first.checks().stream().filter(check -> !check.passed()).toList());
        Lakes.assertSameTables(SampleLake.get().lake(), lake);

        Map<String, Long> snapshots = Lakes.snapshotIds(lake);
        RunSummary second = Lakes.build(TestSpark.sample(), lake, iceberg);
        assertEquals(RunSummary.NOTHING_NEW, second.kind());
        assertEquals(first.tables(), second.tables());
        assertEquals(snapshots, Lakes.snapshotIds(lake));
    }
}
