package dev.mileage.bench.calls;

import java.lang.management.ManagementFactory;

/**
 * CPU time spent during a call load by the gateway JVM, its embedded PostgreSQL and this bench process (UAC and in-process trunk), so a report can give CPU-seconds per call:
 * on a machine shared with other work that figure stays comparable where throughput and latency do not.
 * A part that could not be measured is -1.
 */
record CpuUse(double gatewaySeconds, double databaseSeconds, double benchSeconds, double benchCompilationSeconds) {
  CpuUse(double gatewaySeconds, double databaseSeconds, double benchSeconds) {
    this(gatewaySeconds, databaseSeconds, benchSeconds, -1);
  }

  /**
   * CPU counters at one instant; {@link #since} turns two of them into a {@link CpuUse}. The bench's JIT
   * compilation time is sampled too: in a 20 s run it was about half of the bench's CPU, a warm-up cost that a
   * steady 60 s run at 1,000 calls/s spreads over 30 times as many calls.
   */
  record Sample(long gatewayNanos, long databaseNanos, long benchNanos, long benchCompilationMs) {
    static Sample now(GatewayProcess gateway) {
      long bench = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
      java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      long compilationMs = jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
      return new Sample(gateway == null ? -1 : gateway.cpuNanos(), gateway == null ? -1 : gateway.databaseCpuNanos(),
          bench, compilationMs);
    }

    CpuUse since(Sample before) {
      return new CpuUse(seconds(before.gatewayNanos, gatewayNanos), seconds(before.databaseNanos, databaseNanos),
          seconds(before.benchNanos, benchNanos),
          seconds(before.benchCompilationMs * 1_000_000L, benchCompilationMs * 1_000_000L));
    }

    private static double seconds(long from, long to) {
      return from < 0 || to < 0 ? -1 : Math.max(0, to - from) / 1e9;
    }
  }
}
