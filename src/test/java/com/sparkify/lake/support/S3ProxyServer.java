package com.sparkify.lake.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An S3-compatible server for tests and the benchmark: S3Proxy in a JVM of its own (its many dependencies
 * would clash with Spark's), storing objects under a folder, listening on 127.0.0.1 only, and stopped by
 * whoever started it, by its process id.
 */
public final class S3ProxyServer implements AutoCloseable {

    /** Copied there by maven-dependency-plugin (pom.xml, execution s3proxy-jar). */
    public static final Path JAR = Path.of("target/s3proxy/s3proxy.jar");

    private final Process process;
    private final int port;
    private final String identity;
    private final String credential;
    private final Path log;

    private S3ProxyServer(Process process, int port, String identity, String credential, Path log) {
        this.process = process;
        this.port = port;
        this.identity = identity;
        this.credential = credential;
        this.log = log;
    }

    /** Starts a server whose one account has these keys; requests signed with any other keys get a 403. */
    public static S3ProxyServer start(Path workDir, String identity, String credential) throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the tests through Maven "
                    + "(mvn test), which copies it there.");
        }
        Path data = Files.createDirectories(workDir.resolve("s3proxy-data"));
        int port = freePort();
        Path properties = workDir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + identity,
                "s3proxy.credential=" + credential,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                ""));
        Path log = workDir.resolve("s3proxy.log");
        Process process = new ProcessBuilder(List.of(javaBinary(), "-Xmx512m", "-jar",
                JAR.toAbsolutePath().toString(), "--properties", properties.toAbsolutePath().toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(process, port, identity, credential, log);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    /** An SDK client with the server's keys, for set-up that must not go through the code under test. */
    public S3Client client() {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(identity,
                        credential)))
                .build();
    }

    public void createBucket(String bucket) {
        try (S3Client s3 = client()) {
            s3.createBucket(request -> request.bucket(bucket));
        }
    }

    /** The --config file a run against this server uses. */
    public String config(String accessKey, String secretKey, String... sparkLines) {
        StringBuilder text = new StringBuilder("[AWS]\n")
                .append("AWS_ACCESS_KEY_ID = ").append(accessKey).append('\n')
                .append("AWS_SECRET_ACCESS_KEY = ").append(secretKey).append('\n')
                .append("endpoint = ").append(endpoint()).append('\n')
                .append("path_style_access = true\n");
        if (sparkLines.length > 0) {
            text.append("\n[spark]\n");
            for (String line : sparkLines) {
                text.append(line).append('\n');
            }
        }
        return text.toString();
    }

    @Override
    public void close() {
        ProcessHandle.of(pid()).ifPresent(ProcessHandle::destroy);
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                ProcessHandle.of(pid()).ifPresent(ProcessHandle::destroyForcibly);
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitListening(Duration limit) throws IOException {
        Instant deadline = Instant.now().plus(limit);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + " while starting; see " + log);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        close();
        throw new IOException("S3Proxy did not listen on port " + port + " within " + limit + "; see " + log);
    }

    /** A port that was free a moment ago; S3Proxy binds it itself, so a clash is possible but unlikely. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
        }
    }
}
