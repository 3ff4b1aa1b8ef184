package com.sparkify.lake.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.remote.RemoteWebDriver;

/**
 * Debian's chromium, headless, driven through Debian's chromedriver, which this class starts on 127.0.0.1 and
 * stops by its process id. Never a downloaded browser: Selenium's own driver manager is not used.
 * <p>
 * {@code .ci/run} installs both packages; where it could not (no root) it unpacks them and names the folder in
 * {@code SPARKIFY_CHROMIUM_HOME}, whose libraries the two programs are then given.
 */
public final class Chromium implements AutoCloseable {

    private final Process driverProcess;
    private final RemoteWebDriver browser;

    private Chromium(Process driverProcess, RemoteWebDriver browser) {
        this.driverProcess = driverProcess;
        this.browser = browser;
    }

    /** A headless browser logging the console and every network event, in a window of the given size. */
    public static Chromium start(int width, int height, Path logs) throws IOException {
        String home = System.getenv("SPARKIFY_CHROMIUM_HOME");
        Path root = Path.of(home == null ? "/" : home);
        Path driver = root.resolve("usr/bin/chromedriver");
        Path binary = home == null ? Path.of("/usr/bin/chromium") : root.resolve("usr/lib/chromium/chromium");
        if (!Files.isExecutable(driver) || !Files.isExecutable(binary)) {
            String missing = "Chromium is not installed (Debian's chromium and chromium-driver packages: apt-get "
                    + "install chromium chromium-driver; .ci/run installs them).";
            // In CI a missing browser is a broken set-up, not a test to skip.
            if ("true".equals(System.getenv("CI"))) {
                org.junit.jupiter.api.Assertions.fail(missing);
            }
            org.junit.jupiter.api.Assumptions.abort(missing);
        }
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.createDirectories(logs.getParent());
        // Without --allowed-ips chromedriver listens on the loopback interface only.
        ProcessBuilder builder = new ProcessBuilder(driver.toString(), "--port=" + port, "--log-level=WARNING")
                .redirectErrorStream(true).redirectOutput(logs.toFile());
        if (home != null) {
            builder.environment().put("LD_LIBRARY_PATH", String.join(":", List.of(
                    root.resolve("usr/lib/x86_64-linux-gnu").toString(), root.resolve("lib/x86_64-linux-gnu").toString(),
                    root.resolve("usr/lib/chromium").toString())));
        }
        Process process = builder.start();
        try {
            ChromeOptions options = new ChromeOptions();
            options.setBinary(binary.toFile());
            List<String> arguments = new ArrayList<>(List.of("--headless=new", "--disable-gpu", "--hide-scrollbars",
                    "--disable-dev-shm-usage", "--window-size=" + width + "," + height,
                    // no first-run pings, updates or safe-browsing lookups: the page is the only thing loaded
                    "--no-first-run", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--remote-debugging-address=127.0.0.1"));
            if ("root".equals(System.getProperty("user.name"))) {
                arguments.add("--no-sandbox"); // chromium refuses to run its sandbox as root
            }
            options.addArguments(arguments);
            LoggingPreferences logging = new LoggingPreferences();
            logging.enable(LogType.BROWSER, Level.ALL);
            logging.enable(LogType.PERFORMANCE, Level.ALL);
            options.setCapability("goog:loggingPrefs", logging);
            options.setExperimentalOption("perfLoggingPrefs", Map.of("enableNetwork", true, "enablePage", false));
            RemoteWebDriver browser = awaitDriver(new URL("http://127.0.0.1:" + port), options, process);
            return new Chromium(process, browser);
        } catch (RuntimeException | IOException e) {
            stop(process);
            throw e;
        }
    }

    /** The session, once chromedriver accepts connections. */
    private static RemoteWebDriver awaitDriver(URL url, ChromeOptions options, Process process) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), url.getPort())) {
                return new RemoteWebDriver(url, options);
            } catch (java.net.ConnectException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("chromedriver did not start on " + url + " (its log says why)");
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while chromedriver started", interrupted);
                }
            }
        }
    }

    public RemoteWebDriver browser() {
        return browser;
    }

    /** The driver's process id: what {@link #close()} stops. */
    public long pid() {
        return driverProcess.pid();
    }

    @Override
    public void close() {
        try {
            browser.quit();
        } finally {
            stop(driverProcess);
        }
    }

    /** Stops chromedriver by its pid, and the browser it started if quitting left one behind. */
    private static void stop(Process process) {
        ProcessHandle handle = ProcessHandle.of(process.pid()).orElse(null);
        if (handle == null) {
            return;
        }
        List<ProcessHandle> children = handle.descendants().toList();
        handle.destroy();
        try {
            handle.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception slow) {
            handle.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }
}
