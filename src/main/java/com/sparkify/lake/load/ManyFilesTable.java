package com.sparkify.lake.load;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import com.sparkify.lake.extract.WholeFiles;
import com.sparkify.lake.store.RequestsInFlight;

/**
 * A Parquet table of the lake stored as many small files, read without Spark's cost per file.
 *
 * <p>SPEC partitions {@code songs} by year and artist: the M set's 15,000 songs are 12,868 folders of one
 * small file each. Spark's Parquet source copies its whole Hadoop configuration (some 1,100 settings) for
 * every file it opens, and lists the folders level by level: reading that table took {@code serve} 7 to 11 s
 * of its start, 44 % of the reading threads' samples in those copies. Here the table's files are listed in
 * one flat listing and read whole with their reads overlapped ({@link WholeFiles}, as the input is), and
 * each file is decoded from memory by Parquet's own record reader, with one set of read options per task.
 * The rows are Spark's read of the same folder, row for row: its columns, its types (taken from Spark's
 * read of one partition folder), its partition values from the folder names.
 *
 * <p>Only tables of flat columns of the kinds the lake's tables have (text, whole numbers, doubles,
 * booleans) are read this way; any other table, or folder names that do not parse as Spark read them, go
 * to Spark's own Parquet source.
 */
public final class ManyFilesTable {

    /** The folder value Spark writes for a null partition value. */
    private static final String NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__";
    private static final Set<DataType> FLAT = Set.of(DataTypes.StringType, DataTypes.IntegerType,
            DataTypes.LongType, DataTypes.DoubleType, DataTypes.FloatType, DataTypes.BooleanType);
    /** The tables read here, for {@link StoredLake#manyFiles}: their plans name no files. */
    private static final Set<Dataset<Row>> READ = Collections.synchronizedSet(
            Collections.newSetFromMap(new WeakHashMap<>()));

    private ManyFilesTable() {
    }

    /**
     * The table at {@code folder} read here when it has more than {@code many} files and its columns allow,
     * else empty (Spark's source should read it).
     */
    public static Optional<Dataset<Row>> read(SparkSession spark, String folder, int many) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        String root;
        List<WholeFiles.Found> files;
        try {
            org.apache.hadoop.fs.Path top = new org.apache.hadoop.fs.Path(folder);
            root = top.getFileSystem(hadoop).makeQualified(top).toString();
            files = WholeFiles.list(root, hadoop).stream().filter(file -> file.path().endsWith(".parquet"))
                    .toList();
        } catch (IOException e) {
            return Optional.empty(); // Spark's source says what is wrong with the folder.
        }
        if (files.size() <= many) {
            return Optional.empty();
        }
        return read(spark, root, files);
    }

    /**
     * The table's files read here, if its columns allow.
     *
     * @param root the table's folder, as its file system qualifies it (as the files' paths begin)
     */
    static Optional<Dataset<Row>> read(SparkSession spark, String root, List<WholeFiles.Found> files) {
        if (files.isEmpty() || files.stream().anyMatch(file -> !file.path().startsWith(root + "/"))) {
            return Optional.empty();
        }
        // Spark's read of the first file's folder: the table's columns as Spark gives them, partition columns
        // (and the types Spark infers for them) included, for the cost of one folder.
        // A folder of a null value would tell Spark nothing of the column's type.
        String sample = files.stream().map(WholeFiles.Found::path).filter(path -> !path.contains(NULL_PARTITION))
                .findFirst().orElse(files.get(0).path());
        StructType columns = spark.read().option("basePath", root).parquet(sample.substring(0,
                sample.lastIndexOf('/'))).schema();
        int partitions = partitionCount(relative(root, sample));
        StructType data = new StructType(java.util.Arrays.copyOfRange(columns.fields(), 0,
                columns.size() - partitions));
        StructType partitionColumns = new StructType(java.util.Arrays.copyOfRange(columns.fields(),
                columns.size() - partitions, columns.size()));
        for (StructField field : columns.fields()) {
            if (!FLAT.contains(field.dataType())) {
                return Optional.empty();
            }
        }
        for (WholeFiles.Found file : files) {
            if (partitionValues(relative(root, file.path()), partitionColumns).isEmpty()) {
                return Optional.empty();
            }
        }
        int cores = spark.sparkContext().defaultParallelism();
        Dataset<Row> table = spark.createDataFrame(WholeFiles.each(spark, files, 2 * cores, RequestsInFlight.LEAST,
                new Decoder(root, data, partitionColumns)).flatMap(List::iterator), columns);
        READ.add(table);
        return Optional.of(table);
    }

    /** Whether {@code table} was read here (from more than the many files asked for). */
    static boolean readHere(Dataset<Row> table) {
        return READ.contains(table);
    }

    private static String relative(String root, String path) {
        return path.substring(root.length() + 1);
    }

    private static int partitionCount(String relative) {
        String[] parts = relative.split("/");
        int count = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].contains("=")) {
                count++;
            }
        }
        return count;
    }

    /** The file's partition values as Spark reads them from its folders' names, or empty if they do not parse. */
    static Optional<Object[]> partitionValues(String relative, StructType partitionColumns) {
        String[] parts = relative.split("/");
        if (parts.length - 1 != partitionColumns.size()) {
            return Optional.empty();
        }
        Object[] values = new Object[partitionColumns.size()];
        for (int i = 0; i < values.length; i++) {
            int equals = parts[i].indexOf('=');
            if (equals < 0 || !parts[i].substring(0, equals).equals(partitionColumns.fields()[i].name())) {
                return Optional.empty();
            }
            String text = ExternalCatalogUtils.unescapePathName(parts[i].substring(equals + 1));
            try {
                values[i] = text.equals(NULL_PARTITION) ? null : parse(text, partitionColumns.fields()[i].dataType());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(values);
    }

    private static Object parse(String text, DataType type) {
        if (type.equals(DataTypes.IntegerType)) {
            return Integer.parseInt(text);
        }
        if (type.equals(DataTypes.LongType)) {
            return Long.parseLong(text);
        }
        if (type.equals(DataTypes.DoubleType)) {
            return Double.parseDouble(text);
        }
        if (type.equals(DataTypes.FloatType)) {
            return Float.parseFloat(text);
        }
        if (type.equals(DataTypes.BooleanType)) {
            if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                throw new NumberFormatException(text);
            }
            return Boolean.parseBoolean(text);
        }
        return text;
    }

    /** One file's rows: its columns decoded by Parquet's record reader, its partition values appended. */
    private static final class Decoder implements WholeFiles.Decode<List<Row>> {

        private final String root;
        private final StructType data;
        private final StructType partitionColumns;
        /** Made once per task, on first use, from an empty configuration: not a copy of 1,100 settings per file. */
        private transient ParquetReadOptions options;

        Decoder(String root, StructType data, StructType partitionColumns) {
            this.root = root;
            this.data = data;
            this.partitionColumns = partitionColumns;
        }

        @Override
        public List<Row> apply(WholeFiles.Found file, byte[] bytes) throws IOException {
            if (options == null) {
                options = HadoopReadOptions.builder(new Configuration(false)).build();
            }
            Object[] partitionValues = partitionValues(relative(root, file.path()), partitionColumns)
                    .orElseThrow(() -> new IOException("Cannot read the partition values of " + file.path()));
            List<Row> rows = new ArrayList<>();
            try (ParquetFileReader reader = new ParquetFileReader(new InMemory(bytes), options)) {
                MessageType schema = reader.getFooter().getFileMetaData().getSchema();
                int[] at = new int[data.size()];
                for (int i = 0; i < at.length; i++) {
                    String name = data.fields()[i].name();
                    at[i] = schema.containsField(name) ? schema.getFieldIndex(name) : -1;
                }
                PageReadStore rowGroup;
                while ((rowGroup = reader.readNextRowGroup()) != null) {
                    RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema)
                            .getRecordReader(rowGroup, new GroupRecordConverter(schema));
                    for (long row = 0; row < rowGroup.getRowCount(); row++) {
                        rows.add(row(records.read(), at, partitionValues));
                    }
                }
            } catch (RuntimeException e) {
                throw new IOException("Cannot read " + file.path() + ": " + e.getMessage(), e);
            }
            return rows;
        }

        private Row row(Group group, int[] at, Object[] partitionValues) {
            Object[] values = new Object[at.length + partitionValues.length];
            for (int i = 0; i < at.length; i++) {
                values[i] = at[i] < 0 || group.getFieldRepetitionCount(at[i]) == 0 ? null
                        : value(group, at[i], data.fields()[i].dataType());
            }
            System.arraycopy(partitionValues, 0, values, at.length, partitionValues.length);
            return RowFactory.create(values);
        }

        private static Object value(Group group, int field, DataType type) {
            if (type.equals(DataTypes.StringType)) {
                return group.getString(field, 0);
            }
            if (type.equals(DataTypes.IntegerType)) {
                return group.getInteger(field, 0);
            }
            if (type.equals(DataTypes.LongType)) {
                return group.getLong(field, 0);
            }
            if (type.equals(DataTypes.DoubleType)) {
                return group.getDouble(field, 0);
            }
            if (type.equals(DataTypes.FloatType)) {
                return group.getFloat(field, 0);
            }
            return group.getBoolean(field, 0);
        }
    }

    /** A whole file's bytes as Parquet's reader asks for them. */
    private record InMemory(byte[] bytes) implements InputFile {

        @Override
        public long getLength() {
            return bytes.length;
        }

        @Override
        public SeekableInputStream newStream() {
            Positioned in = new Positioned(bytes);
            return new DelegatingSeekableInputStream(in) {
                @Override
                public long getPos() {
                    return in.position();
                }

                @Override
                public void seek(long position) {
                    in.seek(position);
                }
            };
        }
    }

    private static final class Positioned extends ByteArrayInputStream {

        Positioned(byte[] bytes) {
            super(bytes);
        }

        long position() {
            return pos;
        }

        void seek(long position) {
            pos = (int) Math.min(position, count);
        }
    }
}
