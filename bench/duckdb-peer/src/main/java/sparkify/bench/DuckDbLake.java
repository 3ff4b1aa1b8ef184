package sparkify.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's peer: SPEC.md's five tables built by DuckDB in one process, written as Hive-partitioned
 * Parquet like sparkify-lake's. No quarantine, no staging: the least a single-node SQL job has to do.
 * Usage: DuckDbLake INPUT OUTPUT. Prints one JSON line of row counts.
 */
public final class DuckDbLake {

    public static void main(String[] args) throws SQLException {
        String in = args[0];
        String out = args[1];
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement sql = db.createStatement()) {
            // Without this DuckDB kept 5 million events in insertion order and ran out of memory (FIELD-NOTES).
            sql.execute("SET preserve_insertion_order = false");
            sql.execute("SET TimeZone = 'UTC'");
            sql.execute("CREATE TABLE song_records AS SELECT * FROM read_json('" + in + "/song_data/**/*.json', "
                    + "format = 'auto', columns = {num_songs: 'INTEGER', artist_id: 'VARCHAR', artist_latitude: 'DOUBLE', "
                    + "artist_longitude: 'DOUBLE', artist_location: 'VARCHAR', artist_name: 'VARCHAR', "
                    + "song_id: 'VARCHAR', title: 'VARCHAR', duration: 'DOUBLE', year: 'INTEGER'})");
            sql.execute("CREATE TABLE events AS SELECT DISTINCT ON (userId, sessionId, itemInSession, ts) "
                    + "artist, nullif(firstName, '') AS firstName, nullif(lastName, '') AS lastName, "
                    + "nullif(gender, '') AS gender, itemInSession, length, level, nullif(location, '') AS location, page, "
                    + "sessionId, song, ts, nullif(userAgent, '') AS userAgent, nullif(userId, '') AS userId "
                    + "FROM read_json('" + in + "/log_data/**/*.json', format = 'newline_delimited', columns = {"
                    + "artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER', "
                    + "lastName: 'VARCHAR', length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', "
                    + "page: 'VARCHAR', registration: 'DOUBLE', sessionId: 'BIGINT', song: 'VARCHAR', status: 'INTEGER', "
                    + "ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}) "
                    + "ORDER BY userId, sessionId, itemInSession, ts, level");

            sql.execute("CREATE TABLE songs AS SELECT DISTINCT ON (song_id) song_id, title, artist_id, year, duration "
                    + "FROM song_records ORDER BY song_id, title");
            sql.execute("CREATE TABLE artists AS SELECT DISTINCT ON (artist_id) artist_id, nullif(artist_name, '') AS name, "
                    + "nullif(artist_location, '') AS location, artist_latitude AS latitude, artist_longitude AS longitude "
                    + "FROM song_records ORDER BY artist_id, song_id");
            sql.execute("CREATE TABLE users AS SELECT DISTINCT ON (user_id) CAST(userId AS BIGINT) AS user_id, "
                    + "firstName AS first_name, lastName AS last_name, gender, level FROM events WHERE userId IS NOT NULL "
                    + "ORDER BY user_id, ts DESC, itemInSession DESC, sessionId DESC");
            sql.execute("CREATE TABLE plays AS SELECT *, concat_ws(':', ts, coalesce(userId, ''), "
                    + "coalesce(CAST(sessionId AS VARCHAR), ''), coalesce(CAST(itemInSession AS VARCHAR), '')) AS songplay_id "
                    + "FROM events WHERE page = 'NextSong'");
            sql.execute("CREATE TABLE songplays AS WITH matches AS ("
                    + "  SELECT p.songplay_id, min(s.song_id) AS song_id, arg_min(s.artist_id, s.song_id) AS artist_id"
                    + "  FROM plays p JOIN song_records s ON s.title = p.song AND s.artist_name = p.artist"
                    + "   AND abs(s.duration - p.length) <= 0.01 GROUP BY p.songplay_id) "
                    + "SELECT p.songplay_id, make_timestamp(p.ts * 1000) AS start_time, CAST(p.userId AS BIGINT) AS user_id, "
                    + "p.level, m.song_id, m.artist_id, p.sessionId AS session_id, p.location, p.userAgent AS user_agent, "
                    + "year(make_timestamp(p.ts * 1000)) AS year, month(make_timestamp(p.ts * 1000)) AS month "
                    + "FROM plays p LEFT JOIN matches m USING (songplay_id)");
            sql.execute("CREATE TABLE time AS SELECT DISTINCT start_time, hour(start_time) AS hour, day(start_time) AS day, "
                    + "week(start_time) AS week, month(start_time) AS month, year(start_time) AS year, "
                    + "isodow(start_time) AS weekday FROM songplays");

            copy(sql, "songs", out, "year, artist_id");
            copy(sql, "artists", out, null);
            copy(sql, "users", out, null);
            copy(sql, "songplays", out, "year, month");
            copy(sql, "time", out, "year, month");

            Map<String, Long> rows = new LinkedHashMap<>();
            for (String table : new String[] {"songs", "artists", "users", "songplays", "time"}) {
                try (ResultSet count = sql.executeQuery("SELECT count(*) FROM " + table)) {
                    count.next();
                    rows.put(table, count.getLong(1));
                }
            }
            StringBuilder json = new StringBuilder("{");
            rows.forEach((table, count) -> json.append(json.length() > 1 ? ", " : "").append('"').append(table)
                    .append("\": ").append(count));
            System.out.println(json.append('}'));
        }
    }

    private static void copy(Statement sql, String table, String out, String partitions) throws SQLException {
        String target = out + "/" + table;
        if (partitions == null) {
            // One file in a folder of the table's name, as sparkify-lake lays out an unpartitioned table.
            new java.io.File(target).mkdirs();
        }
        sql.execute(partitions == null
                ? "COPY " + table + " TO '" + target + "/data.parquet' (FORMAT parquet)"
                : "COPY " + table + " TO '" + target + "' (FORMAT parquet, PARTITION_BY (" + partitions + "), "
                        + "OVERWRITE_OR_IGNORE)");
    }
}
