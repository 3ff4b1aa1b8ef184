import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sparkify.lake.support.S3ProxyServer;
import com.sparkify.lake.support.StandaloneCluster;

import software.amazon.awssdk.services.s3.S3Client;

/**
 * Benchmark, not a test: whole {@code bin/sparkify-lake etl} processes reading and writing through S3Proxy whose
 * every operation waits a set latency, against the same job local to local. Run through bench/s3-latency, which
 * builds the classpath and says what the options are.
 *
 * <p>The data set is uploaded once through the S3 API (so objects carry ETags) to a server without latency,
 * which is then stopped; one server per latency then serves the same folder. Runs alternate between the
 * configurations so that a change in the machine's load falls on all of them. Each run prints its stage
 * seconds and the requests the server answered, by operation (S3Proxy's own metrics: exact, whichever JVM
 * sent them), and how many CPU seconds the server used: on one machine the store's work competes with the
 * job's for the same cores, which a remote store's does not.
 */
public final class S3LatencyBench {

    private static final String KEY = "bench-access-key";
    private static final String SECRET = "bench-secret-key-not-a-real-one";
    private static final String BUCKET = "bench";

    record Options(Path work, int songs, int events, int runs, List<Integer> latencies, String master,
                   int requestsInFlight, boolean cluster, int seedLatency, long seedLimitSeconds, String format,
                   boolean https) {

        boolean iceberg() {
            return format.equals("iceberg");
        }
    }

    /**
     * @param requests    what the store answered during the run, by S3 operation
     * @param songRead    the job's own count of requests in "extract song_data", by kind (GET HEAD PUT POST
     *                    LIST DELETE COPY)
     */
    record Run(String config, double seconds, Map<String, Double> stages, Map<String, Long> requests,
               double storeCpu, double jobCpu, long filesWritten, String tables, Map<String, Long> songRead,
               long songFiles, String inFlight) {
    }

    public static void main(String[] args) throws Exception {
        Options options = new Options(Path.of(args[0]).toAbsolutePath(), Integer.parseInt(args[1]),
                Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                List.of(args[4].split(",")).stream().map(Integer::parseInt).toList(), args[5],
                Integer.parseInt(args[6]), Boolean.parseBoolean(args[7]), Integer.parseInt(args[8]),
                Long.parseLong(args[9]), args.length > 10 ? args[10] : "parquet",
                args.length > 11 && Boolean.parseBoolean(args[11]));
        if (options.https() && options.cluster()) {
            throw new IllegalArgumentException("--https runs on the embedded master only: the cluster's JVMs would "
                    + "need the certificate too");
        }
        Path data = options.work().resolve("data-" + options.songs() + "-" + options.events());
        if (!Files.isDirectory(data.resolve("log_data"))) {
            exec(List.of("bin/sparkify-lake", "generate", "--output", data.toString(), "--songs", "" + options.songs(),
                    "--events", "" + options.events(), "--days", "30", "--seed", "1", "--overwrite"),
                    options.work().resolve("generate.log"), Duration.ofMinutes(10));
        }
        Path store = options.work().resolve("store-" + options.songs() + "-" + options.events());
        String input = "s3a://" + BUCKET + "/input";
        if (!Files.isDirectory(store.resolve("s3proxy-data").resolve(BUCKET))) {
            try (S3ProxyServer s3 = S3ProxyServer.start(store, KEY, SECRET)) {
                s3.createBucket(BUCKET);
                Instant start = Instant.now();
                int files = s3.putTree(BUCKET, "input", data);
                System.out.printf("uploaded %,d files through the S3 API in %.1f s%n", files, since(start));
            }
        }

        // Lakes an interrupted bench left in the store: every run starts from the input alone.
        try (var left = Files.list(store.resolve("s3proxy-data").resolve(BUCKET))) {
            for (Path lake : left.filter(path -> path.getFileName().toString().startsWith("lake-")).toList()) {
                com.sparkify.lake.support.Trees.delete(lake);
            }
        }
        // Over HTTPS, as a user's store is reached: a certificate for 127.0.0.1, which the runs and this JVM trust.
        tls = options.https() ? S3ProxyServer.Tls.make(options.work().resolve("tls")) : null;
        if (tls != null) {
            tls.trustInThisJvm();
        }
        Map<Integer, S3ProxyServer> servers = new LinkedHashMap<>();
        StandaloneCluster cluster = null;
        // An Iceberg lake on a store needs a catalog that commits atomically: a PostgreSQL of the bench's own,
        // on loopback, as the tests run it.
        catalog = options.iceberg() ? com.sparkify.lake.support.PostgresServer.start() : null;
        try {
            for (int latency : options.latencies()) {
                S3ProxyServer server = S3ProxyServer.start(store, KEY, SECRET, latency, tls);
                servers.put(latency, server);
                System.out.printf("S3Proxy at %d ms: pid %d, %s%n", latency, server.pid(), server.endpoint());
            }
            if (options.cluster()) {
                cluster = StandaloneCluster.start(options.work().resolve("cluster-" + System.nanoTime()), 2);
                System.out.println("standalone cluster: " + cluster.masterUrl() + ", two workers of one core");
            }
            Map<String, List<Run>> runs = new LinkedHashMap<>();
            // Every run writes a lake of its own, also across benches: a lake already there would first be
            // deleted by the run's overwrite, which is work the other runs do not do.
            String bench = Long.toString(System.currentTimeMillis() / 1000, 36);
            int n = 0;
            // Round 0 is untimed: the launcher's class-data archive, and each server's JIT, warm up on it.
            for (int round = 0; round <= options.runs(); round++) {
                List<String> order = new ArrayList<>();
                order.add("local");
                options.latencies().forEach(latency -> order.add("s3 " + latency + " ms"));
                for (String config : order) {
                    Run run = runOnce(options, config, data, input, servers, cluster, store, bench + "-" + n++);
                    System.out.printf(Locale.ROOT, "%s %-10s %7.1f s   job CPU %5.1f s   store CPU %5.1f s   %s%n",
                            round == 0 ? "warm-up" : "run " + round, config, run.seconds(), run.jobCpu(),
                            run.storeCpu(), run.tables());
                    if (round > 0) {
                        runs.computeIfAbsent(config, k -> new ArrayList<>()).add(run);
                    }
                }
            }
            report(options, runs);
            if (options.seedLatency() >= 0 && servers.containsKey(options.seedLatency())) {
                seedAnchor(options, servers.get(options.seedLatency()), input, store, runs);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
            servers.values().forEach(S3ProxyServer::close);
            if (catalog != null) {
                catalog.close();
            }
        }
    }

    static com.sparkify.lake.support.PostgresServer catalog;
    static S3ProxyServer.Tls tls;

    static Run runOnce(Options options, String config, Path data, String input, Map<Integer, S3ProxyServer> servers,
                       StandaloneCluster cluster, Path store, String n) throws Exception {
        // 0: the run chooses the number from the store's answer times, as a user's run does by default.
        List<String> etl = new ArrayList<>(options.requestsInFlight() > 0
                ? List.of("--requests-in-flight", "" + options.requestsInFlight()) : List.of());
        S3ProxyServer server = null;
        String output;
        if (config.equals("local")) {
            etl.addAll(List.of("--input", data.toString()));
            output = options.work().resolve("lakes").resolve("local-" + n).toString();
        } else {
            server = servers.get(Integer.parseInt(config.split(" ")[1]));
            Path cfg = store.resolve("bench-" + n + ".cfg");
            String text = server.config(KEY, SECRET);
            if (options.iceberg()) {
                // Every run's lake is new, and a namespace holds one lake.
                text += "\n[catalog]\nuri = " + catalog.jdbcUrl() + "\nuser = " + com.sparkify.lake.support.PostgresServer.USER
                        + "\npassword = " + com.sparkify.lake.support.PostgresServer.PASSWORD + "\nnamespace = lake_"
                        + n.replaceAll("[^A-Za-z0-9]", "_") + "\n";
            }
            Files.writeString(cfg, text);
            etl.addAll(List.of("--input", input, "--config", cfg.toString()));
            output = "s3a://" + BUCKET + "/lake-" + n;
        }
        etl.addAll(List.of("--output", output));
        if (options.iceberg()) {
            etl.addAll(List.of("--format", "iceberg"));
        }
        // GNU time reports the job's own CPU: beside the store's, it says whether the cores or the waiting bound
        // the run.
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-f", "job CPU %U %S", "bin/sparkify-lake"));
        if (cluster != null) {
            etl.addAll(List.of("--conf", "spark.executor.memory=768m",
                    // The folder where tasks hand their lists of uploads to the job commit must be one every
                    // node sees: on this one-machine cluster, a local folder is.
                    "--conf", "spark.hadoop.fs.s3a.committer.staging.tmp.path=file://"
                            + options.work().resolve("committer-staging")));
            command.addAll(cluster.etlCommand(etl.toArray(String[]::new)));
        } else {
            command.add("etl");
            command.addAll(etl);
            if (!options.master().isEmpty()) {
                command.addAll(List.of("--master", options.master()));
            }
        }
        Map<String, Long> before = server == null ? Map.of() : server.requests();
        double cpuBefore = server == null ? 0 : server.cpuSeconds();
        Path log = options.work().resolve("logs").resolve("run-" + n + "-" + config.replace(' ', '-') + ".log");
        Files.createDirectories(log.getParent());
        Instant start = Instant.now();
        Map<String, String> environment = new LinkedHashMap<>();
        if (tls != null && server != null) {
            // The launcher's own default heap, and the certificate's truststore.
            environment.put("SPARKIFY_JAVA_OPTS", "-Xmx4g " + String.join(" ", tls.clientOptions()));
        }
        exec(command, log, Duration.ofHours(1), environment);
        double seconds = since(start);
        String text = Files.readString(log);
        Map<String, Long> requests = new TreeMap<>();
        long written = 0;
        if (server != null) {
            server.requests().forEach((op, count) -> {
                long made = count - before.getOrDefault(op, 0L);
                if (made > 0) {
                    requests.put(op, made);
                }
            });
            try (S3Client s3 = server.client()) {
                written = s3.listObjectsV2Paginator(list -> list.bucket(BUCKET).prefix("lake-" + n + "/")).contents()
                        .stream().filter(object -> object.key().endsWith(".parquet")).count();
            }
            // Counted, the lake goes: S3Proxy's file-system store gets slower as its bucket grows.
            com.sparkify.lake.support.Trees.delete(store.resolve("s3proxy-data").resolve(BUCKET).resolve("lake-" + n));
        }
        Map<String, Long> songRead = new LinkedHashMap<>();
        Matcher row = REQUESTS.matcher(text);
        if (row.find()) {
            String[] kinds = {"GET", "HEAD", "PUT", "POST", "LIST", "DELETE", "COPY"};
            for (int i = 0; i < kinds.length; i++) {
                songRead.put(kinds[i], Long.parseLong(row.group(i + 1).replace(",", "")));
            }
        }
        Matcher cpu = JOB_CPU.matcher(text);
        double jobCpu = cpu.find() ? Double.parseDouble(cpu.group(1)) + Double.parseDouble(cpu.group(2)) : 0;
        Matcher files = FILES.matcher(text);
        long songFiles = files.find() ? Long.parseLong(files.group(1).replace(",", "")) : 0;
        return new Run(config, seconds, stages(text), requests, server == null ? 0 : server.cpuSeconds() - cpuBefore,
                jobCpu, written, tables(text), songRead, songFiles, inFlight(text));
    }

    static void report(Options options, Map<String, List<Run>> runs) {
        System.out.printf("%n%s lake%s; %,d song files, %,d events; %d timed run(s) of each, alternating; master %s; "
                        + "%s%n", options.format(), options.https() ? " over HTTPS" : "", options.songs(), options.events(), options.runs(),
                options.cluster() ? "spark:// (two workers)" : options.master().isEmpty() ? "local[*]" : options.master(),
                options.requestsInFlight() > 0 ? options.requestsInFlight() + " requests in flight"
                        : "requests in flight chosen by each run");
        double local = median(runs.get("local").stream().map(Run::seconds).toList());
        // CPU per request: what each request to the store costs the job (the SDK, signing, TLS where used, HTTP)
        // and the store, over the requests the store answered; the job's CPU includes its work on the data too,
        // so the difference between configurations, not the figure itself, is the cost of a request.
        System.out.printf("%-10s %9s %7s %10s %12s %9s %11s %13s   %s%n", "config", "median s", "ratio", "job CPU s",
                "store CPU s", "requests", "job ms/req", "store ms/req", "runs");
        runs.forEach((config, list) -> {
            double requests = median(list.stream().map(run -> (double) run.requests().values().stream()
                    .mapToLong(Long::longValue).sum()).toList());
            double jobCpu = median(list.stream().map(Run::jobCpu).toList());
            double storeCpu = median(list.stream().map(Run::storeCpu).toList());
            System.out.printf(Locale.ROOT, "%-10s %9.1f %7.2f %10.1f %12.1f %,9.0f %11s %13s   %s%n", config,
                    median(list.stream().map(Run::seconds).toList()),
                    median(list.stream().map(Run::seconds).toList()) / local, jobCpu, storeCpu, requests,
                    requests > 0 ? String.format(Locale.ROOT, "%.2f", 1000 * jobCpu / requests) : "-",
                    requests > 0 ? String.format(Locale.ROOT, "%.2f", 1000 * storeCpu / requests) : "-",
                    list.stream().map(run -> String.format(Locale.ROOT, "%.1f", run.seconds())).toList());
        });

        System.out.printf("%nstage seconds (medians)%n%-22s", "stage");
        runs.keySet().forEach(config -> System.out.printf("%11s", config));
        System.out.println();
        runs.values().iterator().next().get(0).stages().keySet().forEach(stage -> {
            System.out.printf("%-22s", stage);
            runs.values().forEach(list -> System.out.printf(Locale.ROOT, "%11.1f",
                    median(list.stream().map(run -> run.stages().getOrDefault(stage, 0.0)).toList())));
            System.out.println();
        });

        runs.forEach((config, list) -> {
            Run last = list.get(list.size() - 1);
            if (last.requests().isEmpty()) {
                return;
            }
            System.out.printf("%nrequests the store answered, %s (last run): %s%n", config, last.requests());
            System.out.printf("  %s%n", last.inFlight().isEmpty() ? "(the run said no number in flight)" : last.inFlight());
            StringBuilder perFile = new StringBuilder();
            last.songRead().forEach((kind, count) -> perFile.append(String.format(Locale.ROOT, " %s %.3f", kind,
                    last.songFiles() == 0 ? 0.0 : count / (double) last.songFiles())));
            System.out.printf("  per song file read (extract song_data, %,d files; the job's own count%s):%s%n",
                    last.songFiles(), options.cluster() ? ", the driver's share only: executors read" : "", perFile);
            long uploads = last.requests().getOrDefault("UploadPart", 0L) + last.requests().getOrDefault("PutObject", 0L);
            System.out.printf(Locale.ROOT, "  per Parquet file written (%,d files): CreateMultipartUpload %.2f, "
                            + "UploadPart %.2f, CompleteMultipartUpload %.2f; PUT+UploadPart in all %,d%n",
                    last.filesWritten(), per(last, "CreateMultipartUpload"), per(last, "UploadPart"),
                    per(last, "CompleteMultipartUpload"), uploads);
        });
    }

    /** What the run said of its requests in flight ("store  192 requests in flight ..."), or "" without a store. */
    static String inFlight(String text) {
        Matcher said = IN_FLIGHT.matcher(text);
        return said.find() ? said.group(1) : "";
    }

    static double per(Run run, String op) {
        return run.filesWritten() == 0 ? 0 : run.requests().getOrDefault(op, 0L) / (double) run.filesWritten();
    }

    /** The seed-style job (bench/SeedEtl.java) once, s3a to s3a, within a time limit. */
    static void seedAnchor(Options options, S3ProxyServer server, String input, Path store,
                           Map<String, List<Run>> runs) throws Exception {
        Path cfg = store.resolve("seed.cfg");
        Files.writeString(cfg, server.config(KEY, SECRET));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // Spark 4 on Java 17 outside spark-submit: the flags bench/s3-latency read from pom.xml.
        command.addAll(List.of(System.getProperty("sparkify.sparkJvmFlags", "").trim().split("\\s+")));
        if (tls != null) {
            command.addAll(tls.clientOptions());
        }
        command.addAll(List.of("-Xmx4g", "-cp", "target/sparkify-lake.jar:target/lib/*", "bench/SeedEtl.java", input,
                "s3a://" + BUCKET + "/seed-" + System.nanoTime(), cfg.toString()));
        Path log = options.work().resolve("logs").resolve("seed.log");
        Instant start = Instant.now();
        boolean done = exec(command, log, Duration.ofSeconds(options.seedLimitSeconds()));
        double seconds = since(start);
        List<Run> same = runs.get("s3 " + options.seedLatency() + " ms");
        double ours = median(same.stream().map(Run::seconds).toList());
        System.out.printf(Locale.ROOT, "%nseed-style job (glob, inference, song_data read three times, rename "
                        + "committer), s3a to s3a at %d ms: %s; sparkify-lake's median there %.1f s%n",
                options.seedLatency(), done ? String.format(Locale.ROOT, "%.1f s (%.1fx ours)", seconds, seconds / ours)
                        : String.format(Locale.ROOT, "stopped unfinished after %.0f s (more than %.1fx ours)", seconds,
                                seconds / ours), ours);
    }

    private static final Pattern STAGE = Pattern.compile("(?m)^([a-z][a-z _]+?)\\s{2,}([0-9]+\\.[0-9])$");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^extract song_data\\s+([0-9,]+)\\s+([0-9,]+)\\s+"
            + "([0-9,]+)\\s+([0-9,]+)\\s+([0-9,]+)\\s+([0-9,]+)\\s+([0-9,]+)$");
    private static final Pattern IN_FLIGHT = Pattern.compile("(?m)^store\\s+([0-9]+ requests in flight.*)$");
    private static final Pattern JOB_CPU = Pattern.compile("(?m)^job CPU ([0-9.]+) ([0-9.]+)$");
    private static final Pattern FILES = Pattern.compile("(?m)^song_data\\s+([0-9,]+)");

    /** The "stage / seconds" table etl prints at the end. */
    static Map<String, Double> stages(String text) {
        Map<String, Double> stages = new LinkedHashMap<>();
        int table = text.indexOf("\nstage ");
        if (table < 0) {
            return stages;
        }
        Matcher m = STAGE.matcher(text.substring(table));
        while (m.find()) {
            stages.put(m.group(1).trim(), Double.parseDouble(m.group(2)));
        }
        return stages;
    }

    static String tables(String text) {
        int start = text.indexOf("\ntable ");
        int end = start < 0 ? -1 : text.indexOf("\n\n", start + 1);
        return start < 0 || end < 0 ? "(no summary: see the log)"
                : text.substring(start + 1, end).lines().skip(1).map(String::trim)
                        .map(l -> String.join(" ", java.util.Arrays.asList(l.split("\\s+")).subList(0, 2)))
                        .reduce((a, b) -> a + ", " + b).orElse("");
    }

    static boolean exec(List<String> command, Path log, Duration limit) throws IOException, InterruptedException {
        return exec(command, log, limit, Map.of());
    }

    static boolean exec(List<String> command, Path log, Duration limit, Map<String, String> environment)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return false;
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + process.exitValue()
                    + "; see " + log);
        }
        return true;
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.isEmpty() ? Double.NaN : sorted.size() % 2 == 1 ? sorted.get(middle)
                : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    static double since(Instant start) {
        return Duration.between(start, Instant.now()).toMillis() / 1000.0;
    }

    private S3LatencyBench() {
    }
}
