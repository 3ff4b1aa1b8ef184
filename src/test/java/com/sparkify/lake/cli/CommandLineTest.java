package com.sparkify.lake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.support.Commands;
import com.sparkify.lake.support.Lakes;
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
        Commands.Result result = Commands.run(args);
        return new Result(result.code(), result.out(), result.err());
    }

    @Test
    void sqlAnswersAQueryOfOnesOwnAndABadOneInOneParagraph() throws IOException {
        String lake = Lakes.localSampleLake().toString();
        Result top = run("sql", "--lake", lake, "SELECT user_id, COUNT(*) AS plays FROM songplays "
                + "GROUP BY user_id ORDER BY plays DESC", "--limit", "1", "--format", "csv");
        assertEquals(0, top.code(), top.err());
        assertEquals("user_id,plays\n49,689\n", top.out(), "the top user of the real sample, with \\n endings");
        assertTrue(top.err().contains("more rows than --limit 1"), top.err());

        Result bad = run("sql", "--lake", lake, "SELECT no_such_column FROM songplays");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("The query failed: [UNRESOLVED_COLUMN"), bad.err());
        assertEquals(1, bad.err().strip().lines().count(), "one paragraph, no plan, no stack trace: " + bad.err());

        Result typo = run("sql", "--lake", lake, "SELEC 1");
        assertEquals(1, typo.code());
        assertTrue(typo.err().contains("PARSE_SYNTAX_ERROR") && typo.err().strip().lines().count() == 1, typo.err());

        Result drop = run("sql", "--lake", lake, "DROP TABLE songs");
        assertEquals(2, drop.code(), "only queries: " + drop.err());
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
        assertTrue(result.err().lines().anyMatch(line -> line.startsWith("sparkify-lake: The input has no song_data/ "
                + "folder")), result.err());
        assertFalse(result.err().contains("\tat "), "no stack trace: " + result.err());
    }

    @Test
    void anInputWithoutOutputOrABadThresholdIsRefused() {
        Result noOutput = run("etl", "--input", work.toString());
        assertEquals(2, noOutput.code(), "a usage error");
        assertTrue(noOutput.err().contains("--output is required"), noOutput.err());
        Result badFraction = run("etl", "--input", work.toString(), "--output", work.resolve("lake").toString(),
                "--max-rejected-fraction", "2");
        assertEquals(2, badFraction.code());
        assertTrue(badFraction.err().contains("between 0 and 1"), badFraction.err());
        assertEquals(2, run("etl", "--no-such-option").code(), "usage errors exit 2");
    }

    @Test
    void everyUsageErrorExitsTwoWithOneLineAndWhereHelpIs() {
        String lake = work.resolve("lake").toString();
        String[][] wrong = {
            {"query", "match-rate"},
            {"query", "match-rate", "--lake", lake, "--format", "xml"},
            {"query", "match-rate", "--lake", lake, "--limit", "-1"},
            {"query", "no-such-query", "--lake", lake},
            {"etl", "--input", work.toString(), "--output", lake, "--max-rejected-fraction", "5%"},
            {"etl", "--input", work.toString(), "--output", lake, "--format", "orc"},
            {"maintain", "--lake", lake, "--retention", "a week"},
            {"report", "--lake", lake},
            {"report", "--lake", lake, "--out", work.toString()},
        };
        for (String[] args : wrong) {
            Result result = run(args);
            String what = String.join(" ", args) + " -> " + result.err();
            assertEquals(2, result.code(), what);
            assertTrue(result.err().strip().lines().count() <= 3, "the error, not the whole help: " + what);
            assertTrue(result.err().contains("--help' for its usage"), what);
        }
        assertTrue(run("query", "match-rate").err().contains("--lake"), "names the missing option");
    }

    @Test
    void aMistypedCommandOrOptionGetsTheNameMeant() {
        Result command = run("elt", "--input", "in");
        assertEquals(2, command.code());
        assertTrue(command.err().contains("Did you mean 'sparkify-lake etl'?"), command.err());
        Result option = run("etl", "--ouptut", "lake");
        assertTrue(option.err().contains("Did you mean 'sparkify-lake etl --output'?"), option.err());
        assertEquals(List.of(), SparkifyLake.closest("zzz", List.of("etl", "query")).stream().toList());
    }

    @Test
    void aBareCommandAMistypedQueryAndABadFormatInTheConfigAreUsageErrors() throws IOException {
        Result bare = run();
        assertEquals(2, bare.code(), "no command is a wrong command line");
        assertTrue(bare.err().contains("Usage: sparkify-lake") && bare.out().isEmpty(), bare.err());
        Result query = run("query", "top-user", "--lake", work.toString());
        assertEquals(2, query.code());
        assertTrue(query.err().contains("Did you mean 'top-users'?"), query.err());
        Path config = work.resolve("lake.cfg");
        Files.writeString(config, "[lake]\nformat = iceburg\n");
        Result check = run("check", "--lake", work.toString(), "--config", config.toString());
        assertEquals(1, check.code());
        assertTrue(check.err().contains("must be parquet or iceberg, not 'iceburg'"), check.err());
    }

    @Test
    void aReportThatCannotBeWrittenSaysWhyBeforeComputingIt() throws IOException {
        Result proc = run("report", "--lake", Lakes.localSampleLake().toString(), "--out", "/proc/report.html");
        assertEquals(1, proc.code());
        String line = proc.err().lines().findFirst().orElse("");
        assertTrue(line.startsWith("sparkify-lake: Cannot write the report to /proc/report.html: ")
                && !line.endsWith(": /proc/report.html"), "the operating system's reason: " + line);
        Path blocked = work.resolve("a-file");
        Files.writeString(blocked, "not a folder");
        Result under = run("report", "--lake", Lakes.localSampleLake().toString(), "--out",
                blocked.resolve("report.html").toString());
        assertEquals(1, under.code());
        assertTrue(under.err().contains("is in the way") || under.err().contains("not a directory"), under.err());
    }

    @Test
    void anUnknownTableInSqlNamesTheLakesTables() throws IOException {
        Result unknown = run("sql", "--lake", Lakes.localSampleLake().toString(), "SELECT * FROM song_plays");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("The lake has no table `song_plays`") && unknown.err().contains(
                "songplays, users, songs, artists, time"), unknown.err());
    }

    @Test
    void queryHelpShowsTheLakeOrTheServer() {
        String help = run("query", "--help").out();
        // --lake or --remote: one of the two, which the command checks (a usage error names both).
        assertTrue(help.replaceAll("\\s+", " ").contains("(--list | (NAME [--lake=LAKE]))"), help);
        assertTrue(help.contains("--remote=sc://HOST:"), help);
    }

    @Test
    void aLakeInsideItsInputOrTheInputItselfIsRefused() throws IOException {
        Path input = work.resolve("input");
        Files.createDirectories(input.resolve("song_data"));
        for (String output : new String[] {input.toString(), input.resolve("lake").toString(), work.toString(),
            input + "/./"}) {
            Result result = run("etl", "--input", input.toString(), "--output", output);
            assertEquals(2, result.code(), output + ": " + result.err());
            assertTrue(result.err().contains("among the input files"), result.err());
        }
        Result check = run("check", "--lake", input.toString());
        assertEquals(1, check.code());
        assertTrue(check.err().contains("--output LAKE (a folder outside it)"), check.err());
        assertFalse(check.err().contains("--output " + input), "never advises writing into the input: " + check.err());
    }

    @Test
    void clusterSettingsComeFromTheCommandLine() {
        EtlCommand etl = new EtlCommand();
        new CommandLine(etl).parseArgs("--master", "spark://10.0.0.5:7077", "--shuffle-partitions", "48",
                "--files-per-partition", "6", "--conf", "spark.executor.memory=6g",
                "--conf", "spark.executor.cores=4", "--conf", "spark.sql.files.maxRecordsPerFile=100000");
        com.sparkify.lake.config.Settings settings = etl.settings();
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
