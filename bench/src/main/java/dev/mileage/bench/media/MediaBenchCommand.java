package dev.mileage.bench.media;

import dev.mileage.bench.report.Report;
import dev.mileage.bench.report.ReportWriter;
import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaIo;
import dev.mileage.gateway.media.PortPool;
import dev.mileage.gateway.media.RtpRelay;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench media}: G.711 RTP through the gateway's own media relay ({@link RtpRelay}: the nodes,
 * port pool and {@link MediaIo} threads the B2BUA uses for every call), in this process over real UDP on loopback.
 * Each call has two endpoints sending 50 packets/s to their relay port; the relay forwards each to the
 * other endpoint. Reports relayed packets/s, loss and the latency a packet spends from its scheduled
 * send to its arrival through the relay (one extra loopback hop compared with a direct path), and the
 * SRTP crypto path of browser legs measured on the gateway's {@code SrtpSession}.
 */
@Command(name = "media", mixinStandardHelpOptions = true,
    description = "RTP relay throughput, loss and added latency for concurrent G.711 calls; SRTP crypto cost.")
public final class MediaBenchCommand implements Callable<Integer> {
  /** Calls beyond this would need more than the default port range. */
  static final int CALLS_MAX = 5_000;
  /** Linux's default ip_local_port_range starts here. */
  static final int EPHEMERAL_PORT_MIN = 32_768;

  @Option(names = "--calls", description = "concurrent calls (default ${DEFAULT-VALUE})")
  int calls = 500;
  @Option(names = "--pps", description = "packets per second per direction (default ${DEFAULT-VALUE}: 20 ms G.711)")
  int packetsPerSecond = 50;
  @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
  int seconds = 20;
  @Option(names = "--baseline-seconds", description = "measured seconds of the direct baseline (same generators, "
      + "no relay) run before the relayed one; 0 skips it (default: as --seconds)")
  Integer baselineSecondsOption;
  int baselineSeconds;
  @Option(names = "--warmup-seconds", description = "unmeasured warm-up (default ${DEFAULT-VALUE})")
  int warmupSeconds = 3;
  @Option(names = "--generator-threads", description = "sender/receiver threads (default ${DEFAULT-VALUE})")
  int generatorThreads = 2;
  @Option(names = "--relay-threads", description = "the relay's media I/O threads (default: the gateway's, one per two cores)")
  Integer relayThreads;
  @Option(names = "--port-base", description = "first media port of the relay's range (default: random free area)")
  int portBase = 0;
  @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON")
  Path json;
  @Option(names = "--html", paramLabel = "FILE", description = "HTML report (default: next to --json)")
  Path html;

  private Context context;

  @Override
  public Integer call() throws Exception {
    if (calls < 1 || calls > CALLS_MAX || packetsPerSecond < 1 || packetsPerSecond > 1000 || seconds < 1 || seconds > 3600
        || generatorThreads < 1 || generatorThreads > 16 || warmupSeconds < 0 || warmupSeconds > 60
        || (relayThreads != null && (relayThreads < 1 || relayThreads > MediaIo.THREADS_MAX))) {
      System.err.println("bench media: out-of-range option (calls 1.." + CALLS_MAX + ", pps 1..1000, seconds 1..3600)");
      return 2;
    }
    baselineSeconds = baselineSecondsOption != null ? baselineSecondsOption : seconds;
    if (baselineSeconds < 0 || baselineSeconds > 3600) {
      System.err.println("bench media: --baseline-seconds 0..3600");
      return 2;
    }
    Instant startedAt = Instant.now();
    Vertx vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    MediaCounters counters = new MediaCounters();
    int ioThreads = relayThreads != null ? relayThreads : MediaIo.defaultThreads();
    MediaIo io = new MediaIo("media-io", ioThreads);
    // below Linux's ephemeral range (32768 and up), where the generators' own sockets and everybody's
    // clients take ports: a random base there met "no free media port" on a busy machine
    int range = calls * 4 + 200;
    int base = portBase != 0 ? portBase : 10_000 + new java.util.Random().nextInt(EPHEMERAL_PORT_MIN - 10_000 - range);
    List<RtpRelay> relays = new ArrayList<>();
    try {
      PortPool ports = onContext(context, () -> new PortPool(vertx, "127.0.0.1", base, base + range));
      for (int i = 0; i < calls; i++) {
        CompletableFuture<RtpRelay> f = new CompletableFuture<>();
        context.runOnContext(v -> RtpRelay.open(ports, io, counters, System::currentTimeMillis).onComplete(ar -> {
          if (ar.succeeded()) f.complete(ar.result());
          else f.completeExceptionally(ar.cause());
        }));
        relays.add(f.get(10, TimeUnit.SECONDS));
      }
      Run baseline = baselineSeconds == 0 ? null : run(null, baselineSeconds, null);
      Run relayed = run(relays, seconds, ioThreadCounters(counters));
      Histogram latency = relayed.latency;
      Histogram transit = relayed.transit;
      long sent = relayed.sent;
      long received = relayed.received;
      double pps = received / (double) seconds;
      double loss = sent == 0 ? 1.0 : Math.max(0, sent - received) / (double) sent;
      CpuMeter cpu = relayed.cpu;

      SrtpCryptoBench.Result crypto = SrtpCryptoBench.run(calls, Math.max(50, packetsPerSecond * 4L), 42);

      Report report = new Report("media", startedAt)
          .setting("calls", calls).setting("packetsPerSecondPerDirection", packetsPerSecond)
          .setting("seconds", seconds).setting("baselineSeconds", baselineSeconds).setting("warmupSeconds", warmupSeconds).setting("generatorThreads", generatorThreads)
          .setting("relayThreads", ioThreads)
          .setting("cores", Runtime.getRuntime().availableProcessors());
      report.figure("packetsPerSecond", Math.round(pps));
      report.figure("packetsPerSecondOffered", (long) calls * 2 * packetsPerSecond);
      report.figure("packetsSent", sent);
      report.figure("packetsReceived", received);
      report.figure("packetsReceivedAll", relayed.receivedAll);
      report.figure("lossRatio", loss);
      report.figure("generatorBehindMsMax", relayed.behindNanosMax / 1e6);
      report.latency("addedLatency", "raw: scheduled send to arrival through the relay (two loopback hops, the relay, "
          + "and the generator's own scheduling and reading delays)", latency);
      report.latency("relayTransit", "actual send to arrival through the relay (without the sender's lag)", transit);
      if (baseline != null) {
        // the same generators, schedule and sockets, each call's two endpoints talking directly: what the
        // bench and the kernel add on their own; the relay's share is the difference
        report.figure("baselinePacketsSent", baseline.sent);
        report.figure("baselineLossRatio", baseline.sent == 0 ? 1.0 : Math.max(0, baseline.sent - baseline.received) / (double) baseline.sent);
        report.figure("baselineGeneratorBehindMsMax", baseline.behindNanosMax / 1e6);
        report.latency("baselineLatency", "scheduled send to arrival, endpoints connected directly (no relay): "
            + "the generator and one loopback hop", baseline.latency);
        report.latency("baselineTransit", "actual send to arrival, direct (no relay)", baseline.transit);
        for (double q : new double[] {50, 99, 99.9}) {
          String name = q == 50 ? "P50" : q == 99 ? "P99" : "P999";
          report.figure("relayOverBaselineMs" + name,
              (latency.getValueAtPercentile(q) - baseline.latency.getValueAtPercentile(q)) / 1000.0);
        }
        report.figure("baselineProcessCpuSecondsPer1kPackets", baseline.processCpuSecondsPer1k());
      }
      double relayCpuSeconds = cpu.relaySeconds();
      double processCpuSeconds = cpu.processSeconds();
      long relayedCount = cpu.relayedPackets();
      report.figure("relayedPacketsMeasured", relayedCount);
      report.figure("relayCpuSeconds", relayCpuSeconds);
      report.figure("relayCpuSecondsPer1kPackets", relayedCount == 0 ? 0 : relayCpuSeconds * 1000 / relayedCount);
      report.figure("relayCoresUsed", relayCpuSeconds / seconds);
      report.figure("relayUserCpuShare", cpu.relayUserShare());
      report.figure("processCpuSecondsPer1kPackets", relayedCount == 0 ? 0 : processCpuSeconds * 1000 / relayedCount);
      report.figure("systemLoadAverage1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      report.note("relay counters: " + counters.snapshot());
      report.figure("relayDropped", counters.snapshot().entrySet().stream()
          .filter(e -> e.getKey().endsWith(".dropped")).mapToLong(java.util.Map.Entry::getValue).sum());
      report.figure("srtpPacketsPerSecondPerCore", Math.round(crypto.gatewayPacketsPerSecondPerCore()));
      report.figure("srtpMicrosPerPacketP99", crypto.perPacketNanos().getValueAtPercentile(99.0) / 1000.0);
      report.figure("srtpFailures", crypto.failures());
      report.note("plain RTP legs through RtpRelay on " + ioThreads + " media I/O thread(s); generators and relay share "
          + "this machine's cores. CPU figures cover the measured seconds; processCpu includes the generators");
      report.note("SRTP: the gateway's decrypt+encrypt per packet on jitsi-srtp (AES-128-CM, HMAC-SHA1-80), "
          + "measured in-process over " + calls + " sessions; the DTLS handshake is not part of the steady state");
      if (json != null) ReportWriter.writeJson(report, json);
      Path htmlFile = html != null ? html : json != null
          ? json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".html") : null;
      if (htmlFile != null) ReportWriter.writeHtml(report, htmlFile);
      System.out.print(ReportWriter.summary(report));
      return 0;
    } finally {
      CompletableFuture<Void> closed = new CompletableFuture<>();
      context.runOnContext(v -> {
        relays.forEach(RtpRelay::close);
        closed.complete(null);
      });
      closed.get(10, TimeUnit.SECONDS);
      io.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** What one run of the generators measured. */
  private record Run(Histogram latency, Histogram transit, long sent, long received, long receivedAll,
                     long behindNanosMax, CpuMeter cpu) {
    double processCpuSecondsPer1k() {
      return received == 0 ? 0 : cpu.processSeconds() * 1000 / received;
    }
  }

  private static java.util.function.LongSupplier ioThreadCounters(MediaCounters counters) {
    return () -> counters.get("a.send", "passed") + counters.get("b.send", "passed");
  }

  /**
   * Drives every call for warm-up + {@code measuredSeconds}: through {@code relays}, or with each call's
   * two endpoints connected to each other when {@code relays} is null (the baseline).
   */
  private Run run(List<RtpRelay> relays, int measuredSeconds, java.util.function.LongSupplier relayed) throws Exception {
    long interval = 1_000_000_000L / packetsPerSecond;
    long start = System.nanoTime() + 500_000_000L;
    long measureFrom = start + warmupSeconds * 1_000_000_000L;
    long stopSending = measureFrom + measuredSeconds * 1_000_000_000L;
    long drain = 1_000_000_000L;
    List<RtpGenerator> generators = new ArrayList<>();
    for (int t = 0; t < generatorThreads; t++) generators.add(new RtpGenerator(interval, start, measureFrom, stopSending, drain));
    List<Thread> threads = new ArrayList<>();
    try {
      for (int i = 0; i < calls; i++) {
        RtpGenerator g = generators.get(i % generatorThreads);
        RtpGenerator.Endpoint a = g.add(2 * i);
        RtpGenerator.Endpoint b = g.add(2 * i + 1);
        if (relays == null) {
          RtpGenerator.connect(a, new InetSocketAddress("127.0.0.1", b.port()));
          RtpGenerator.connect(b, new InetSocketAddress("127.0.0.1", a.port()));
          continue;
        }
        RtpRelay r = relays.get(i);
        RtpGenerator.connect(a, new InetSocketAddress("127.0.0.1", r.a().localPort()));
        RtpGenerator.connect(b, new InetSocketAddress("127.0.0.1", r.b().localPort()));
        int aPort = a.port();
        int bPort = b.port();
        onContext(context, () -> {
          // both legs multiplex RTCP (RFC 5761), as the gateway's calls do: one socket per relay, no P + 1
          r.a().remote("127.0.0.1", aPort, Set.of(0), true, 0, true);
          r.b().remote("127.0.0.1", bPort, Set.of(0), true, 0, true);
          return null;
        });
      }
      for (RtpGenerator g : generators) {
        for (Runnable side : List.of(g.sender(), g.receiver())) {
          Thread th = new Thread(side, "media-gen-" + threads.size());
          th.start();
          threads.add(th);
        }
      }
      CpuMeter cpu = CpuMeter.startAt(measureFrom, relayed != null ? relayed : () -> 0);
      for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(measuredSeconds + warmupSeconds + 60));
      cpu.stop();
      Histogram latency = new Histogram(60_000_000L, 3);
      Histogram transit = new Histogram(60_000_000L, 3);
      long sent = 0;
      long received = 0;
      long receivedAll = 0;
      long behind = 0;
      for (RtpGenerator g : generators) {
        latency.add(g.latencyMicros);
        transit.add(g.transitMicros);
        sent += g.sentMeasured.get();
        received += g.receivedMeasured.get();
        receivedAll += g.received.get();
        behind = Math.max(behind, g.behindNanosMax);
      }
      return new Run(latency, transit, sent, received, receivedAll, behind, cpu);
    } finally {
      for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(5));
      generators.forEach(RtpGenerator::close);
    }
  }

  private static <T> T onContext(Context context, Callable<T> c) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        f.complete(c.call());
      } catch (Exception e) {
        f.completeExceptionally(e);
      }
    });
    return f.get(10, TimeUnit.SECONDS);
  }

}
