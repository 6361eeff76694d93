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

  @Option(names = "--calls", description = "concurrent calls (default ${DEFAULT-VALUE})")
  int calls = 500;
  @Option(names = "--pps", description = "packets per second per direction (default ${DEFAULT-VALUE}: 20 ms G.711)")
  int packetsPerSecond = 50;
  @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
  int seconds = 20;
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

  @Override
  public Integer call() throws Exception {
    if (calls < 1 || calls > CALLS_MAX || packetsPerSecond < 1 || packetsPerSecond > 1000 || seconds < 1 || seconds > 3600
        || generatorThreads < 1 || generatorThreads > 16 || warmupSeconds < 0 || warmupSeconds > 60
        || (relayThreads != null && (relayThreads < 1 || relayThreads > MediaIo.THREADS_MAX))) {
      System.err.println("bench media: out-of-range option (calls 1.." + CALLS_MAX + ", pps 1..1000, seconds 1..3600)");
      return 2;
    }
    Instant startedAt = Instant.now();
    Vertx vertx = Vertx.vertx();
    Context context = vertx.getOrCreateContext();
    MediaCounters counters = new MediaCounters();
    int ioThreads = relayThreads != null ? relayThreads : MediaIo.defaultThreads();
    MediaIo io = new MediaIo("media-io", ioThreads);
    int base = portBase != 0 ? portBase : 20_000 + new java.util.Random().nextInt(20_000);
    List<RtpRelay> relays = new ArrayList<>();
    try {
      PortPool ports = onContext(context, () -> new PortPool(vertx, "127.0.0.1", base, base + calls * 4 + 200));
      for (int i = 0; i < calls; i++) {
        CompletableFuture<RtpRelay> f = new CompletableFuture<>();
        context.runOnContext(v -> RtpRelay.open(ports, io, counters, System::currentTimeMillis).onComplete(ar -> {
          if (ar.succeeded()) f.complete(ar.result());
          else f.completeExceptionally(ar.cause());
        }));
        relays.add(f.get(10, TimeUnit.SECONDS));
      }
      long interval = 1_000_000_000L / packetsPerSecond;
      long start = System.nanoTime() + 500_000_000L;
      long measureFrom = start + warmupSeconds * 1_000_000_000L;
      long stopSending = measureFrom + seconds * 1_000_000_000L;
      long drain = 1_000_000_000L;
      List<RtpGenerator> generators = new ArrayList<>();
      for (int t = 0; t < generatorThreads; t++) generators.add(new RtpGenerator(interval, start, measureFrom, stopSending, drain));
      for (int i = 0; i < calls; i++) {
        RtpRelay r = relays.get(i);
        RtpGenerator g = generators.get(i % generatorThreads);
        RtpGenerator.Endpoint a = g.add(new InetSocketAddress("127.0.0.1", r.a().localPort()), 2 * i);
        RtpGenerator.Endpoint b = g.add(new InetSocketAddress("127.0.0.1", r.b().localPort()), 2 * i + 1);
        int aPort = ((InetSocketAddress) a.channel().getLocalAddress()).getPort();
        int bPort = ((InetSocketAddress) b.channel().getLocalAddress()).getPort();
        onContext(context, () -> {
          r.a().remote("127.0.0.1", aPort, Set.of(0), true);
          r.b().remote("127.0.0.1", bPort, Set.of(0), true);
          return null;
        });
      }
      List<Thread> threads = new ArrayList<>();
      for (RtpGenerator g : generators) {
        Thread th = new Thread(g, "media-gen-" + threads.size());
        th.start();
        threads.add(th);
      }
      CpuMeter cpu = CpuMeter.startAt(measureFrom, () -> counters.get("a.send", "passed") + counters.get("b.send", "passed"));
      for (Thread th : threads) th.join(TimeUnit.SECONDS.toMillis(seconds + warmupSeconds + 60));

      Histogram latency = new Histogram(60_000_000L, 3);
      Histogram transit = new Histogram(60_000_000L, 3);
      long sent = 0;
      long received = 0;
      for (RtpGenerator g : generators) {
        latency.add(g.latencyMicros);
        transit.add(g.transitMicros);
        sent += g.sentMeasured.get();
        received += g.receivedMeasured.get();
      }
      double pps = received / (double) seconds;
      double loss = sent == 0 ? 1.0 : Math.max(0, sent - received) / (double) sent;

      SrtpCryptoBench.Result crypto = SrtpCryptoBench.run(calls, Math.max(50, packetsPerSecond * 4L), 42);

      Report report = new Report("media", startedAt)
          .setting("calls", calls).setting("packetsPerSecondPerDirection", packetsPerSecond)
          .setting("seconds", seconds).setting("warmupSeconds", warmupSeconds).setting("generatorThreads", generatorThreads)
          .setting("relayThreads", ioThreads)
          .setting("cores", Runtime.getRuntime().availableProcessors());
      report.figure("packetsPerSecond", Math.round(pps));
      report.figure("packetsPerSecondOffered", (long) calls * 2 * packetsPerSecond);
      report.figure("packetsSent", sent);
      report.figure("packetsReceived", received);
      report.figure("packetsReceivedAll", generators.stream().mapToLong(g -> g.received.get()).sum());
      report.figure("lossRatio", loss);
      report.figure("generatorBehindMsMax", generators.stream().mapToLong(g -> g.behindNanosMax).max().orElse(0) / 1e6);
      report.latency("addedLatency", "scheduled send to arrival through the relay (includes one extra loopback hop "
          + "and any lag of the generator behind its schedule)", latency);
      report.latency("relayTransit", "actual send to arrival through the relay: the relay and the kernel only", transit);
      double relayCpuSeconds = cpu.relaySeconds();
      double processCpuSeconds = cpu.processSeconds();
      long relayed = cpu.relayedPackets();
      report.figure("relayedPacketsMeasured", relayed);
      report.figure("relayCpuSeconds", relayCpuSeconds);
      report.figure("relayCpuSecondsPer1kPackets", relayed == 0 ? 0 : relayCpuSeconds * 1000 / relayed);
      report.figure("relayCoresUsed", relayCpuSeconds / seconds);
      report.figure("processCpuSecondsPer1kPackets", relayed == 0 ? 0 : processCpuSeconds * 1000 / relayed);
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
