package sparkify.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.connect.SparkSession;

/**
 * The warm bench's client of {@code sparkify-lake serve}: in one Spark Connect session, ROUNDS rounds of the
 * named queries, each answer collected whole. The queries are the files QueryCatalog is built from (QUERIES is
 * the project's src/main/resources/queries: index.txt and NAME.sql), so the bench asks what the project asks.
 * Usage: ConnectClient sc://HOST:PORT QUERIES ROUNDS. Prints a line per answer: round, name, rows, seconds and
 * the wall clock (epoch ms) at the answer, from which bench/warm-lake takes the first answer after serve started.
 */
public final class ConnectClient {

    public static void main(String[] args) throws IOException {
        String address = args[0];
        Path queries = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<String> names = Files.readAllLines(queries.resolve("index.txt")).stream()
                .map(String::strip).filter(name -> !name.isEmpty()).toList();
        try (SparkSession spark = SparkSession.builder().remote(address).create()) {
            for (int round = 0; round < rounds; round++) {
                for (String name : names) {
                    String sql = Files.readString(queries.resolve(name + ".sql"));
                    long started = System.nanoTime();
                    int rows = spark.sql(sql).collectAsList().size();
                    double seconds = (System.nanoTime() - started) / 1e9;
                    System.out.printf(Locale.ROOT, "%d %s %d %.3f %d%n", round, name, rows, seconds,
                            System.currentTimeMillis());
                    System.out.flush();
                }
            }
        }
    }
}
