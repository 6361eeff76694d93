package dev.mileage.bench.calls;

import dev.mileage.bench.metering.CpuClock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The gateway jar as a child process on embedded defaults (its own PostgreSQL in a temp data dir, free
 * ports). Stopped on every exit path: {@link #close()}, and a shutdown hook for Ctrl-C. SIGTERM first so the
 * gateway stops its embedded PostgreSQL; then anything left of the process tree is killed.
 */
final class GatewayProcess implements AutoCloseable {
  static final Duration STOP_GRACE = Duration.ofSeconds(20);
  static final long HEALTH_POLL_NANOS = 200_000_000L;
  /**
   * JVM options of the gateway child, before those of {@code --gateway-jvm-opt}: none, so the bench measures
   * the gateway as the README starts it. In a run of a minute on two cores, C2's compilations (about 14,000,
   * 80 CPU-s) were the gateway's largest CPU consumer - 10.5 of 19 CPU-s at 40 calls/s;
   * {@code --gateway-jvm-opt=-XX:TieredStopAtLevel=1} (C1 only) halves the CPU per call of such short runs,
   * at the price of slower code in a gateway that runs for days. bench/README.md has both figures.
   */
  static final List<String> DEFAULT_JVM_OPTIONS = List.of();

  private final Process process;
  private final Thread shutdownHook;
  private final int httpPort;
  private final int sipPort;
  private final Path log;
  private final String operatorPassword;

  private GatewayProcess(Process process, int httpPort, int sipPort, Path log, String operatorPassword) {
    this.process = process;
    this.httpPort = httpPort;
    this.sipPort = sipPort;
    this.log = log;
    this.operatorPassword = operatorPassword;
    this.shutdownHook = new Thread(this::stop, "bench-gateway-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /**
   * Starts the gateway and waits until {@code /health} answers 200.
   *
   * @param operatorPassword handed over in the environment, never on the command line (ps would show it)
   */
  static GatewayProcess start(Path jar, Path dataDir, String trunkUri, String operatorPassword, List<String> jvmOptions,
                              Duration startTimeout) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("no gateway jar at " + jar.toAbsolutePath() + " (build it: mvn -q -o -pl gateway -am "
          + "package -DskipTests), or point the bench at a running gateway with --gateway-sip/--gateway-http");
    }
    int httpPort = Ports.freeTcp();
    int sipPort = Ports.freeUdpAndTcp();
    Files.createDirectories(dataDir);
    Path log = dataDir.resolve("gateway.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(DEFAULT_JVM_OPTIONS);
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--data-dir", dataDir.toString(),
        "--http-port", Integer.toString(httpPort), "--sip-port", Integer.toString(sipPort), "--host", "127.0.0.1",
        "--sip-ws-port", "0", // the browser transport on a free port: a fixed 5066 collides with any other gateway
        "--trunk-uri", trunkUri, "--no-demo"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("MILEAGE_OPERATOR_PASSWORD", operatorPassword);
    env.remove("DATABASE_URL");
    env.remove("MILEAGE_DATABASE_URL");
    GatewayProcess gateway = new GatewayProcess(builder.start(), httpPort, sipPort, log, operatorPassword);
    try {
      gateway.awaitHealthy(startTimeout);
      return gateway;
    } catch (IOException | RuntimeException e) {
      gateway.close();
      throw e;
    }
  }

  private void awaitHealthy(Duration timeout) throws IOException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
        .timeout(Duration.ofSeconds(2)).GET().build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("the gateway exited with " + process.exitValue() + " during start-up; see " + log);
      }
      try {
        if (client.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException notYet) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the gateway", e);
      }
      LockSupport.parkNanos(HEALTH_POLL_NANOS);
    }
    throw new IOException("the gateway was not healthy within " + timeout + "; see " + log);
  }

  int httpPort() { return httpPort; }
  long pid() { return process.pid(); }
  int sipPort() { return sipPort; }
  Path log() { return log; }
  String operatorPassword() { return operatorPassword; }

  /** CPU time the gateway process has used so far (user + system), or -1 when the OS does not say. */
  long cpuNanos() {
    return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  /** CPU time of the gateway's embedded PostgreSQL (it detaches from the gateway's process tree), or -1. */
  long databaseCpuNanos() {
    return CpuClock.postgresCpuNanos(log.getParent().resolve("pg"));
  }

  private synchronized void stop() {
    if (!process.isAlive()) return;
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    // the embedded PostgreSQL and anything else it started, if the gateway could not stop them itself
    for (ProcessHandle child : tree) if (child.isAlive()) child.destroyForcibly();
  }

  @Override
  public void close() {
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
  }
}
