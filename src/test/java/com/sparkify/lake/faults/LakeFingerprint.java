package com.sparkify.lake.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.StaticTableOperations;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * What a lake's tables hold, read without any of the project's code: a Parquet lake's files straight from its
 * folders, an Iceberg lake's from the current snapshot its catalog database names (Iceberg's own metadata
 * reader, then the Parquet files). A table's fingerprint is its row count and a hash of its rows (every
 * value, sorted by key), so "wholly the old table or wholly the new one" is a comparison of two fingerprints.
 */
final class LakeFingerprint {

    /** The five tables and their keys (the data contract). */
    static final Map<String, String> KEYS = Map.of("songplays", "songplay_id", "users", "user_id",
            "songs", "song_id", "artists", "artist_id", "time", "start_time");
    static final List<String> TABLES = List.of("artists", "songs", "users", "time", "songplays");

    /** @param rows null when the table is missing */
    record Contents(Long rows, String hash) {

        static final Contents MISSING = new Contents(null, null);

        @Override
        public String toString() {
            return rows == null ? "missing" : rows + " rows, hash " + hash.substring(0, 12);
        }
    }

    private LakeFingerprint() {
    }

    static Map<String, Contents> of(Path lake, boolean iceberg) {
        Map<String, Contents> tables = new LinkedHashMap<>();
        for (String name : TABLES) {
            List<String> files = iceberg ? icebergFiles(lake, name) : parquetFiles(lake.resolve(name));
            tables.put(name, files == null ? Contents.MISSING : fingerprint(files, KEYS.get(name)));
        }
        return tables;
    }

    /** Every Parquet file below a table's folder, as a Parquet reader of a Hive-style table finds them. */
    private static List<String> parquetFiles(Path table) {
        if (!Files.isDirectory(table)) {
            return null;
        }
        try (Stream<Path> files = Files.walk(table)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !hidden(table.relativize(file)))
                    .filter(file -> file.getFileName().toString().endsWith(".parquet"))
                    .map(Path::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith("_") || name.startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * An Iceberg lake whose catalog database is {@code database} and whose files are read where {@code local}
     * puts them: a lake on a store, read from the store's own disk.
     */
    static Map<String, Contents> ofCatalog(Path database, java.util.function.UnaryOperator<String> local) {
        Map<String, Contents> tables = new LinkedHashMap<>();
        for (String name : TABLES) {
            List<String> files = icebergFiles(database, name, local);
            tables.put(name, files == null ? Contents.MISSING
                    : fingerprint(files.stream().map(local).toList(), KEYS.get(name)));
        }
        return tables;
    }

    /** The data files of the table's current snapshot, from the metadata file the catalog database points at. */
    private static List<String> icebergFiles(Path lake, String name) {
        return icebergFiles(lake.resolve("_catalog/lake.db"), name, location -> location);
    }

    private static List<String> icebergFiles(Path database, String name,
                                             java.util.function.UnaryOperator<String> local) {
        if (!Files.exists(database)) {
            return null;
        }
        String metadata;
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
             PreparedStatement query = connection.prepareStatement(
                     "SELECT metadata_location FROM iceberg_tables WHERE table_name = ?")) {
            query.setString(1, name);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return null;
                }
                metadata = row.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the catalog database " + database + ": " + e.getMessage(), e);
        }
        HadoopFileIO hadoopIo = new HadoopFileIO(new Configuration());
        // Every location Iceberg's metadata names (metadata, manifest lists, manifests) read where it is kept.
        org.apache.iceberg.io.FileIO io = new org.apache.iceberg.io.FileIO() {
            @Override
            public org.apache.iceberg.io.InputFile newInputFile(String path) {
                return hadoopIo.newInputFile(local.apply(path));
            }

            @Override
            public org.apache.iceberg.io.OutputFile newOutputFile(String path) {
                throw new UnsupportedOperationException("the judge only reads");
            }

            @Override
            public void deleteFile(String path) {
                throw new UnsupportedOperationException("the judge only reads");
            }
        };
        org.apache.iceberg.Table iceberg = new BaseTable(new StaticTableOperations(local.apply(metadata), io), name);
        if (iceberg.currentSnapshot() == null) {
            return List.of();
        }
        List<String> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = iceberg.newScan().planFiles()) {
            for (FileScanTask task : tasks) {
                if (!task.deletes().isEmpty()) {
                    throw new IllegalStateException(name + " has delete files: not copy-on-write");
                }
                files.add(task.file().location());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static String value(Group row, int field) {
        return row.getFieldRepetitionCount(field) == 0 ? "null" : row.getValueToString(field, 0);
    }

    private static Contents fingerprint(List<String> files, String key) {
        List<String> rows = new ArrayList<>();
        Configuration hadoop = new Configuration();
        for (String file : files) {
            try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(),
                    new org.apache.hadoop.fs.Path(file)).withConf(hadoop).build()) {
                for (Group row = reader.read(); row != null; row = reader.read()) {
                    // The key first, then every other value: the hash covers whole rows, not only keys.
                    StringBuilder values = new StringBuilder(value(row, row.getType().getFieldIndex(key)));
                    for (int field = 0; field < row.getType().getFieldCount(); field++) {
                        values.append('\u0001').append(value(row, field));
                    }
                    rows.add(values.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        rows.sort(null);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            rows.forEach(row -> sha.update((row + "\n").getBytes(StandardCharsets.UTF_8)));
            return new Contents((long) rows.size(), HexFormat.of().formatHex(sha.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
