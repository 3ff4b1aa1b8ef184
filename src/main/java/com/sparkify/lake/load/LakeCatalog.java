package com.sparkify.lake.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.spark.SparkCatalog;
import org.apache.iceberg.spark.SparkSchemaUtil;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import com.sparkify.lake.LakeException;
import com.sparkify.lake.config.CatalogConfig;
import com.sparkify.lake.config.LakeConfig;
import com.sparkify.lake.store.OverlappedUploads;
import com.sparkify.lake.store.S3Settings;
import com.sparkify.lake.store.StoreErrors;

/**
 * The Iceberg catalog of a lake: which tables it has, where each one's current metadata file is, and the
 * atomic swap that makes a new one current. A lake on local disk keeps it beside its tables, in a SQLite file
 * ({@code <lake>/_catalog/lake.db}), so the folder alone is a complete lake any Iceberg engine can open. A lake
 * on an object store needs a catalog that can swap atomically, which the store cannot: a database or a
 * catalog service, given in the config file's {@code [catalog]} section.
 *
 * <pre>
 * &lt;lake&gt;/songplays/ users/ songs/ artists/ time/   the tables: data/ (Parquet) and metadata/ each
 * &lt;lake&gt;/_input/files/ songs/ events/            what the lake has loaded: files, song records, events
 * &lt;lake&gt;/_catalog/lake.db                        the catalog of a local lake (SQLite)
 * &lt;lake&gt;/_catalog/README.txt                     says where the catalog is when it is configured
 * </pre>
 */
public final class LakeCatalog {

    public static final String FOLDER = "_catalog";
    static final String SQLITE_FILE = "lake.db";
    static final String POINTER_FILE = "README.txt";
    /** The folder of the tables that record the lake's input; the star tables sit at the lake's top. */
    static final String INPUT_FOLDER = "_input";
    /** The folder of the lake's record of its runs ({@link RunRecord}), beside the last run's summary. */
    static final String RUNS_FOLDER = Lake.RUN + "/record";

    private static final Map<String, String> TABLE_PROPERTIES = Map.of(
            TableProperties.FORMAT_VERSION, "2",
            // Copy-on-write: no delete files, so a table's current files are its rows for any Parquet reader.
            TableProperties.DELETE_MODE, "copy-on-write",
            TableProperties.UPDATE_MODE, "copy-on-write",
            TableProperties.MERGE_MODE, "copy-on-write",
            // Rows arrive sorted by partition: one open file at a time, where the fan-out writer keeps one per
            // partition open and ran out of memory at 10,000 songs folders.
            TableProperties.SPARK_WRITE_PARTITIONED_FANOUT_ENABLED, "false",
            // A run makes a few commits per table: keep the metadata files of the last hundred, not all.
            TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true",
            TableProperties.METADATA_PREVIOUS_VERSIONS_MAX, "100",
            // As TableWriter's buffers for the Parquet lake: a page buffer per open file of 128 KiB, not 1 MiB.
            TableProperties.PARQUET_PAGE_SIZE_BYTES, String.valueOf(128 * 1024),
            TableProperties.PARQUET_DICT_SIZE_BYTES, String.valueOf(128 * 1024));

    private final SparkSession spark;
    private final String lake;
    private final String sparkName;
    private final String namespace;
    private final Catalog catalog;

    private LakeCatalog(SparkSession spark, String lake, String sparkName, String namespace, Catalog catalog) {
        this.spark = spark;
        this.lake = lake;
        this.sparkName = sparkName;
        this.namespace = namespace;
        this.catalog = catalog;
    }

    /** True when {@code lake} holds Iceberg tables (it has a {@code _catalog/} folder). */
    public static boolean isIceberg(String lake, Configuration hadoop) {
        Path folder = new Path(lake, FOLDER);
        try {
            return folder.getFileSystem(hadoop).exists(folder);
        } catch (IOException e) {
            throw StoreErrors.explain(lake, e, hadoop).orElseGet(() -> new LakeException("Cannot read the lake "
                    + StoreErrors.safe(lake) + ": " + e.getMessage(), e));
        }
    }

    /**
     * Opens the catalog of the lake at {@code lake} (a qualified URI) in this session, creating the catalog of
     * a new local lake.
     *
     * @param create make the catalog (and its namespace) when the lake has none yet
     */
    public static LakeCatalog open(SparkSession spark, String lake, LakeConfig config, boolean create) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Map<String, String> properties = new HashMap<>();
        properties.put("warehouse", lake);
        // Hadoop's file systems do the reads and writes: S3A with the project's settings (requests in flight,
        // retries, credentials), the local file system on disk.
        properties.put("io-impl", "org.apache.iceberg.hadoop.HadoopFileIO");
        // Every load asks the catalog afresh: a cached table would hide another process's commit.
        properties.put("cache-enabled", "false");
        if (lake.startsWith("s3a://")) {
            // A task's data files go up side by side, not one after another (store.OverlappedUploads).
            OverlappedUploads.settings().forEach((key, value) -> properties.put("hadoop." + key, value));
        }
        String namespace;
        Optional<CatalogConfig> configured = config.catalog();
        if (configured.isPresent()) {
            CatalogConfig given = configured.get();
            namespace = given.namespace();
            properties.put("type", given.type());
            properties.put("uri", given.uri());
            given.user().ifPresent(user -> properties.put("jdbc.user", user));
            given.password().ifPresent(password -> properties.put("jdbc.password", password));
            if (given.type().equals(CatalogConfig.JDBC)) {
                properties.put("jdbc.schema-version", "V1");
            }
        } else {
            if (!isLocal(lake)) {
                throw new LakeException("An Iceberg lake on an object store needs a catalog that commits atomically "
                        + "(a rename there is a copy, so the store cannot). Add one to --config FILE:\n"
                        + "  [catalog]\n  uri = jdbc:postgresql://HOST:5432/DATABASE\n  user = USER\n"
                        + "  password = PASSWORD\n(or type = rest with the uri of an Iceberg REST catalog).");
            }
            namespace = CatalogConfig.DEFAULT_NAMESPACE;
            Path file = new Path(new Path(lake, FOLDER), SQLITE_FILE);
            if (!create && !exists(file, hadoop)) {
                throw new LakeException(lake + " is an Iceberg lake whose catalog is configured elsewhere ("
                        + lake + "/" + FOLDER + "/" + POINTER_FILE + " says where): give --config FILE with its "
                        + "[catalog] section.");
            }
            mkdirs(file.getParent(), hadoop);
            properties.put("type", "jdbc");
            properties.put("uri", "jdbc:sqlite:" + file.toUri().getPath());
            properties.put("jdbc.schema-version", "V1");
        }
        // One Spark catalog per lake and catalog: a session may open several lakes (tests, notebooks), and Spark
        // keeps a catalog by its name once made.
        String name = "lake_" + Integer.toHexString((lake + "|" + properties.get("uri") + "|" + namespace).hashCode())
                .replace('-', 'm');
        String prefix = "spark.sql.catalog." + name;
        spark.conf().set(prefix, SparkCatalog.class.getName());
        properties.forEach((key, value) -> spark.conf().set(prefix + "." + key, value));
        Catalog iceberg;
        try {
            iceberg = ((SparkCatalog) spark.sessionState().catalogManager().catalog(name)).icebergCatalog();
        } catch (RuntimeException e) {
            throw new LakeException("Cannot open the lake's Iceberg catalog (" + properties.get("type") + ", "
                    + scheme(properties.get("uri")) + "): " + StoreErrors.safe(rootMessage(e)), e);
        }
        LakeCatalog opened = new LakeCatalog(spark, lake, name, namespace, iceberg);
        if (create) {
            opened.createNamespace(configured.isPresent());
        } else if (!((SupportsNamespaces) iceberg).namespaceExists(Namespace.of(namespace))) {
            throw new LakeException("The catalog has no lake " + namespace + ": was " + lake + " built with "
                    + "--format iceberg and this catalog?");
        }
        return opened;
    }

    /** The lake's location as etl names it (its file system's full spelling): the catalog is keyed by it. */
    public static String qualified(String lake, Configuration hadoop) {
        Path root = new Path(lake);
        try {
            return root.getFileSystem(hadoop).makeQualified(root).toString();
        } catch (IOException e) {
            throw StoreErrors.explain(lake, e, hadoop).orElseGet(() -> new LakeException("Cannot read the lake "
                    + StoreErrors.safe(lake) + ": " + e.getMessage(), e));
        }
    }

    static boolean isLocal(String lake) {
        String scheme = new Path(lake).toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    private void createNamespace(boolean configured) {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
        if (!namespaces.namespaceExists(Namespace.of(namespace))) {
            namespaces.createNamespace(Namespace.of(namespace), Map.of("location", lake));
        } else {
            String at = namespaces.loadNamespaceMetadata(Namespace.of(namespace)).get("location");
            if (at != null && !at.equals(lake)) {
                throw new LakeException("The catalog's namespace " + namespace + " already holds the lake at " + at
                        + ", not " + lake + ". Give this lake its own: namespace = NAME in [catalog].");
            }
        }
        if (configured) {
            Path pointer = new Path(new Path(lake, FOLDER), POINTER_FILE);
            if (!exists(pointer, hadoop)) {
                write(pointer, "These are Apache Iceberg tables. Their catalog is not here: it is the one in the "
                        + "[catalog] section of the config file that built the lake (namespace " + namespace
                        + "). Open the lake with that file: sparkify-lake query NAME --lake " + lake
                        + " --config FILE\n", hadoop);
            }
        }
    }

    /** The table, made empty with the columns of {@code columns} if the lake does not have it yet. */
    public Table table(String name, StructType columns, List<String> partitions) {
        TableIdentifier id = TableIdentifier.of(namespace, name);
        try {
            return catalog.loadTable(id);
        } catch (NoSuchTableException missing) {
            Schema schema = SparkSchemaUtil.convert(nullable(columns));
            PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
            partitions.forEach(spec::identity);
            return catalog.buildTable(id, schema).withPartitionSpec(spec.build()).withLocation(location(name))
                    .withProperties(TABLE_PROPERTIES).create();
        }
    }

    /**
     * Gives the table's writes as many requests in flight as the session's writes have now. The run chooses
     * that number after its reads (see pipeline.Pipeline's tuning), but this catalog's Hadoop configuration,
     * which its tables' file IO shares and which sizes their uploads (store.OverlappedUploads), is a copy made
     * when the catalog was opened, before the reads: at 60 ms the uploads kept 64 going where the run chose 200.
     */
    public void keepRequestsInFlight(Table table) {
        String now = spark.sparkContext().hadoopConfiguration().get(S3Settings.COMMIT_THREADS);
        if (now != null && table.io() instanceof HadoopFileIO io) {
            io.getConf().set(S3Settings.COMMIT_THREADS, now);
        }
    }

    /** The table as the lake has it; a lake without it is not one this project built. */
    public Table table(String name) {
        try {
            return catalog.loadTable(TableIdentifier.of(namespace, name));
        } catch (NoSuchTableException e) {
            throw new LakeException("The Iceberg lake " + lake + " has no table " + name + ": was it built by "
                    + "sparkify-lake etl --format iceberg?");
        }
    }

    /** The rows of the table's current snapshot, as Iceberg's metadata counts them (0 before its first). */
    public long committedRows(String name) {
        var snapshot = table(name).currentSnapshot();
        return snapshot == null ? 0 : Long.parseLong(snapshot.summary().getOrDefault("total-records", "0"));
    }

    public boolean has(String name) {
        return catalog.tableExists(TableIdentifier.of(namespace, name));
    }

    /** How Spark SQL names the table: {@code lake_….sparkify.songs}. */
    public String sparkName(String table) {
        return sparkName + "." + namespace + "." + table;
    }

    /** How Spark SQL names one branch of the table. */
    public String sparkName(String table, String branch) {
        return sparkName(table) + ".branch_" + branch;
    }

    public String lake() {
        return lake;
    }

    public SparkSession spark() {
        return spark;
    }

    /** The lake-wide properties (the namespace's): where a run records that it is publishing. */
    public Map<String, String> properties() {
        return ((SupportsNamespaces) catalog).loadNamespaceMetadata(Namespace.of(namespace));
    }

    public void setProperty(String key, String value) {
        ((SupportsNamespaces) catalog).setProperties(Namespace.of(namespace), Map.of(key, value));
    }

    public void removeProperty(String key) {
        ((SupportsNamespaces) catalog).removeProperties(Namespace.of(namespace), java.util.Set.of(key));
    }

    private String location(String table) {
        if (table.equals(RunRecord.TABLE)) {
            return new Path(lake, RUNS_FOLDER).toString();
        }
        return table.startsWith(IcebergTables.INPUT_PREFIX)
                ? new Path(new Path(lake, INPUT_FOLDER), table.substring(IcebergTables.INPUT_PREFIX.length())).toString()
                : new Path(lake, table).toString();
    }

    /** Iceberg would make a column that Spark knows is never null a required one, and then refuse a later
     *  batch whose plan cannot prove the same. */
    private static StructType nullable(StructType columns) {
        StructType all = new StructType();
        for (StructField field : columns.fields()) {
            all = all.add(field.name(), field.dataType(), true);
        }
        return all;
    }

    private static boolean exists(Path path, Configuration hadoop) {
        try {
            return path.getFileSystem(hadoop).exists(path);
        } catch (IOException e) {
            throw new LakeException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    private static void mkdirs(Path path, Configuration hadoop) {
        try {
            path.getFileSystem(hadoop).mkdirs(path);
        } catch (IOException e) {
            throw new LakeException("Cannot make " + path + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path path, String text, Configuration hadoop) {
        try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LakeException("Cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    private static String scheme(String uri) {
        return uri == null ? "?" : uri.toLowerCase(Locale.ROOT).replaceAll("^((jdbc:)?[a-z0-9+.-]+:).*", "$1…");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
