package com.sparkify.lake.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on loopback, made of plain JVMs started from Maven's jars: one master, some
 * workers, and drivers that run the project's command line against it. No Spark distribution is involved:
 * the master and worker classes ship in spark-core.
 *
 * <p>Three things make executors start without a distribution (see shared/FIELD-NOTES.md): SPARK_HOME names a
 * folder with an empty {@code jars/}, SPARK_SCALA_VERSION is set, and the executors get Spark's jars through
 * {@code spark.executor.extraClassPath}. Everything binds to 127.0.0.1 ({@code SPARK_LOCAL_IP}, {@code --host},
 * the driver's host and bind address); every port is chosen by the system (port 0) and read back from the logs.
 *
 * <p>{@link #close()} stops every process started here, by its id, with the executors the workers started.
 */
public final class StandaloneCluster implements AutoCloseable {

    /** A worker's executors need less than this; two workers and their executors fit beside the test JVM. */
    private static final String WORKER_MEMORY = "1g";
    static final String EXECUTOR_MEMORY = "512m";
    private static final String DAEMON_HEAP = "-Xmx256m";
    /** Every JVM of the cluster, executors included, stops at C1, as the test JVMs and bin/sparkify-lake's small
     *  runs do: on the sample, six JVMs on two cores spent more CPU optimising Spark's code than running it. */
    private static final String JIT = "-XX:TieredStopAtLevel=1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern MASTER_URL = Pattern.compile("Starting Spark master at (spark://127\\.0\\.0\\.1:\\d+)");

    private final Path home;
    private final List<String> clusterClasspath;
    private final List<String> sparkJvmFlags;
    private final List<Started> started = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    /** Executors and other children of the processes above, as found when they were stopped or killed. */
    private final List<ProcessHandle> children = new ArrayList<>();
    private String masterUrl;

    /** One process this cluster started, with where its output goes. */
    public record Started(String name, Process process, Path log) {

        public long pid() {
            return process.pid();
        }

        public String output() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A worker and the folder its executors run in. */
    public record Worker(Started daemon, Path workDir) {

        /** The executors this worker has started so far, one folder each: {@code <app>/<executor id>/}. */
        public List<Path> executorFolders() {
            if (!Files.isDirectory(workDir)) {
                return List.of();
            }
            try (Stream<Path> apps = Files.list(workDir)) {
                List<Path> executors = new ArrayList<>();
                for (Path app : apps.filter(Files::isDirectory).toList()) {
                    try (Stream<Path> ids = Files.list(app)) {
                        ids.filter(Files::isDirectory).forEach(executors::add);
                    }
                }
                return executors;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private StandaloneCluster(Path home) {
        this.home = home;
        this.clusterClasspath = clusterClasspath();
        this.sparkJvmFlags = List.of(System.getProperty("sparkify.sparkJvmFlags", "").trim().split("\\s+"));
    }

    /** Starts a master and {@code workers} workers of one core each, and waits until all have registered. */
    public static StandaloneCluster start(Path home, int workers) throws IOException, InterruptedException {
        StandaloneCluster cluster = new StandaloneCluster(home);
        // A test JVM stopped from outside (Ctrl-C, a build timeout) never reaches @AfterAll: the processes
        // started here must not outlive it even then.
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "stop-standalone-cluster"));
        try {
            Files.createDirectories(home.resolve("spark-home/jars"));
            cluster.startMaster();
            for (int i = 1; i <= workers; i++) {
                cluster.startWorker(i);
            }
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    public String masterUrl() {
        return masterUrl;
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /** The application jar that {@code mvn package} built: what spark-submit would be given. */
    public static Path applicationJar() {
        Path jar = Path.of(System.getProperty("sparkify.appJar", "target/sparkify-lake-app.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the cluster tests run after `mvn package` "
                    + "(mvn verify), which builds it.");
        }
        return jar.toAbsolutePath();
    }

    private void startMaster() throws IOException, InterruptedException {
        Started master = launch("master", List.of("org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", "0", "--webui-port", "0"), clusterClasspath);
        Matcher url = awaitLog(master, MASTER_URL);
        masterUrl = url.group(1);
    }

    private void startWorker(int number) throws IOException, InterruptedException {
        Path workDir = Files.createDirectories(home.resolve("worker-" + number));
        Started worker = launch("worker-" + number, List.of("org.apache.spark.deploy.worker.Worker",
                "--host", "127.0.0.1", "--port", "0", "--webui-port", "0", "--cores", "1",
                "--memory", WORKER_MEMORY, "--work-dir", workDir.toString(), masterUrl), clusterClasspath);
        awaitLog(worker, Pattern.compile("Successfully registered with master"));
        workers.add(new Worker(worker, workDir));
    }

    /**
     * Starts a driver with spark-submit: Spark's own {@code SparkSubmit} (the class the {@code spark-submit}
     * script runs) on the cluster's classpath, given the application jar and the job's main class, in client
     * mode. spark-submit passes the master and lists the jar in {@code spark.jars}, from which the executors
     * fetch it.
     */
    public Started startSubmittedDriver(String name, String... etlArguments) throws IOException {
        List<String> command = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                "--master", masterUrl, "--deploy-mode", "client",
                "--class", "com.sparkify.lake.cli.SparkifyLake",
                "--executor-memory", EXECUTOR_MEMORY));
        for (String property : sparkProperties()) {
            command.add("--conf");
            command.add(property);
        }
        command.add(applicationJar().toString());
        command.add("etl");
        command.addAll(Arrays.asList(etlArguments));
        return launch(name, command, clusterClasspath, "-Xmx768m");
    }

    /**
     * Starts a driver the way a user runs the job from a checkout: {@code bin/sparkify-lake etl --master
     * spark://…}, the runnable jar with its lib/ folder. The launcher ships that jar to the executors.
     */
    public Started startLauncherDriver(String name, String... etlArguments) throws IOException {
        Path launcher = Path.of("bin", "sparkify-lake").toAbsolutePath();
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(etlCommand(etlArguments));
        Path log = home.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        environment(builder.environment());
        builder.environment().put("SPARKIFY_JAVA_OPTS", "-Xmx768m");
        // The launcher execs java: the process started here is the driver itself.
        Started process = new Started(name, builder.start(), log);
        started.add(process);
        return process;
    }

    /** {@code etl} and its arguments as a driver on this cluster is given them: the master, and the
     *  properties that stand in for each worker's Spark installation. */
    public List<String> etlCommand(String... etlArguments) {
        List<String> command = new ArrayList<>(List.of("etl", "--master", masterUrl,
                "--conf", "spark.executor.memory=" + EXECUTOR_MEMORY));
        for (String property : sparkProperties()) {
            command.add("--conf");
            command.add(property);
        }
        command.addAll(Arrays.asList(etlArguments));
        return command;
    }

    /** What every driver here is given, however it is started. */
    private List<String> sparkProperties() {
        return List.of(
                "spark.driver.host=127.0.0.1",
                "spark.driver.bindAddress=127.0.0.1",
                "spark.executor.cores=1",
                "spark.executor.extraJavaOptions=" + JIT,
                // Spark's default logging (a driver without the command line's log4j2.properties) writes every
                // plan at INFO, which costs seconds on a busy machine.
                "spark.log.level=WARN",
                // Stands in for the Spark installation every worker of a real cluster has.
                "spark.executor.extraClassPath=" + String.join(File.pathSeparator, clusterClasspath));
    }

    private Started launch(String name, List<String> mainAndArguments, List<String> classpath, String... jvm)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(sparkJvmFlags);
        command.add(JIT);
        command.add(jvm.length == 0 ? DAEMON_HEAP : jvm[0]);
        command.add("-cp");
        command.add(String.join(File.pathSeparator, classpath));
        command.addAll(mainAndArguments);
        Path log = home.resolve(name + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        environment(builder.environment());
        Started process = new Started(name, builder.start(), log);
        started.add(process);
        return process;
    }

    private void environment(Map<String, String> env) {
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_HOME", home.resolve("spark-home").toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        // Workers start executors with this Java, the same as the test's.
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator + env.getOrDefault("PATH", ""));
    }

    /** Waits until {@code process} logs a line matching {@code pattern}; fails early if it dies. */
    public Matcher awaitLog(Started process, Pattern pattern) throws InterruptedException {
        return awaitLog(process, pattern, START_TIMEOUT);
    }

    public Matcher awaitLog(Started process, Pattern pattern, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Matcher matcher = pattern.matcher(process.output());
            if (matcher.find()) {
                return matcher;
            }
            if (!process.process().isAlive()) {
                throw new IllegalStateException(process.name() + " exited (" + process.process().exitValue()
                        + ") before logging /" + pattern + "/:\n" + tail(process.output()));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(process.name() + " did not log /" + pattern + "/ within " + timeout
                + ":\n" + tail(process.output()));
    }

    /** Kills a worker the hard way, as a lost machine would: its executors at once, then the worker. */
    public void killWorker(Worker worker) {
        ProcessHandle handle = worker.daemon().process().toHandle();
        List<ProcessHandle> executors = handle.descendants().toList();
        children.addAll(executors);
        executors.forEach(ProcessHandle::destroyForcibly);
        handle.destroyForcibly();
        waitForExit(handle, Duration.ofSeconds(10));
        executors.forEach(executor -> waitForExit(executor, Duration.ofSeconds(10)));
    }

    /** The run's own progress lines (stage, counts, seconds), without Spark's log lines around them. */
    public static String progress(String driverOutput) {
        return String.join("\n", driverOutput.lines()
                .filter(line -> line.matches("^(start spark|extract|quarantine|load|publish) .* s$|^tuning .*")).toList());
    }

    public static String tail(String text) {
        List<String> lines = text.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Stops every process started here, newest first (drivers, workers with their executors, master). */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            ProcessHandle handle = started.get(i).process().toHandle();
            List<ProcessHandle> descendants = handle.descendants().toList();
            children.addAll(descendants);
            stop(handle);
            descendants.forEach(StandaloneCluster::stop);
        }
    }

    /** Asks a process to stop (its shutdown hooks run), then kills it if it is still there after a while. */
    private static void stop(ProcessHandle process) {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitForExit(process, Duration.ofSeconds(10))) {
            process.destroyForcibly();
            waitForExit(process, Duration.ofSeconds(10));
        }
    }

    private static boolean waitForExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** The processes this cluster started, and their children (executors), that are still running. */
    public List<Long> alive() {
        List<Long> pids = new ArrayList<>();
        for (Started process : started) {
            if (process.process().isAlive()) {
                pids.add(process.pid());
            }
            process.process().toHandle().descendants().forEach(child -> pids.add(child.pid()));
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(child -> pids.add(child.pid()));
        return pids;
    }

    /** What a Spark installation provides: Maven's runtime classpath less what the application jar carries. */
    public static List<String> clusterClasspath() {
        Path file = Path.of(System.getProperty("sparkify.clusterClasspathFile", "target/cluster-classpath.txt"));
        try {
            return List.of(Files.readString(file).trim().split(File.pathSeparator));
        } catch (IOException e) {
            throw new IllegalStateException(file + " is missing: the cluster tests run after `mvn package` "
                    + "(mvn verify), which writes it.", e);
        }
    }
}
