package sparkify.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

/**
 * The warm bench's DuckDB peer (bench/warm-lake): the named queries over a Parquet lake's files, in one
 * process, ROUNDS rounds. DuckDB keeps no table data between queries: every answer reads the Parquet files
 * again, as a user of DuckDB over the lake would. QUERIES is the project's src/main/resources/queries
 * (index.txt and NAME.sql), the files QueryCatalog is built from.
 * Usage: DuckDbQueries LAKE QUERIES ROUNDS. Prints a line per answer: round, name, rows, seconds.
 */
public final class DuckDbQueries {

    private static final List<String> TABLES = List.of("songplays", "users", "songs", "artists", "time");

    public static void main(String[] args) throws IOException, SQLException {
        String lake = args[0];
        Path queries = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        List<String> names = Files.readAllLines(queries.resolve("index.txt")).stream()
                .map(String::strip).filter(name -> !name.isEmpty()).toList();
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement sql = db.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            for (String table : TABLES) {
                // ** matches no folder too: the unpartitioned tables' files lie right in the table's folder.
                sql.execute("CREATE VIEW " + table + " AS SELECT * FROM read_parquet('" + lake + "/" + table
                        + "/**/*.parquet', hive_partitioning = true)");
            }
            for (int round = 0; round < rounds; round++) {
                for (String name : names) {
                    String query = duckDbDialect(Files.readString(queries.resolve(name + ".sql")));
                    long started = System.nanoTime();
                    int rows = 0;
                    try (ResultSet answer = sql.executeQuery(query)) {
                        while (answer.next()) {
                            rows++;
                        }
                    }
                    double seconds = (System.nanoTime() - started) / 1e9;
                    System.out.printf(Locale.ROOT, "%d %s %d %.3f%n", round, name, rows, seconds);
                }
            }
        }
    }

    /**
     * The two places where the named queries' Spark SQL is not DuckDB's: Spark's range() gives a column id,
     * DuckDB's a column range; Spark's array() and element_at() are DuckDB's list_value() and list_element()
     * (both count from 1). Anything else that differs fails the query, and with it the bench.
     */
    static String duckDbDialect(String spark) {
        return spark.replaceAll("\\brange\\(([^)]*)\\) (\\w+)", "(SELECT range AS id FROM range($1)) $2")
                .replaceAll("\\barray\\(", "list_value(")
                .replaceAll("\\belement_at\\(", "list_element(");
    }
}
