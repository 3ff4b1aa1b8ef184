package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.TestSpark;

import picocli.CommandLine;

class CommandLineTest {

    @TempDir
    Path work;

    record Result(int code, String out, String err) {
    }

    @BeforeAll
    static void shareTheTestSession() {
        TestSpark.session(); // etl then reuses it and leaves it running
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine command = SparkifyLake.commandLine();
        command.setOut(new PrintWriter(out, true));
        command.setErr(new PrintWriter(err, true));
        int code = command.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void everySubcommandHasHelp() {
        Result etl = run("etl", "--help");
        assertEquals(0, etl.code());
        assertTrue(etl.out().contains("--input") && etl.out().contains("--max-rejected-fraction"), etl.out());
        Result generate = run("generate", "--help");
        assertEquals(0, generate.code());
        assertTrue(generate.out().contains("--songs") && generate.out().contains("--seed"), generate.out());
        assertEquals(0, run("--help").code());
    }

    @Test
    void aMissingInputFolderIsOneClearLineAndExitCodeOne() {
        Result result = run("etl", "--input", work.resolve("nowhere").toString(), "--output", work.resolve("lake").toString());
        assertEquals(1, result.code());
        assertTrue(result.err().startsWith("sparkify-lake: The input has no song_data/ folder"), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    @Test
    void anInputWithoutOutputOrABadThresholdIsRefused() {
        Result noOutput = run("etl", "--input", work.toString());
        assertEquals(1, noOutput.code());
        assertTrue(noOutput.err().contains("--output is required"), noOutput.err());
        Result badFraction = run("etl", "--input", work.toString(), "--output", work.toString(),
                "--max-rejected-fraction", "2");
        assertEquals(1, badFraction.code());
        assertTrue(badFraction.err().contains("between 0 and 1"), badFraction.err());
        assertEquals(2, run("etl", "--no-such-option").code(), "usage errors exit 2");
    }

    @Test
    void clusterSettingsComeFromTheCommandLine() {
        EtlCommand etl = new EtlCommand();
        new CommandLine(etl).parseArgs("--master", "spark://10.0.0.5:7077", "--shuffle-partitions", "48",
                "--files-per-partition", "6", "--conf", "spark.executor.memory=6g",
                "--conf", "spark.executor.cores=4", "--conf", "spark.sql.files.maxRecordsPerFile=100000");
        com.sparkify.lake.Settings settings = etl.settings();
        assertEquals("spark://10.0.0.5:7077", settings.master());
        assertEquals(48, settings.shufflePartitions());
        assertEquals(6, settings.filesPerPartition());
        assertEquals(java.util.Map.of("spark.executor.memory", "6g", "spark.executor.cores", "4",
                "spark.sql.files.maxRecordsPerFile", "100000"), settings.sparkConf());

        EtlCommand plain = new EtlCommand();
        new CommandLine(plain).parseArgs();
        assertEquals("local[*]", plain.settings().master(), "without spark-submit, Spark runs in this process");
        assertEquals(null, plain.settings().shufflePartitions(), "sized from the input");

        Result notSpark = run("etl", "--input", work.toString(), "--output", work.toString(), "--conf", "memory=2g");
        assertEquals(1, notSpark.code());
        assertTrue(notSpark.err().contains("'memory' is not a Spark property"), notSpark.err());
    }

    @Test
    void generateRefusesToMixWithAnExistingDataSet() throws IOException {
        Path out = work.resolve("data");
        assertEquals(0, run("generate", "--output", out.toString(), "--songs", "5", "--events", "50", "--days", "2").code());
        assertTrue(Files.isDirectory(out.resolve("log_data/2018/11")));
        Result again = run("generate", "--output", out.toString(), "--songs", "5", "--events", "50");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("--overwrite"), again.err());
        assertEquals(0, run("generate", "--output", out.toString(), "--songs", "5", "--events", "50", "--overwrite").code());
    }
}
