/*
 * SeedEtl: the slow anchor of the benchmark. The classic Udacity "Sparkify data lake" etl.py (PySpark),
 * written naively in Java, step for step; sparkify-lake's pipeline is measured against it. Do not "fix" it:
 * the naive parts (globs, schema inference, song_data read three times, no caching, the rename-based
 * committer) are the point.
 *
 * Run from /work/main after `mvn -q -DskipTests package` (Java's source-launcher mode):
 *
 *   java --add-opens=java.base/java.lang=ALL-UNNAMED \
 *        --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
 *        --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
 *        --add-opens=java.base/java.io=ALL-UNNAMED \
 *        --add-opens=java.base/java.net=ALL-UNNAMED \
 *        --add-opens=java.base/java.nio=ALL-UNNAMED \
 *        --add-opens=java.base/java.util=ALL-UNNAMED \
 *        --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
 *        --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
 *        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
 *        --add-opens=java.base/sun.nio.cs=ALL-UNNAMED \
 *        --add-opens=java.base/sun.security.action=ALL-UNNAMED \
 *        --add-opens=java.base/sun.util.calendar=ALL-UNNAMED \
 *        -Djdk.reflect.useDirectMethodHandle=false \
 *        -Dio.netty.tryReflectionSetAccessible=true \
 *        -cp "target/sparkify-lake.jar:target/lib/*" bench/SeedEtl.java INPUT OUTPUT [CONFIG_FILE]
 *
 * (the flags are spark_flags in bin/sparkify-lake; SPARK_LOCAL_IP=127.0.0.1 quiets a hostname warning).
 * INPUT holds song_data/ and log_data/; INPUT and OUTPUT are local folders or s3a:// URIs. CONFIG_FILE is an
 * INI file, [AWS] section: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, optionally endpoint, path_style_access.
 */
import static org.apache.spark.sql.functions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

public class SeedEtl {

    static long start = System.nanoTime(), last = start;

    /** One line per step on stderr, e.g. "read song_data  12.3 s". */
    static void step(String name) {
        long now = System.nanoTime();
        System.err.printf(Locale.ROOT, "%s  %.1f s%n", name, (now - last) / 1e9);
        last = now;
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: SeedEtl INPUT OUTPUT [CONFIG_FILE]");
            System.exit(2);
        }
        String input = args[0].replaceAll("/+$", ""), output = args[1].replaceAll("/+$", "");
        // Spark warns, with a stack trace, that a glob path has no _spark_metadata folder: noise, not news.
        // (Spark's log context, not this file's: the source launcher loads this class in a loader of its own.)
        String sink = "org.apache.spark.sql.execution.streaming.sinks.FileStreamSink";
        LoggerContext log4j = LoggerContext.getContext(SparkSession.class.getClassLoader(), false, null);
        log4j.getConfiguration().addLogger(sink, new LoggerConfig(sink, Level.ERROR, true));
        log4j.updateLoggers();
        SparkSession spark = null;
        int status = 0;
        try {
            spark = SparkSession.builder()
                    .appName("SeedEtl").master("local[*]").config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    // The seed's committer: Hadoop's rename-based FileOutputCommitter (through Parquet's), which
                    // on S3 copies every file twice (task commit, job commit). No spark-hadoop-cloud committers.
                    .config("spark.sql.sources.commitProtocolClass",
                            "org.apache.spark.sql.execution.datasources.SQLHadoopMapReduceCommitProtocol")
                    .config("spark.sql.parquet.output.committer.class",
                            "org.apache.parquet.hadoop.ParquetOutputCommitter")
                    .config("spark.hadoop.fs.s3a.committer.name", "file")
                    .getOrCreate();
            Configuration hadoop = spark.sparkContext().hadoopConfiguration();
            hadoop.unset("mapreduce.outputcommitter.factory.scheme.s3a");
            if (args.length == 3) {
                applyConfig(Path.of(args[2]), hadoop);
            }
            step("spark session");

            // process_song_data: a glob over the whole tree, and Spark infers the schema by reading every file.
            String songGlob = input + "/song_data/*/*/*/*.json";
            Dataset<Row> songData = spark.read().json(songGlob);
            step("read song_data");
            songData.select("song_id", "title", "artist_id", "year", "duration")
                    .dropDuplicates("song_id")
                    .write().mode("overwrite").partitionBy("year", "artist_id")
                    .parquet(output + "/songs");
            step("write songs");

            // Naive: etl.py reads (and infers) song_data again for artists instead of reusing or caching it.
            songData = spark.read().json(songGlob);
            step("read song_data again");
            songData.select(col("artist_id"), col("artist_name").as("name"), col("artist_location").as("location"),
                            col("artist_latitude").as("latitude"), col("artist_longitude").as("longitude"))
                    .dropDuplicates("artist_id")
                    .write().mode("overwrite").parquet(output + "/artists");
            step("write artists");

            // process_log_data: another glob + inference; the filtered frame is recomputed by every write.
            Dataset<Row> logs = spark.read().json(input + "/log_data/*/*/*.json")
                    .filter(col("page").equalTo("NextSong"));
            step("read log_data");
            logs.select(col("userId").cast("long").as("user_id"), col("firstName"), col("lastName"),
                            col("gender"), col("level"))
                    .dropDuplicates("user_id")
                    .write().mode("overwrite").parquet(output + "/users");
            step("write users");

            logs = logs.withColumn("start_time", expr("timestamp_millis(ts)"));
            logs.select("start_time").dropDuplicates("start_time")
                    .withColumn("hour", hour(col("start_time")))
                    .withColumn("day", dayofmonth(col("start_time")))
                    .withColumn("week", weekofyear(col("start_time")))
                    .withColumn("month", month(col("start_time")))
                    .withColumn("year", year(col("start_time")))
                    .withColumn("weekday", dayofweek(col("start_time")))
                    .write().mode("overwrite").partitionBy("year", "month").parquet(output + "/time");
            step("write time");

            // Naive: the songs table has no artist name, so etl.py reads song_data a third time for the join.
            Dataset<Row> songDf = spark.read().json(songGlob);
            step("read song_data for songplays");
            logs.join(songDf, logs.col("song").equalTo(songDf.col("title"))
                            .and(logs.col("artist").equalTo(songDf.col("artist_name"))), "left")
                    .select(monotonically_increasing_id().as("songplay_id"), col("start_time"),
                            logs.col("userId").cast("long").as("user_id"), logs.col("level"),
                            songDf.col("song_id"), songDf.col("artist_id"), logs.col("sessionId").as("session_id"),
                            logs.col("location"), logs.col("userAgent").as("user_agent"),
                            year(col("start_time")).as("year"), month(col("start_time")).as("month"))
                    .write().mode("overwrite").partitionBy("year", "month").parquet(output + "/songplays");
            step("write songplays");
        } catch (Exception e) {
            System.err.println("SeedEtl failed: " + e.getMessage());
            status = 1;
        } finally {
            if (spark != null) spark.stop();
        }
        System.err.printf(Locale.ROOT, "total  %.1f s%n", (System.nanoTime() - start) / 1e9);
        System.exit(status);
    }

    /** Minimal INI parsing, by hand as etl.py's configparser would: the [AWS] section's "key = value" lines. */
    static void applyConfig(Path file, Configuration hadoop) throws Exception {
        Map<String, String> aws = new HashMap<>();
        String section = "";
        for (String line : Files.readAllLines(file)) {
            line = line.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                section = line.substring(1, line.length() - 1).strip();
            } else if (section.equalsIgnoreCase("AWS") && line.contains("=")) {
                int eq = line.indexOf('=');
                aws.put(line.substring(0, eq).strip().toLowerCase(Locale.ROOT), line.substring(eq + 1).strip());
            }
        }
        // Keys go to the Hadoop configuration only, and are never printed.
        hadoop.set("fs.s3a.access.key", aws.getOrDefault("aws_access_key_id", ""));
        hadoop.set("fs.s3a.secret.key", aws.getOrDefault("aws_secret_access_key", ""));
        hadoop.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
        String endpoint = aws.get("endpoint");
        if (endpoint != null && !endpoint.isEmpty()) {
            hadoop.set("fs.s3a.endpoint", endpoint);
            if (endpoint.toLowerCase(Locale.ROOT).startsWith("http://")) {
                hadoop.set("fs.s3a.connection.ssl.enabled", "false");
            }
            // A store that is not AWS ignores the region, but the SDK's request signing needs one.
            hadoop.set("fs.s3a.endpoint.region", "us-east-1");
        }
        hadoop.set("fs.s3a.path.style.access", aws.getOrDefault("path_style_access", "false"));
    }
}
