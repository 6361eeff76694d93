package dev.mileage.bench.calls;

import dev.mileage.bench.report.Report;
import java.time.Instant;
import java.util.Map;

/** Turns a finished call load into a {@link Report}: the figures the issue names, plus what explains them. */
final class CallReport {
  /** The targets on a 2-core machine. */
  static final double TARGET_CALLS_PER_SECOND = 1_000;
  static final double TARGET_SETUP_MS_P99 = 50;
  static final long TARGET_CONCURRENT_CALLS = 10_000;

  private CallReport() {}

  static Report build(Instant startedAt, Map<String, Object> settings, CallLoad.Plan plan, CallLoad.Result result,
                      CallStats stats, UacEngine engine, CpuUse cpu, LedgerCrossCheck.Outcome ledger,
                      String mode, CallStats warmup, int warmupUnfinished) {
    Report report = new Report("calls", startedAt);
    settings.forEach(report::setting);
    double windowSeconds = Math.max(result.startWindowNanos(), 1) / 1e9;
    long answered = stats.answered.sum();
    long failed = stats.failedTotal();
    report.figure("callsAttempted", stats.attempted.sum())
        .figure("callsAnswered", answered)
        .figure("callsCompleted", stats.completed.sum())
        .figure("callsFailed", failed)
        .figure("callsFailedByReason", stats.failuresByReason())
        .figure("callsPerSecondTarget", plan.ratePerSecond())
        .figure("callsPerSecondAchieved", round(answered / windowSeconds))
        .figure("callsPerSecondAttempted", round(stats.attempted.sum() / windowSeconds))
        .figure("concurrentCallsMax", stats.establishedMax())
        .figure("callsInProgressMax", stats.inProgressMax());
    report.latency("setupLatency", "INVITE to 200, from the intended start (incl. the digest round trip)",
        stats.setup.correctedMicros());
    report.latency("teardownLatency", "BYE to 200, from the intended hang-up time", stats.teardown.correctedMicros());
    report.latency("setupServiceTime", "INVITE to 200 from the actual send (not corrected: for comparison)",
        stats.setup.serviceMicros());
    report.figure("digestChallenges", stats.challenged.sum())
        .figure("callsEndedByGateway", stats.endedByRemote.sum())
        .figure("callsUnfinishedAtDeadline", result.unfinished())
        .figure("callsNotStartedBeforeStop", result.pacing().notStarted())
        .figure("generatorStartLagMsMax", round(result.pacing().startLagNanosMax() / 1e6))
        .figure("concurrencyCapWaits", result.pacing().capWaits())
        .figure("lateAnswersHungUp", engine.lateAnswers.sum())
        .figure("transportErrors", engine.ioErrors.sum())
        .figure("retransmissionsSent", engine.retransmissions.sum())
        .figure("rtpPacketsSent", engine.rtpPacketsSent())
        .figure("ackSendErrors", engine.ackErrors.sum())
        .figure("startWindowSeconds", round(windowSeconds))
        .figure("runSeconds", round(result.totalNanos() / 1e9));
    report.figure("sipStackErrors", StackLogging.Stack.ERRORS.get());
    java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    // other work on the machine skews every figure: say how busy it was when the run ended
    report.figure("systemLoadAverage1m", round(os.getSystemLoadAverage()))
        .figure("availableProcessors", os.getAvailableProcessors());
    cpu(report, cpu, result.totalNanos() / 1e9, Math.max(1, stats.attempted.sum()));
    if (ledger != null) {
      report.figure("ledgerDebitedPoints", ledger.debitedPoints())
          .figure("ledgerPendingPointsAfter", ledger.pendingPointsAfter())
          .figure("talkSecondsMeasured", ledger.talkSecondsMeasured())
          .figure("cdrBilledSeconds", ledger.cdrBilledSeconds())
          .figure("cdrChargedPoints", ledger.cdrChargedPoints())
          .figure("callsWithoutCdr", ledger.callsWithoutCdr())
          .figure("callsUnderBilled", ledger.callsUnderBilled())
          .figure("cdrEndReasons", ledger.cdrEndReasons())
          .figure("ledgerCrossCheck", ledger.ok() ? "ok" : "mismatch");
      ledger.problems().forEach(p -> report.note("ledger: " + p));
    } else {
      report.figure("ledgerCrossCheck", "not run (no gateway in the path)");
    }
    long warmupFailed = 0;
    if (warmup != null) {
      warmupFailed = warmup.failedTotal() + warmupUnfinished;
      report.figure("warmupCallsAttempted", warmup.attempted.sum())
          .figure("warmupCallsAnswered", warmup.answered.sum())
          .figure("warmupCallsFailed", warmupFailed)
          .figure("warmupSetupLatencyMsP99", warmup.setup.count() == 0 ? -1
              : round(warmup.setup.correctedMicros().getValueAtPercentile(99) / 1000.0));
      if (warmupFailed != 0) {
        report.note("warm-up: " + warmupFailed + " calls failed or unfinished " + warmup.failuresByReason()
            + " (they count against zero failed calls)");
      }
    }
    targets(report, mode, stats, answered / windowSeconds, failed + warmupFailed);
    return report;
  }

  /** Cores used over the run and CPU milliseconds per attempted call, per part (-1: not measured). */
  private static void cpu(Report report, CpuUse cpu, double runSeconds, long calls) {
    part(report, "gateway", cpu.gatewaySeconds(), runSeconds, calls);
    part(report, "gatewayDatabase", cpu.databaseSeconds(), runSeconds, calls);
    part(report, "bench", cpu.benchSeconds(), runSeconds, calls);
    // the JIT compilers' CPU: a warm-up cost that short runs charge to few calls
    jit(report, "gateway", cpu.gatewaySeconds(), cpu.gatewayCompilationSeconds(), calls);
    jit(report, "bench", cpu.benchSeconds(), cpu.benchCompilationSeconds(), calls);
  }

  private static void jit(Report report, String name, double cpuSeconds, double jitSeconds, long calls) {
    if (cpuSeconds < 0 || jitSeconds < 0) return;
    report.figure(name + "JitMsPerCall", round(jitSeconds * 1000 / calls))
        .figure(name + "CpuMsPerCallWithoutJit", round(Math.max(0, cpuSeconds - jitSeconds) * 1000 / calls));
  }

  private static void part(Report report, String name, double cpuSeconds, double runSeconds, long calls) {
    if (cpuSeconds < 0) return;
    report.figure(name + "CpuCoresUsed", round(cpuSeconds / Math.max(runSeconds, 1e-9)))
        .figure(name + "CpuMsPerCall", round(cpuSeconds * 1000 / calls));
  }

  private static void targets(Report report, String mode, CallStats stats, double achieved, long failed) {
    double setupP99 = (Double) report.figures().get("setupLatencyMsP99");
    boolean setupMeasured = stats.setup.count() > 0;
    if (mode.equals("rate")) {
      boolean rate = achieved >= TARGET_CALLS_PER_SECOND * 0.99;
      report.figure("targetCallsPerSecondMet", rate);
      if (!rate) report.note("issue target missed: " + round(achieved) + " calls/s answered, target "
          + TARGET_CALLS_PER_SECOND);
    } else {
      boolean concurrent = stats.establishedMax() >= TARGET_CONCURRENT_CALLS;
      report.figure("targetConcurrentCallsMet", concurrent);
      if (!concurrent) report.note("issue target missed: " + stats.establishedMax() + " concurrent calls, target "
          + TARGET_CONCURRENT_CALLS);
    }
    report.figure("targetZeroFailedMet", failed == 0);
    if (failed != 0) report.note("issue target missed: " + failed + " failed calls " + stats.failuresByReason());
    report.figure("targetSetupP99Met", setupMeasured && setupP99 < TARGET_SETUP_MS_P99);
    if (!setupMeasured) {
      report.note("issue target missed: no call was answered, so there is no setup latency");
    } else if (setupP99 >= TARGET_SETUP_MS_P99) {
      report.note("issue target missed: setup p99 " + setupP99 + " ms, target under " + TARGET_SETUP_MS_P99 + " ms");
    }
  }

  static double round(double value) {
    return Math.round(value * 100.0) / 100.0;
  }
}
