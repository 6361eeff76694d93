package dev.mileage.bench.calls;

import dev.mileage.bench.report.Report;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Concurrent mode: what the child gateway costs while it holds the target number of calls. Once the target is
 * up it measures the gateway's (and its database's) CPU over the first {@link #CPU_SHARE_OF_WINDOW} of the
 * window, then takes the live heap (a full GC, see {@link GatewayProbe}), resident memory and threads; the same
 * snapshot taken before the first call gives the cost per held call. Open file descriptors are sampled all run.
 */
final class HoldingWatch implements AutoCloseable {
  static final long POLL_NANOS = 500_000_000L;
  /** File descriptors are counted every this many polls (listing 40,000 entries costs a few ms). */
  static final int FD_POLLS = 4;
  /** CPU is measured over this share of the window; the heap snapshot (a full GC) comes right after it. */
  static final double CPU_SHARE_OF_WINDOW = 0.75;

  private final GatewayProcess gateway;
  private final GatewayProbe probe;
  private final CallStats stats;
  private final long target;
  private final Duration window;
  /** When every call should have been answered (ramp + setup allowance): measured then if the target never is. */
  private final long rampEndNanos;
  private final GatewayProbe.Snapshot idle;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long openFdsMax = -1;
  private volatile CpuUse holdingCpu;
  private volatile double holdingCpuSeconds;
  private volatile GatewayProbe.Snapshot holding;
  private volatile long callsAtHoldingSnapshot;
  private volatile java.util.List<String> histogramTop = java.util.List.of();

  HoldingWatch(GatewayProcess gateway, CallStats stats, long target, Duration window, long rampEndNanos) {
    this.rampEndNanos = rampEndNanos;
    this.gateway = gateway;
    this.probe = new GatewayProbe(gateway.pid());
    this.stats = stats;
    this.target = target;
    this.window = window;
    this.idle = probe.take(true);
    this.openFdsMax = idle.openFds();
    this.thread = new Thread(this::run, "bench-holding-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    CpuUse.Sample from = null;
    long fromNanos = 0;
    for (long polls = 0; running; polls++) {
      LockSupport.parkNanos(POLL_NANOS);
      if (polls % FD_POLLS == 0) openFdsMax = Math.max(openFdsMax, probe.openFds());
      if (holding != null) continue;
      if (from == null) {
        if (stats.plateauFirstReachedNanos() >= 0 || System.nanoTime() >= rampEndNanos) {
          from = CpuUse.Sample.now(gateway);
          fromNanos = System.nanoTime();
        }
        continue;
      }
      long elapsed = System.nanoTime() - fromNanos;
      if (elapsed >= window.toNanos() * CPU_SHARE_OF_WINDOW) {
        holdingCpu = CpuUse.Sample.now(gateway).since(from);
        holdingCpuSeconds = elapsed / 1e9;
        callsAtHoldingSnapshot = stats.establishedNow();
        holding = probe.take(true);
        histogramTop = probe.lastHistogramTop();
        openFdsMax = Math.max(openFdsMax, holding.openFds());
      }
    }
  }

  void report(Report report) {
    report.figure("gatewayFdLimit", idle.fdLimit())
        .figure("gatewayOpenFdsIdle", idle.openFds())
        .figure("gatewayOpenFdsMax", openFdsMax)
        .figure("gatewayLiveHeapMbIdle", mb(idle.liveHeapBytes()))
        .figure("gatewayResidentMbIdle", mb(idle.residentBytes()))
        .figure("gatewayThreadsIdle", idle.threads());
    GatewayProbe.Snapshot h = holding;
    CpuUse cpu = holdingCpu;
    if (h == null || cpu == null) {
      report.note("the gateway was not measured while holding calls (the run ended before the ramp did)");
      return;
    }
    long calls = Math.max(1, callsAtHoldingSnapshot);
    if (callsAtHoldingSnapshot < target) {
      report.note("measured while holding " + callsAtHoldingSnapshot + " calls, after the ramp: the target of "
          + target + " was not up at once");
    }
    for (String line : histogramTop) report.note("gateway heap while holding: " + line);
    report.figure("holdingMeasuredWithCalls", callsAtHoldingSnapshot)
        .figure("holdingCpuWindowSeconds", CallReport.round(holdingCpuSeconds))
        .figure("gatewayCpuCoresWhileHolding", CallReport.round(cpu.gatewaySeconds() / holdingCpuSeconds))
        .figure("gatewayDatabaseCpuCoresWhileHolding", CallReport.round(cpu.databaseSeconds() / holdingCpuSeconds))
        .figure("gatewayCpuMsPerHeldCallSecond",
            CallReport.round(cpu.gatewaySeconds() * 1000 / holdingCpuSeconds / calls))
        .figure("gatewayOpenFdsHolding", h.openFds())
        .figure("gatewayOpenFdsPerHeldCall", CallReport.round((h.openFds() - idle.openFds()) / (double) calls))
        .figure("gatewayLiveHeapMbHolding", mb(h.liveHeapBytes()))
        .figure("gatewayResidentMbHolding", mb(h.residentBytes()))
        .figure("gatewayThreadsHolding", h.threads());
    if (h.liveHeapBytes() > 0 && idle.liveHeapBytes() > 0) {
      report.figure("gatewayLiveHeapKbPerHeldCall",
          CallReport.round((h.liveHeapBytes() - idle.liveHeapBytes()) / 1024.0 / calls));
    }
    if (h.residentBytes() > 0 && idle.residentBytes() > 0) {
      report.figure("gatewayResidentKbPerHeldCall",
          CallReport.round((h.residentBytes() - idle.residentBytes()) / 1024.0 / calls));
    }
  }

  private static double mb(long bytes) {
    return bytes < 0 ? -1 : CallReport.round(bytes / (1024.0 * 1024.0));
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
