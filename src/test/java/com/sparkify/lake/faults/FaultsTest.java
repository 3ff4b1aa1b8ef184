package com.sparkify.lake.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.TestSpark;

/** The fault harness's small default, as CI runs it: one seeded round of each scenario (kills on both kinds of
 *  lake; two runs at once, readers and unreadable input on a Parquet lake; no 2 GiB line, no full disk). */
class FaultsTest {

    @TempDir
    Path work;

    @Test
    @Tag("slow")
    void oneRoundOfEveryScenarioFindsNoFailure() throws Exception {
        TestSpark.session(); // the harness's in-process commands run on this JVM's session
        FaultHarness.Options options = new FaultHarness.Options(1, 7, work.resolve("faults"));
        List<Outcome> outcomes = FaultHarness.run(options);
        String report = FaultHarness.report(options, outcomes);
        System.out.println(report);
        assertTrue(outcomes.stream().allMatch(o -> o.rounds == 1), report);
        assertTrue(outcomes.stream().allMatch(o -> o.notes.stream().noneMatch(n -> n.contains("the same before"))),
                "every table differs between the old lake and the new: " + report);
        assertTrue(outcomes.stream().filter(o -> o.scenario.startsWith("hostile")).allMatch(o -> o.faults >= 9),
                "every kind of damage was done: " + report);
        assertTrue(outcomes.stream().filter(o -> o.scenario.startsWith("input that cannot")).allMatch(o -> o.faults >= 3),
                "a folder loop, a link loop and a vanished file: " + report);
        assertEquals(List.of("parquet"), outcomes.stream().filter(o -> o.scenario.startsWith("two etl runs"))
                .map(o -> o.lake).toList(), "the suite tries two runs at once on a Parquet lake: " + report);
        assertTrue(outcomes.stream().filter(o -> o.scenario.startsWith("readers")).allMatch(o -> o.faults > 0),
                "readers asked while a run was under way: " + report);
        assertTrue(outcomes.stream().allMatch(o -> o.failures.isEmpty()), report);
        // (KillAtRandom first checks that its reader counts what the run says it wrote.)
    }

    @Test
    void theStageAKillCameAfterIsTheLastOneTheRunPrinted() {
        String log = "start spark        master local[*]                                               1.5 s\n"
                + "extract song_data  200 files, 200 records, 0 rejected                            0.9 s\n"
                + "tuning             1 MiB of input: 4 shuffle partitions\n";
        assertEquals("extract song_data", KillAtRandom.lastStage(log));
        assertEquals("nothing (JVM and Spark starting)", KillAtRandom.lastStage("WARN something\n"));
    }

    @Test
    void missingTablesReadAsMissing() {
        assertEquals(LakeFingerprint.Contents.MISSING, LakeFingerprint.of(work.resolve("nowhere"), false).get("songs"));
        assertEquals(LakeFingerprint.Contents.MISSING, LakeFingerprint.of(work.resolve("nowhere"), true).get("songs"));
    }

    @Test
    void linesAreCountedAsSparksTextReaderSplitsThem() {
        byte[] text = "a\r\nb\rc\n   \n\n\td\ne".getBytes(StandardCharsets.UTF_8);
        assertEquals(5, HostileInput.nonBlankLines(text), "a, b, c, a tab and d, e; not the spaces or the empty line");
    }
}
