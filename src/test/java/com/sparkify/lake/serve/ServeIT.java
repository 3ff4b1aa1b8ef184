package com.sparkify.lake.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.sparkify.lake.analytics.QueryCatalog;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.config.Settings;
import com.sparkify.lake.load.LakeCatalog;
import com.sparkify.lake.load.Publication;
import com.sparkify.lake.support.Commands;
import com.sparkify.lake.support.EtlProcess;
import com.sparkify.lake.support.Lakes;
import com.sparkify.lake.support.TestSpark;

/**
 * {@code sparkify-lake serve} as a user starts it (a process of its own, with a token, on a free loopback port,
 * stopped with SIGTERM by its pid), asked through Spark's JVM Connect client: the answers are the local ones, the
 * token is required, nothing changes the lake, clients at once get no error, and while an etl publishes into the
 * served lake every answer is the old run's or the new one's. One server for the whole class.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.MethodName.class)
class ServeIT {

    /** The five counts in one query, each from a subquery of its own: a mix of two runs would show. */
    private static final String COUNTS = "SELECT (SELECT count(*) FROM songplays) AS songplays, "
            + "(SELECT count(*) FROM users) AS users, (SELECT count(*) FROM songs) AS songs, "
            + "(SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM time) AS time";

    @TempDir
    static Path work;

    private Path lake;
    private Path secondInput;
    private Path config;
    private String token;
    private String url;
    private EtlProcess.Started server;

    /**
     * The clients below are Connect sessions of this JVM: making one sets it as the process's default and the
     * thread's active session, and stopping it clears them, in a registry the JVM's local session shares. Every
     * test starts and ends with this JVM's own session in both places, as the suite's other classes expect.
     */
    @BeforeEach
    void startWithTheJvmsOwnSession() {
        theJvmsOwnSessionIsDefaultAndActive();
    }

    @AfterEach
    void leaveTheJvmsOwnSession() {
        theJvmsOwnSessionIsDefaultAndActive();
    }

    private static void theJvmsOwnSessionIsDefaultAndActive() {
        org.apache.spark.sql.SparkSession.setDefaultSession(TestSpark.session());
        org.apache.spark.sql.SparkSession.setActiveSession(TestSpark.session());
    }

    @BeforeAll
    void serveALake() throws Exception {
        Path firstInput = work.resolve("first");
        secondInput = work.resolve("second");
        // Two inputs of different sizes: every table of the second run differs in its count from the first's.
        assertEquals(0, Commands.run("generate", "--output", firstInput.toString(), "--songs", "40", "--events",
                "1500", "--days", "3", "--seed", "1").code());
        assertEquals(0, Commands.run("generate", "--output", secondInput.toString(), "--songs", "70", "--events",
                "2600", "--days", "4", "--seed", "2").code());
        lake = work.resolve("lake");
        Lakes.build(firstInput, lake);

        token = UUID.randomUUID().toString();
        config = work.resolve("serve.cfg");
        Files.writeString(config, "[serve]\ntoken = " + token + "\n");
        int port = freePort();
        url = "sc://127.0.0.1:" + port;
        server = EtlProcess.start(work, Map.of("SPARKIFY_SERVE_TOKEN", token), "serve", "--lake", lake.toString(),
                "--port", String.valueOf(port));
        awaitReady(server, port);
    }

    @AfterAll
    void stopTheServer() throws Exception {
        if (server == null) {
            return;
        }
        // SIGTERM, as a service manager stops it: the server closes and says so.
        server.process().destroy();
        boolean ended = server.process().waitFor(60, TimeUnit.SECONDS);
        String log = Files.readString(server.log());
        ProcessHandle.of(server.process().pid()).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(ended, "serve did not stop within 60 s of SIGTERM: " + log);
        assertTrue(log.contains("sparkify-lake serve: stopped"), log);
        assertFalse(log.contains(token), "the token was printed: " + log);
    }

    @Test
    void everyNamedQueryAnswersAsItDoesOnTheLakeItself() {
        for (QueryCatalog.Query query : QueryCatalog.all()) {
            Commands.Result local = Commands.run("query", query.name(), "--lake", lake.toString(), "--format", "csv",
                    "--limit", "100000");
            Commands.Result remote = Commands.run("query", query.name(), "--remote", url, "--config",
                    config.toString(), "--format", "csv", "--limit", "100000");
            assertEquals(0, local.code(), local.err());
            assertEquals(0, remote.code(), remote.err());
            assertTrue(local.out().lines().count() > 1, query.name() + " answered nothing: " + local.out());
            assertEquals(local.out(), remote.out(), query.name());
        }
        // sql too, with the plain names a new client session resolves as they are.
        String sql = "SELECT level, count(*) AS plays FROM songplays GROUP BY level ORDER BY level";
        Commands.Result local = Commands.run("sql", "--lake", lake.toString(), sql);
        Commands.Result remote = Commands.run("sql", "--remote", url, "--config", config.toString(), sql);
        assertEquals(0, remote.code(), remote.err());
        assertEquals(local.out(), remote.out());
        // The remote commands left this JVM's own session its default and active one: a command run after them
        // joins it, and does not start (and then stop) one of its own, which every later test would meet stopped.
        assertSame(TestSpark.session(), org.apache.spark.sql.SparkSession.getDefaultSession().get());
        assertSame(TestSpark.session(), org.apache.spark.sql.SparkSession.getActiveSession().get());
    }

    @Test
    void theShellThroughTheServerPrintsWhatItPrintsOnTheLake() {
        String script = String.join("\n",
                "SELECT level, count(*) AS plays",
                "FROM songplays GROUP BY level ORDER BY level;",
                ".tables",
                "top-users",
                ".describe songplays",
                ".format json",
                ".query level-share",
                ".format csv",
                "SELECT no_such_column FROM songplays;",
                "SELECT count(*) AS songs FROM songs;");
        Commands.Result local = Commands.runWithInput(script, "sql", "--lake", lake.toString(), "--format", "csv");
        Commands.Result remote = Commands.runWithInput(script, "sql", "--remote", url, "--config",
                config.toString(), "--format", "csv");
        // One statement fails either way, and is named by its line: a script's shell exits 1.
        assertEquals(1, local.code(), local.err());
        assertEquals(1, remote.code(), remote.err());
        assertTrue(local.out().contains("table,rows,columns\nsongplays,"), local.out());
        assertEquals(local.out(), remote.out());
        assertTrue(remote.err().contains("line 9: "), remote.err());
        assertTrue(remote.err().contains("1 of 9 statements and commands failed, on line 9."), remote.err());

        // The history is the lake's: the server does not offer it, and says so without ending the shell.
        Commands.Result asOf = Commands.runWithInput(".as-of latest\n.refresh\nSELECT count(*) AS n FROM users;",
                "sql", "--remote", url, "--config", config.toString(), "--format", "csv");
        assertEquals(1, asOf.code(), asOf.err());
        assertTrue(asOf.err().contains("line 1: --as-of reads an Iceberg lake's history, which a server does not "
                + "offer"), asOf.err());
        assertTrue(asOf.err().contains("nothing to read again here"), asOf.err());
        assertTrue(asOf.out().startsWith("n\n"), asOf.out());
        assertSame(TestSpark.session(), org.apache.spark.sql.SparkSession.getDefaultSession().get());
    }

    @Test
    void checkThroughTheServerRunsTheRulesOfTheLocalCheck() {
        Commands.Result local = Commands.run("check", "--lake", lake.toString());
        Commands.Result remote = Commands.run("check", "--remote", url, "--config", config.toString());
        assertEquals(0, local.code(), local.out());
        assertEquals(0, remote.code(), remote.out() + remote.err());
        List<String> rules = remote.out().lines().filter(line -> line.startsWith("PASS") || line.startsWith("FAIL"))
                .toList();
        assertTrue(rules.size() > 1, remote.out());
        assertTrue(local.out().lines().toList().containsAll(rules), "remote:\n" + remote.out() + "local:\n" + local.out());
        assertTrue(remote.out().startsWith("SKIP  row counts against the run summary"), remote.out());
    }

    @Test
    void aClientWithoutTheTokenOrWithAnotherIsRefused() throws IOException {
        Path wrong = work.resolve("wrong.cfg");
        Files.writeString(wrong, "[serve]\ntoken = not-" + token + "\n");
        for (String[] credentials : List.of(new String[0], new String[] {"--config", wrong.toString()})) {
            List<String> args = new ArrayList<>(List.of("sql", "--remote", url, "SELECT count(*) FROM users"));
            args.addAll(List.of(credentials));
            Commands.Result refused = Commands.run(args.toArray(String[]::new));
            assertEquals(1, refused.code(), refused.out());
            assertTrue(refused.err().contains("refused this client: it needs its token"), refused.err());
            assertEquals("", refused.out());
        }
    }

    @Test
    void listeningBeyondLoopbackWithoutATokenIsRefusedBeforeStarting() {
        Commands.Result refused = Commands.run("serve", "--lake", lake.toString(), "--host", "0.0.0.0", "--port",
                String.valueOf(freePort()));
        assertEquals(1, refused.code());
        assertEquals(1, refused.err().lines().count(), refused.err());
        assertTrue(refused.err().contains("only with a token"), refused.err());
    }

    @Test
    void everyKindOfWriteIsRefusedAndTheLakeStaysAsItWas() throws IOException {
        Map<String, Long> before = files(lake);
        Path outside = work.resolve("copied");
        Map<String, Consumer<SparkSession>> writes = new TreeMap<>(Map.of(
                "df.write.parquet into the lake", s -> s.table("songplays").write().mode("overwrite")
                        .parquet(lake.resolve("songplays").toString()),
                "df.write.parquet elsewhere", s -> s.table("users").write().parquet(outside.toString()),
                "saveAsTable", s -> s.table("users").write().saveAsTable("users_copy"),
                "DROP TABLE", s -> s.sql("DROP TABLE songplays").collectAsList(),
                "INSERT", s -> s.sql("INSERT INTO songplays SELECT * FROM songplays").collectAsList(),
                "CREATE TABLE AS SELECT", s -> s.sql("CREATE TABLE users_copy AS SELECT * FROM users").collectAsList(),
                "CALL", s -> s.sql("CALL system.expire_snapshots(table => 'sparkify.songplays')").collectAsList()));
        withClient(spark -> {
            for (Map.Entry<String, Consumer<SparkSession>> write : writes.entrySet()) {
                try {
                    write.getValue().accept(spark);
                    fail(write.getKey() + " was not refused");
                } catch (Exception refused) {
                    assertTrue(String.valueOf(refused.getMessage()).contains("serve is read-only"),
                            write.getKey() + ": " + refused);
                }
            }
            // The client's own session state is its own to change.
            spark.sql("SET spark.sql.shuffle.partitions = 3").collectAsList();
            spark.table("users").createOrReplaceTempView("my_users");
            assertEquals(spark.table("users").count(), spark.sql("SELECT * FROM my_users").count());
            assertFalse(spark.catalog().tableExists("users_copy"));
        });
        assertFalse(Files.exists(outside), "a write outside the lake went through");
        assertEquals(before, files(lake), "the lake's files changed");
    }

    @Test
    void fourClientsAskingAtOnceGetTheAnswersOneClientGets() throws Exception {
        List<String> queries = QueryCatalog.all().stream().map(QueryCatalog.Query::sql).toList();
        Map<String, String> expected = new TreeMap<>();
        withClient(spark -> queries.forEach(sql -> expected.put(sql, spark.sql(sql).collectAsList().toString())));
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> asked = new ArrayList<>();
            for (int client = 0; client < 4; client++) {
                int first = client;
                asked.add(clients.submit(() -> {
                    int answered = 0;
                    SparkSession spark = client();
                    try {
                        for (int question = 0; question < 25; question++) {
                            String sql = queries.get((first + question) % queries.size());
                            assertEquals(expected.get(sql), spark.sql(sql).collectAsList().toString(), sql);
                            answered++;
                        }
                    } finally {
                        spark.stop();
                    }
                    return answered;
                }));
            }
            for (Future<Integer> client : asked) {
                assertEquals(25, client.get(5, TimeUnit.MINUTES));
            }
        } finally {
            clients.shutdownNow();
        }
    }

    /**
     * An Iceberg lake, through the same version logic the server uses (in this JVM: the one server of the class
     * serves the Parquet lake): its current snapshots, kept while a run marks the catalog as publishing, and a
     * new version once a commit changed a table.
     */
    @Test
    void anIcebergLakeIsServedFromItsCurrentSnapshots() {
        Path iceberg = work.resolve("iceberg-lake");
        Lakes.build(work.resolve("first"), iceberg, TestSpark.settings().withFormat(Settings.Format.ICEBERG));
        org.apache.spark.sql.classic.SparkSession spark = (org.apache.spark.sql.classic.SparkSession) TestSpark.session();
        ServedLake served = new ServedLake(spark, iceberg.toString(), LakeConfig.none());
        ServedLake.Version first = served.current();
        assertEquals("iceberg", served.format());
        for (String name : Lakes.TABLES) {
            assertSameRows(Lakes.table(iceberg, name), rows(spark, first, name), name);
        }
        assertSame(first, served.current(), "nothing was published, yet the lake was read again");

        LakeCatalog catalog = LakeCatalog.open(spark, served.lake(), LakeConfig.none(), false);
        long oneUser = Lakes.table(iceberg, "users").first().getLong(
                List.of(Lakes.table(iceberg, "users").columns()).indexOf("user_id"));
        catalog.setProperty(Publication.PUBLISHING, "a-run");
        spark.sql("DELETE FROM " + catalog.sparkName("users") + " WHERE user_id = " + oneUser);
        assertSame(first, served.current(), "while a run publishes, the run before answers");
        catalog.removeProperty(Publication.PUBLISHING);

        ServedLake.Version next = served.current();
        assertNotSame(first, next);
        assertSameRows(Lakes.table(iceberg, "users"), rows(spark, next, "users"), "users");
        assertEquals(rows(spark, first, "users").count() - 1, rows(spark, next, "users").count());
        served.close();
    }

    private static Dataset<Row> rows(org.apache.spark.sql.classic.SparkSession spark, ServedLake.Version version,
                                     String name) {
        Dataset<Row> rows = org.apache.spark.sql.classic.Dataset.ofRows(spark, version.table(name));
        return rows.select(Stream.of(rows.columns()).sorted().map(functions::col).toArray(Column[]::new));
    }

    private static void assertSameRows(Dataset<Row> expected, Dataset<Row> actual, String name) {
        assertEquals(List.of(expected.columns()), List.of(actual.columns()), name);
        assertEquals(0, expected.exceptAll(actual).count(), name + ": rows of the lake not served");
        assertEquals(0, actual.exceptAll(expected).count(), name + ": rows served not in the lake");
    }

    /** Last (by name): it replaces the served lake's run. */
    @Test
    void zWhileAnEtlPublishesEveryAnswerIsTheOldRunsOrTheNewOnes() throws Exception {
        List<Long> old = counts(Lakes.summary(lake).tables());
        ConcurrentLinkedQueue<List<Long>> answers = new ConcurrentLinkedQueue<>();
        EtlProcess.Started etl;
        SparkSession spark = client();
        try {
            assertEquals(old, asked(spark));
            etl = EtlProcess.start(work, Map.of(), "etl", "--input", secondInput.toString(), "--output",
                    lake.toString());
            while (etl.process().isAlive()) {
                answers.add(asked(spark));
                // A poll, not a flood: the run shares the machine's two cores with the server and this test.
                Thread.sleep(200);
            }
            EtlProcess.Finished finished = etl.await(1);
            assertEquals(0, finished.code(), finished.output());
            List<Long> now = counts(Lakes.summary(lake).tables());
            for (int i = 0; i < old.size(); i++) {
                assertNotEquals(old.get(i), now.get(i), "the two inputs must give different counts");
            }
            // The next query after the run published sees it, without a restart.
            assertEquals(now, asked(spark));
            for (List<Long> answer : answers) {
                assertTrue(answer.equals(old) || answer.equals(now), "a mix of two runs: " + answer + " (old " + old
                        + ", new " + now + ")");
            }
            assertTrue(answers.size() > 1, "the poll asked too rarely to mean anything: " + answers.size());
            System.out.printf("ServeIT: %d answers during the etl run, %d of the old run, %d of the new%n",
                    answers.size(), answers.stream().filter(old::equals).count(),
                    answers.stream().filter(now::equals).count());
        } finally {
            spark.stop();
        }
    }

    /** The five counts, in the order of {@link #COUNTS}, from a table of counts by name. */
    private static List<Long> counts(Map<String, Long> byTable) {
        return Stream.of("songplays", "users", "songs", "artists", "time").map(byTable::get).toList();
    }

    private static List<Long> asked(SparkSession spark) {
        Row row = spark.sql(COUNTS).collectAsList().get(0);
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < row.length(); i++) {
            counts.add(row.getLong(i));
        }
        return counts;
    }

    /** Spark's JVM Connect client, with the token as a bearer header (its token= parameter would turn TLS on). */
    private SparkSession client() {
        return org.apache.spark.sql.connect.SparkSession.builder()
                .remote(url + "/;authorization=Bearer%20" + token).create();
    }

    private void withClient(Consumer<SparkSession> work) {
        SparkSession spark = client();
        try {
            work.accept(spark);
        } finally {
            spark.stop();
        }
    }

    /** Every file under the lake, by path, with its size and time of change. */
    private static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(path) + " " + Files.size(path), Files.getLastModifiedTime(path).toMillis());
            }
        }
        return files;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitReady(EtlProcess.Started server, int port) throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String log = Files.readString(server.log());
            if (log.contains("sparkify-lake serve: sc://127.0.0.1:" + port + " serves")) {
                System.out.printf("ServeIT: serve ready %.1f s after its process started%n",
                        (System.nanoTime() - started) / 1e9);
                return;
            }
            if (!server.process().isAlive()) {
                fail("serve ended before it was ready: " + log);
            }
            Thread.sleep(200);
        }
        fail("serve was not ready within 120 s: " + Files.readString(server.log()));
    }
}
