package dev.mileage.bench.calls;

import java.lang.management.ManagementFactory;

/**
 * CPU time spent during a call load by the gateway JVM, its embedded PostgreSQL and this bench process (UAC and in-process trunk), so a report can give CPU-seconds per call:
 * on a machine shared with other work that figure stays comparable where throughput and latency do not.
 * A part that could not be measured is -1.
 */
record CpuUse(double gatewaySeconds, double databaseSeconds, double benchSeconds, double benchCompilationSeconds,
              double gatewayCompilationSeconds) {
  CpuUse(double gatewaySeconds, double databaseSeconds, double benchSeconds) {
    this(gatewaySeconds, databaseSeconds, benchSeconds, -1, -1);
  }

  /**
   * CPU counters at one instant; {@link #since} turns two of them into a {@link CpuUse}. The JIT compilers'
   * CPU ({@link CompilerCpu}) is sampled too, in the bench and in the gateway: in a 20 s run it was about half
   * of either's CPU, a warm-up cost that a gateway running for days pays once.
   */
  record Sample(long gatewayNanos, long databaseNanos, long benchNanos, long benchCompilationNanos,
                long gatewayCompilationNanos) {
    static Sample now(GatewayProcess gateway) {
      long bench = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime();
      return new Sample(gateway == null ? -1 : gateway.cpuNanos(), gateway == null ? -1 : gateway.databaseCpuNanos(),
          bench, CompilerCpu.nanos(ProcessHandle.current().pid()), gateway == null ? -1 : CompilerCpu.nanos(gateway.pid()));
    }

    CpuUse since(Sample before) {
      return new CpuUse(seconds(before.gatewayNanos, gatewayNanos), seconds(before.databaseNanos, databaseNanos),
          seconds(before.benchNanos, benchNanos), seconds(before.benchCompilationNanos, benchCompilationNanos),
          seconds(before.gatewayCompilationNanos, gatewayCompilationNanos));
    }

    private static double seconds(long from, long to) {
      return from < 0 || to < 0 ? -1 : Math.max(0, to - from) / 1e9;
    }
  }
}
