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
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
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
    private final boolean https;

    private S3ProxyServer(Process process, int port, String identity, String credential, Path log, boolean https) {
        this.process = process;
        this.port = port;
        this.identity = identity;
        this.credential = credential;
        this.log = log;
        this.https = https;
    }

    /**
     * A certificate for 127.0.0.1 made on the spot, as a store reached over HTTPS needs: the server's keystore,
     * and a truststore holding its certificate alone for the clients, which a JVM is given with
     * {@link #clientOptions} (or {@link #trustInThisJvm}).
     */
    public record Tls(Path keystore, Path truststore, String password) {

        public static Tls make(Path folder) throws IOException {
            Files.createDirectories(folder);
            Tls tls = new Tls(folder.resolve("s3proxy.jks"), folder.resolve("trust.p12"),
                    Long.toHexString(new java.security.SecureRandom().nextLong()));
            Path certificate = folder.resolve("s3proxy.cer");
            for (Path made : List.of(tls.keystore, tls.truststore, certificate)) {
                Files.deleteIfExists(made);
            }
            keytool(folder, "-genkeypair", "-alias", "s3proxy", "-keyalg", "RSA", "-keysize", "2048", "-validity", "7",
                    "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-storetype", "JKS",
                    "-keystore", tls.keystore.toString(), "-storepass", tls.password, "-keypass", tls.password);
            keytool(folder, "-exportcert", "-alias", "s3proxy", "-keystore", tls.keystore.toString(),
                    "-storepass", tls.password, "-file", certificate.toString());
            keytool(folder, "-importcert", "-noprompt", "-alias", "s3proxy", "-file", certificate.toString(),
                    "-storetype", "PKCS12", "-keystore", tls.truststore.toString(), "-storepass", tls.password);
            return tls;
        }

        /** What a client JVM needs on its command line to trust the server, and nothing else. */
        public List<String> clientOptions() {
            return List.of("-Djavax.net.ssl.trustStore=" + truststore, "-Djavax.net.ssl.trustStorePassword=" + password,
                    "-Djavax.net.ssl.trustStoreType=PKCS12");
        }

        /** Makes this JVM trust the server (before its first TLS connection). */
        public void trustInThisJvm() {
            System.setProperty("javax.net.ssl.trustStore", truststore.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", password);
            System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        }

        private static void keytool(Path folder, String... arguments) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                    .toString()));
            command.addAll(List.of(arguments));
            Path output = folder.resolve("keytool.log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .start();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new IOException("keytool " + arguments[0] + " failed; see " + output);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while making a certificate", e);
            }
        }
    }

    /** Starts a server whose one account has these keys; requests signed with any other keys get a 403. */
    public static S3ProxyServer start(Path workDir, String identity, String credential) throws IOException {
        return start(workDir, identity, credential, 0);
    }

    /**
     * A server that makes every operation on its store wait {@code latencyMillis} first, all of them at once, as
     * a store that far away would: S3Proxy's latency middleware. It sleeps once per call to its storage layer,
     * so a multipart upload's start and completion, which make several, wait several times. Servers started
     * on the same {@code workDir} share their objects: data put through one is read through the next.
     */
    public static S3ProxyServer start(Path workDir, String identity, String credential, int latencyMillis)
            throws IOException {
        return start(workDir, identity, credential, latencyMillis, null);
    }

    /** As {@link #start(Path, String, String, int)}, over HTTPS alone when {@code tls} is given. */
    public static S3ProxyServer start(Path workDir, String identity, String credential, int latencyMillis, Tls tls)
            throws IOException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run the tests through Maven "
                    + "(mvn test), which copies it there.");
        }
        Path data = Files.createDirectories(workDir.resolve("s3proxy-data"));
        int port = freePort();
        Path properties = workDir.resolve("s3proxy-" + port + ".properties");
        Files.writeString(properties, String.join("\n",
                tls == null ? "s3proxy.endpoint=http://127.0.0.1:" + port
                        : "s3proxy.secure-endpoint=https://127.0.0.1:" + port + "\ns3proxy.keystore-path="
                        + tls.keystore().toAbsolutePath() + "\ns3proxy.keystore-password=" + tls.password(),
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + identity,
                "s3proxy.credential=" + credential,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                // Request counts by operation at /metrics: what the server saw, whoever sent it.
                "s3proxy.metrics.enabled=true",
                latencyMillis > 0 ? "s3proxy.latency-blobstore.*.latency=" + latencyMillis : "",
                ""));
        Path log = workDir.resolve("s3proxy-" + port + ".log");
        Process process = new ProcessBuilder(List.of(javaBinary(), "-Xmx1g", "-XX:+UseParallelGC", "-jar",
                JAR.toAbsolutePath().toString(), "--properties", properties.toAbsolutePath().toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        S3ProxyServer server = new S3ProxyServer(process, port, identity, credential, log, tls != null);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
    }

    public String endpoint() {
        return (https ? "https" : "http") + "://127.0.0.1:" + port;
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

    /**
     * The requests the server has answered so far, by S3 operation (GetObject, HeadObject, UploadPart, ...),
     * from its metrics: exact whichever processes sent them.
     */
    public Map<String, Long> requests() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint() + "/metrics")).GET().build();
        String text;
        try {
            text = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading S3Proxy's metrics", e);
        }
        Map<String, Long> counts = new TreeMap<>();
        Matcher line = METRIC.matcher(text);
        while (line.find()) {
            counts.merge(line.group(1), (long) Double.parseDouble(line.group(2)), Long::sum);
        }
        return counts;
    }

    private static final Pattern METRIC = Pattern.compile(
            "(?m)^http_server_request_duration_seconds_count\\{[^}]*s3_operation=\"(\\w+)\"[^}]*\\} ([0-9.eE+]+)$");

    /** CPU seconds the server's process has used so far (Linux), or -1 where that cannot be read. */
    public double cpuSeconds() {
        try {
            String[] stat = Files.readString(Path.of("/proc/" + pid() + "/stat")).split("\\) ")[1].split(" ");
            return (Long.parseLong(stat[11]) + Long.parseLong(stat[12])) / 100.0;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Puts every file below {@code root} into the bucket under {@code prefix} through the S3 API, so that
     *  each has an ETag, as objects in a real store do. */
    public int putTree(String bucket, String prefix, Path root) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try (S3Client s3 = client()) {
            List<Future<?>> puts = new ArrayList<>();
            for (Path file : files) {
                String key = prefix + "/" + root.relativize(file).toString().replace('\\', '/');
                puts.add(pool.submit(() -> s3.putObject(put -> put.bucket(bucket).key(key), RequestBody.fromFile(file))));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading " + root, e);
        } catch (ExecutionException e) {
            throw new IOException("uploading " + root + " failed: " + e.getCause(), e.getCause());
        } finally {
            pool.shutdown();
        }
        return files.size();
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
