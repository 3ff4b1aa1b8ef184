package com.sparkify.lake.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The command line in a JVM of its own, as a user or a scheduler starts it: a test that kills a run must not
 * kill itself. Started with this JVM's classpath and Spark's JVM flags, without the AWS_* variables of this
 * JVM's environment, and stopped by its process id.
 */
public final class EtlProcess {

    /** @param code the exit code (137: killed with SIGKILL) */
    public record Finished(int code, String output) {
    }

    private EtlProcess() {
    }

    /** A run under way: its process (stop it by its pid) and the file its output goes to. */
    public record Started(Process process, Path log) {

        public Finished await(long minutes) throws IOException, InterruptedException {
            try {
                if (!process.waitFor(minutes, TimeUnit.MINUTES)) {
                    throw new AssertionError("etl did not finish in " + minutes + " minutes: " + Files.readString(log));
                }
                return new Finished(process.exitValue(), Files.readString(log));
            } finally {
                ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    public static Finished run(Path workDir, Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        return start(workDir, environment, arguments).await(5);
    }

    public static Started start(Path workDir, Map<String, String> environment, String... arguments)
            throws IOException {
        return startMain(workDir, environment, "com.sparkify.lake.cli.SparkifyLake", arguments);
    }

    /** Another main class of this classpath (a test's own), in a JVM started as a run's is. */
    public static Started startMain(Path workDir, Map<String, String> environment, String mainClass,
                                    String... arguments) throws IOException {
        List<String> jvm = jvm();
        ChildClassArchive.Use classes = ChildClassArchive.get(jvm);
        List<String> command = new ArrayList<>(jvm);
        command.addAll(classes.flags());
        command.add("-cp");
        command.add(classes.classpath());
        command.add(mainClass);
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile(workDir, "etl-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        return new Started(withRunEnvironment(builder, environment).start(), log);
    }

    /** The environment every run a test starts gets: {@code environment} on loopback, and no AWS of this JVM's. */
    static ProcessBuilder withRunEnvironment(ProcessBuilder builder, Map<String, String> environment) {
        // A developer's own AWS keys or profile must not reach a test's run: nothing a test starts talks to AWS.
        builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") && !name.equals("AWS_CA_BUNDLE"));
        builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().putAll(environment);
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return builder;
    }

    /** The java command and the flags a run's JVM is started with. */
    private static List<String> jvm() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add-opens") || flag.startsWith("-Djdk.reflect") || flag.startsWith("-Dio.netty")
                    || flag.startsWith("-Duser.timezone")) {
                command.add(flag);
            }
        }
        command.add("-Xmx1g");
        // The throughput collector, as the launcher has it: no concurrent marking sharing the two cores.
        command.add("-XX:+UseParallelGC");
        // C1 only, as the launcher gives short runs; its code cache reserved as the launcher does, so that a
        // long run does not fill it and lose its compiler.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:ReservedCodeCacheSize=240m");
        return command;
    }
}
