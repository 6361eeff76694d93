package dev.mileage.gateway.ledger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway as a separate JVM (the test's class path, main class {@code dev.mileage.gateway.Main}), on
 * a free HTTP port it reports at start-up, so a test can kill it with SIGKILL like a power cut.
 */
final class GatewayProcess implements AutoCloseable {
  static final Duration START_DEADLINE = Duration.ofSeconds(240);
  static final Duration STOP_DEADLINE = Duration.ofSeconds(30);
  static final String PASSWORD = "crash-test-operator-password";
  private static final Pattern WEB_LINE = Pattern.compile("Web page:\\s+http://127\\.0\\.0\\.1:(\\d+)/");

  final Process process;
  final int httpPort;
  final Path log;

  private GatewayProcess(Process process, int httpPort, Path log) {
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  static GatewayProcess start(Path dataDir, Path log) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.mileage.gateway.Main");
    command.addAll(List.of("--data-dir", dataDir.toString(), "--http-port", "0", "--sip-port", "0",
        "--host", "127.0.0.1", "--no-demo", "--operator-password", PASSWORD));
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + START_DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("gateway exited at start: see " + log);
      String text = Files.readString(log, StandardCharsets.UTF_8);
      Matcher m = WEB_LINE.matcher(text);
      int port = -1;
      int at = -1;
      while (m.find()) { // the last start in this log
        port = Integer.parseInt(m.group(1));
        at = m.end();
      }
      // the banner ends with the database line: only then is the whole banner in the log
      if (port > 0 && text.indexOf("Database:", at) > 0 && startsAfterLastKill(log)) {
        return new GatewayProcess(process, port, log);
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("gateway did not start within " + START_DEADLINE + ": see " + log);
  }

  /** The log is appended across restarts; a restart marks itself so the old port is not taken for the new. */
  private static boolean startsAfterLastKill(Path log) throws IOException {
    String text = Files.readString(log, StandardCharsets.UTF_8);
    int kill = text.lastIndexOf("=== killed");
    return kill < 0 || WEB_LINE.matcher(text.substring(kill)).find();
  }

  void kill() throws Exception {
    process.destroyForcibly();
    if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) throw new IllegalStateException("not dead");
    Files.writeString(log, "\n=== killed\n", StandardOpenOptionHolder.APPEND);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            ("operator:" + PASSWORD).getBytes(StandardCharsets.UTF_8)))
        .header("Content-Type", "application/json");
  }

  HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(request(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(HttpClient client, String path, String json) throws Exception {
    return client.send(request(uri(path)).POST(HttpRequest.BodyPublishers.ofString(json)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** SIGTERM, then waits: the shutdown hook stops HTTP, the ledger and the embedded PostgreSQL. */
  @Override
  public void close() throws Exception {
    if (!process.isAlive()) return;
    process.destroy();
    if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static final class StandardOpenOptionHolder {
    static final java.nio.file.OpenOption APPEND = java.nio.file.StandardOpenOption.APPEND;
  }
}
