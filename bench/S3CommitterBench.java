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

import com.sparkify.lake.support.S3ProxyServer;


/**
 * Benchmark, not a test: the time to build the lake from a generated data set held in S3Proxy, with the S3A
 * committer the project picks (the staging one, with a local master) and with Hadoop's default rename-based
 * committer, side by side.
 * Each run is a whole {@code bin/sparkify-lake etl} process; the two committers alternate so that a change in
 * the machine's load falls on both. Run through bench/s3-committers.sh, which builds the classpath.
 *
 * <p>Arguments: WORK_DIR SONGS EVENTS RUNS
 */
public final class S3CommitterBench {

    private static final String KEY = "bench-access-key";
    private static final String SECRET = "bench-secret-key-not-a-real-one";

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]).toAbsolutePath();
        int songs = Integer.parseInt(args[1]);
        int events = Integer.parseInt(args[2]);
        int runs = Integer.parseInt(args[3]);
        Path data = work.resolve("data-" + songs + "-" + events);
        if (!Files.isDirectory(data.resolve("log_data"))) {
            run(List.of("bin/sparkify-lake", "generate", "--output", data.toString(), "--songs", "" + songs,
                    "--events", "" + events, "--overwrite"), work.resolve("generate.log"));
        }
        Path proxyDir = Files.createDirectories(work.resolve("s3proxy-" + System.currentTimeMillis()));
        try (S3ProxyServer s3 = S3ProxyServer.start(proxyDir, KEY, SECRET)) {
            System.out.printf("S3Proxy pid %d at %s%n", s3.pid(), s3.endpoint());
            s3.createBucket("bench");
            Instant upload = Instant.now();
            int files = s3.putTree("bench", "input", data);
            System.out.printf("uploaded %,d files in %.1f s%n", files, seconds(Duration.between(upload, Instant.now())));

            Map<String, String> configs = new LinkedHashMap<>();
            configs.put("S3A (project)", s3.config(KEY, SECRET));
            // Spark's and Hadoop's defaults without spark-hadoop-cloud: FileOutputCommitter, v1 algorithm,
            // which renames (on S3: copies and deletes) every file at task and job commit.
            configs.put("default (rename)", s3.config(KEY, SECRET,
                    "spark.sql.sources.commitProtocolClass = "
                        + "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol",
                    "spark.sql.parquet.output.committer.class = org.apache.parquet.hadoop.ParquetOutputCommitter",
                    "spark.hadoop.fs.s3a.committer.name = file"));
            Map<String, List<Double>> times = new LinkedHashMap<>();
            int n = 0;
            for (int r = 1; r <= runs; r++) {
                for (Map.Entry<String, String> committer : configs.entrySet()) {
                    Path config = proxyDir.resolve("bench-" + n + ".cfg");
                    Files.writeString(config, committer.getValue());
                    String output = "s3a://bench/lake-" + n++;
                    Instant start = Instant.now();
                    run(List.of("bin/sparkify-lake", "etl", "--input", "s3a://bench/input", "--output", output,
                            "--config", config.toString()), proxyDir.resolve("run-" + n + ".log"));
                    double took = seconds(Duration.between(start, Instant.now()));
                    times.computeIfAbsent(committer.getKey(), k -> new ArrayList<>()).add(took);
                    System.out.printf("run %d %-18s %7.1f s   (%s)%n", r, committer.getKey(), took, output);
                }
            }
            System.out.printf("%n%d song files, %,d events, %d run(s) each, whole processes%n", songs, events, runs);
            System.out.printf("%-18s %10s   %s%n", "committer", "median s", "runs");
            times.forEach((name, list) -> System.out.printf(Locale.ROOT, "%-18s %10.1f   %s%n", name,
                    median(list), list));
        }
    }

    static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + code + "; see " + log);
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
