package dev.mileage.bench.calls;

import dev.mileage.bench.report.Report;
import dev.mileage.bench.report.ReportWriter;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench calls}: SIP call load through the gateway to a PSTN trunk, with digest authentication and
 * prepaid authorization, reported as JSON, a summary and an HTML page with the latency percentile plot.
 */
@Command(name = "calls", mixinStandardHelpOptions = true, sortOptions = false,
    description = "SIP call load: provisions funded subscribers, places calls at a set rate (open loop), holds and "
        + "hangs them up, and reports counts, CPS, concurrency, setup/teardown latency and a ledger cross-check. "
        + "Starts the gateway jar and a trunk itself unless pointed at running ones.")
public final class CallsCommand implements Callable<Integer> {
  /**
   * Calls per second from one loopback source address by default. A call is five requests (INVITE, ACK of
   * the challenge, INVITE, ACK, BYE) and the gateway's SourceGuard bans a source above 200 transactions/s
   * (retransmissions do not count since it counts transactions): 20 calls/s is 100/s, half the limit. It was
   * 5 while retransmissions counted; every source is a socket with two jain-sip threads in the generator.
   */
  static final double CALLS_PER_SECOND_PER_SOURCE = 20;
  /** The gateway's concurrent calls per member ({@code SipOptions.CALLS_PER_ACCOUNT_MAX}). */
  static final int CALLS_PER_MEMBER_MAX = 4;
  /**
   * Concurrent mode: the default ramp. Setting up a call costs the gateway about 10 CPU-ms and the bench about
   * 7 (bench README), so two shared cores set up well under 100 calls/s; a faster ramp only queues INVITEs
   * past their retransmission timers. 10,000 calls take 200 s at this rate.
   */
  static final double CONCURRENT_RAMP_PER_SECOND = 50;
  /**
   * Concurrent mode: every call is held for ramp + window + this, so the last call, answered up to this late,
   * is still up with all the others for the whole window before the first one hangs up.
   */
  static final Duration SETUP_ALLOWANCE = Duration.ofSeconds(15);
  /**
   * Rate mode: calls at the measured rate before the measured run. A gateway runs for months, so its first
   * seconds (C2 still compiling the SIP stack, pools and caches filling) are not what a steady load sees;
   * 10 s is past the gateway's JIT warm-up at 20-100 calls/s (bench README).
   */
  static final Duration DEFAULT_WARMUP = Duration.ofSeconds(10);
  static final Duration WARMUP_MAX = Duration.ofMinutes(10);

  /** Capacity mode: steps at most (each one is --duration of calls plus their drain). */
  static final int CAPACITY_STEPS_MAX = 20;
  static final Duration CAPACITY_STEP_DEFAULT = Duration.ofSeconds(20);
  /**
   * Capacity mode's warm-up at the first rate: the question is the capacity of a gateway that has run a while, and a
   * 10 s warm-up leaves the JIT compiling through the first steps (measured: 50 calls/s had setup p99 89.8 ms after
   * 10 s at 25/s, 25.2 ms after 90 s at 50/s).
   */
  static final Duration CAPACITY_WARMUP_DEFAULT = Duration.ofSeconds(60);

  enum Mode { rate, concurrent, capacity }
  enum TrunkKind { load, fixtures }

  @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON here")
  Path json;
  @Option(names = "--html", paramLabel = "FILE", description = "HTML report (default: next to --json, else bench-calls.html)")
  Path html;
  @Option(names = "--mode", description = "${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}): rate = sustained "
      + "calls/s, concurrent = ramp up to --concurrent calls and hold them, capacity = the --rates in turn until one "
      + "fails the objective (--slo-setup-p99, zero failed calls)", defaultValue = "rate")
  Mode mode;
  @Option(names = "--rates", split = ",", paramLabel = "CPS", description = "capacity mode: the offered calls/s, "
      + "increasing, one step of --duration each (default ${DEFAULT-VALUE})", defaultValue = "25,50,100,200,300,500,700,1000")
  List<Double> capacityRates;
  @Option(names = "--slo-setup-p99", converter = Durations.class, defaultValue = "50ms", description = "capacity mode: "
      + "a step meets the objective with zero failed calls and setup p99 under this (default ${DEFAULT-VALUE}, the "
      + "issue's target)")
  Duration sloSetupP99;
  @Option(names = "--rate", description = "calls started per second (default: 1000; concurrent mode: "
      + CONCURRENT_RAMP_PER_SECOND + " ramp)")
  Double rate;
  @Option(names = "--duration", converter = Durations.class, description = "how long calls are started (default 60s; "
      + "capacity mode: per step, default 20s)")
  Duration duration;
  @Option(names = "--concurrent", description = "concurrent mode: calls to hold at once (default ${DEFAULT-VALUE})",
      defaultValue = "10000")
  int concurrentTarget;
  @Option(names = "--window", converter = Durations.class, defaultValue = "60s", description = "concurrent mode: how "
      + "long all --concurrent calls must be up at once (default ${DEFAULT-VALUE}); the hold defaults to ramp + "
      + "window + " + 15 + " s of setup allowance")
  Duration window;
  @Option(names = "--warmup", converter = Durations.class, description = "rate mode: calls started at the same rate "
      + "for this long first, run to their end and left out of every figure but the ledger cross-check and the failed "
      + "count (default 10s, capacity mode 60s; 0s: none), so the figures are of a warmed-up gateway (JIT, pools), as "
      + "in production")
  Duration warmup;
  @Option(names = "--hold", converter = Durations.class, description = "answer to BYE (default 5s; concurrent mode "
      + "ramp + window + setup allowance)")
  Duration hold;
  @Option(names = "--calls", description = "calls at most (default: what the rate and duration give)")
  Long callsMax;
  @Option(names = "--concurrency-max", description = "calls in flight at most (default ${DEFAULT-VALUE})",
      defaultValue = "20000")
  int concurrencyMax;
  @Option(names = "--subscribers", description = "subscribers to provision (default 2000; concurrent mode "
      + "concurrent / 2; at least concurrent / " + CALLS_PER_MEMBER_MAX + ": the gateway allows "
      + CALLS_PER_MEMBER_MAX + " calls per member)")
  Integer subscribers;
  @Option(names = "--balance", description = "mileage points per subscriber (default ${DEFAULT-VALUE})",
      defaultValue = "10000000")
  long balancePoints;
  @Option(names = "--number", description = "dialled E.164 number (default ${DEFAULT-VALUE})", defaultValue = "+15550100001")
  String number;
  @Option(names = "--transport", description = "udp or tcp (default ${DEFAULT-VALUE})", defaultValue = "udp")
  String transport;
  @Option(names = "--digest", description = "preferred digest algorithm: sha-256 or md5 (default ${DEFAULT-VALUE})",
      defaultValue = "sha-256")
  String digest;
  @Option(names = "--setup-timeout", converter = Durations.class, defaultValue = "32s",
      description = "CANCEL a call not answered within this (default ${DEFAULT-VALUE})")
  Duration setupTimeout;
  @Option(names = "--sources", description = "loopback source addresses 127.0.0.1..N to spread calls over, as "
      + "many phones would be (default: 1 per " + CALLS_PER_SECOND_PER_SOURCE + " calls/s, since the gateway bans a "
      + "source above 200 requests/s, retransmissions included)")
  Integer sources;
  @Option(names = "--rtp-interval", converter = Durations.class, defaultValue = "10s", description = "one RTP packet "
      + "right after the answer and then every this long per call, so media-inactivity timers see media "
      + "(0s: none; default ${DEFAULT-VALUE})")
  Duration rtpInterval;
  @Option(names = "--gateway-sip", paramLabel = "HOST:PORT", description = "a running gateway's SIP address")
  String gatewaySip;
  @Option(names = "--gateway-http", paramLabel = "URL", description = "a running gateway's HTTP base, e.g. http://127.0.0.1:8080")
  URI gatewayHttp;
  @Option(names = "--operator-user", defaultValue = "operator", description = "operator for a running gateway "
      + "(password from env MILEAGE_OPERATOR_PASSWORD)")
  String operatorUser;
  @Option(names = "--trunk", paramLabel = "SIP-URI", description = "a running trunk, e.g. sip:pstn@127.0.0.1:5080")
  String trunkUri;
  @Option(names = "--trunk-kind", defaultValue = "load", description = "trunk started in-process: ${COMPLETION-CANDIDATES} "
      + "(default ${DEFAULT-VALUE}; fixtures = sip-fixtures SimulatedTrunk, one RTP endpoint per call)")
  TrunkKind trunkKind;
  @Option(names = "--direct", description = "no gateway: call the trunk straight (generator baseline, no auth)")
  boolean direct;
  @Option(names = "--gateway-jar", defaultValue = "gateway/target/gateway.jar", description = "default ${DEFAULT-VALUE}")
  Path gatewayJar;
  @Option(names = "--gateway-jvm-opt", description = "JVM option for the gateway child (repeatable)")
  List<String> gatewayJvmOptions = new ArrayList<>();
  @Option(names = "--gateway-start-timeout", converter = Durations.class, defaultValue = "120s")
  Duration gatewayStartTimeout;
  @Option(names = "--subscribers-csv", paramLabel = "FILE", description = "use these subscribers instead of "
      + "provisioning: SIPp injection format, user;[authentication username=U password=P];number")
  Path subscribersCsv;
  @Option(names = "--keep-data", description = "keep the child gateway's temp data dir (its log is there)")
  boolean keepData;

  @Override
  public Integer call() throws Exception {
    Instant startedAt = Instant.now();
    boolean concurrentMode = mode == Mode.concurrent;
    boolean capacityMode = mode == Mode.capacity;
    if (capacityMode) checkCapacityRates();
    double ratePerSecond = capacityMode ? capacityRates.get(0)
        : rate != null ? rate : concurrentMode ? CONCURRENT_RAMP_PER_SECOND : 1000;
    Duration startDuration = duration != null ? duration : concurrentMode
        ? Duration.ofMillis((long) Math.ceil(concurrentTarget * 1000.0 / ratePerSecond))
        : capacityMode ? CAPACITY_STEP_DEFAULT : Duration.ofSeconds(60);
    Duration holdTime = hold != null ? hold : concurrentMode ? startDuration.plus(window).plus(SETUP_ALLOWANCE)
        : Duration.ofSeconds(5);
    long calls = callsMax != null ? callsMax : concurrentMode ? concurrentTarget : Long.MAX_VALUE;
    int subscriberCount = subscribers != null ? subscribers : concurrentMode
        ? Math.max(1, (concurrentTarget + 1) / 2) : 2000;
    if (concurrentMode && subscribersCsv == null && gatewaySip == null
        && (long) subscriberCount * CALLS_PER_MEMBER_MAX < concurrentTarget) {
      throw new IllegalArgumentException("--subscribers " + subscriberCount + " cannot hold " + concurrentTarget
          + " calls: the gateway allows " + CALLS_PER_MEMBER_MAX + " per member, so at least "
          + (concurrentTarget + CALLS_PER_MEMBER_MAX - 1) / CALLS_PER_MEMBER_MAX + " are needed");
    }
    if (warmup != null && concurrentMode && !warmup.isZero()) {
      throw new IllegalArgumentException("--warmup is for rate mode (concurrent mode holds every call it starts)");
    }
    Duration warmupTime = warmup != null ? warmup : concurrentMode ? Duration.ZERO
        : capacityMode ? CAPACITY_WARMUP_DEFAULT : DEFAULT_WARMUP;
    if (warmupTime.isNegative() || warmupTime.compareTo(WARMUP_MAX) > 0) {
      throw new IllegalArgumentException("--warmup must be in [0s, " + WARMUP_MAX.toSeconds() + "s]");
    }
    Duration drain = holdTime.plus(setupTimeout).plusSeconds(40);
    UacEngine.Transport sipTransport = UacEngine.Transport.valueOf(transport.toUpperCase(Locale.ROOT));
    Digest.Algorithm algorithm = Digest.Algorithm.ofToken(digest);
    double rateMax = capacityMode ? capacityRates.get(capacityRates.size() - 1) : ratePerSecond;
    int sourceCount = sources != null ? sources
        : (int) Math.min(UacEngine.SOURCES_MAX, Math.max(1, Math.ceil(rateMax / CALLS_PER_SECOND_PER_SOURCE)));

    List<AutoCloseable> started = new ArrayList<>();
    Path dataDir = null;
    try {
      String trunk = trunkUri;
      if (trunk == null && (gatewaySip == null || direct)) trunk = startTrunk(started);
      String sipTarget;
      GatewayOperatorApi api = null;
      GatewayProcess gateway = null;
      if (direct) {
        sipTarget = hostPortOf(trunk);
      } else if (gatewaySip != null) {
        sipTarget = gatewaySip;
        if (gatewayHttp == null && subscribersCsv == null) {
          throw new IllegalArgumentException("--gateway-sip needs --gateway-http (to provision) or --subscribers-csv");
        }
        if (gatewayHttp != null) {
          api = new GatewayOperatorApi(gatewayHttp, operatorUser,
              System.getenv().getOrDefault("MILEAGE_OPERATOR_PASSWORD", "mileage-demo"));
        }
      } else {
        dataDir = Files.createTempDirectory("bench-gateway-");
        System.out.println("starting the gateway (" + gatewayJar + ") in " + dataDir + " ...");
        gateway = GatewayProcess.start(gatewayJar, dataDir, trunk, Provisioning.newPassword(), gatewayJvmOptions,
            gatewayStartTimeout);
        started.add(0, gateway);
        sipTarget = "127.0.0.1:" + gateway.sipPort();
        api = new GatewayOperatorApi(URI.create("http://127.0.0.1:" + gateway.httpPort()), "operator",
            gateway.operatorPassword());
        // the child runs with --no-demo, so it has no tariffs: price the dialled number (60 points/min, 1/1)
        api.putCallRate(number.replace("+", ""), 60);
      }
      String runTag = Provisioning.newRunTag();
      List<Subscriber> subs;
      if (subscribersCsv != null) {
        subs = SubscribersCsv.read(subscribersCsv);
      } else if (api != null) {
        System.out.println("provisioning " + subscriberCount + " subscribers with " + balancePoints + " points ...");
        subs = Provisioning.provision(api, subscriberCount, balancePoints, runTag);
      } else {
        subs = List.of(new Subscriber("bench", "unused", ""));
      }
      CallStats stats = new CallStats();
      String[] hostPort = sipTarget.split(":");
      UacEngine.Settings settings = new UacEngine.Settings(hostPort[0], Integer.parseInt(hostPort[1]), sipTransport,
          algorithm, holdTime, setupTimeout, sourceCount, rtpInterval);
      CallLoad.Plan plan = new CallLoad.Plan(ratePerSecond, calls, startDuration, concurrencyMax, drain, number, subs);
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("mode", mode.name());
      shown.put("ratePerSecond", ratePerSecond);
      shown.put("durationSeconds", startDuration.toMillis() / 1000.0);
      shown.put("holdSeconds", holdTime.toMillis() / 1000.0);
      shown.put("warmupSeconds", warmupTime.toMillis() / 1000.0);
      if (capacityMode) {
        shown.put("rates", capacityRates);
        shown.put("sloSetupMsP99", sloSetupP99.toNanos() / 1e6);
      }
      if (concurrentMode) {
        shown.put("concurrentTarget", concurrentTarget);
        shown.put("windowSeconds", window.toMillis() / 1000.0);
      }
      shown.put("callsScheduled", plan.schedule().count());
      shown.put("concurrencyMax", concurrencyMax);
      shown.put("subscribers", subs.size());
      shown.put("transport", sipTransport.name());
      shown.put("sourceAddresses", sourceCount);
      shown.put("rtpIntervalSeconds", rtpInterval.toMillis() / 1000.0);
      shown.put("digest", algorithm.token);
      shown.put("target", direct ? "trunk (direct) " + sipTarget : "gateway " + sipTarget);
      shown.put("trunk", trunk == null ? "the gateway's own" : trunk);
      shown.put("number", number);
      shown.put("systemLoadAverage1mAtStart",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.println("calling: " + shown);
      if (concurrentMode) stats.watchPlateau(concurrentTarget);
      WarmUp warm = warmupTime.isZero() ? null : warmUp(settings, plan, warmupTime);
      if (capacityMode) {
        write(capacity(startedAt, shown, settings, plan, gateway, api, subs, warm));
        return 0;
      }
      // the idle snapshot (a full GC in the gateway) is taken before the first call
      HoldingWatch watch = concurrentMode && gateway != null ? new HoldingWatch(gateway, stats, concurrentTarget, window,
          System.nanoTime() + startDuration.plus(SETUP_ALLOWANCE).toNanos()) : null;
      CpuUse.Sample cpuBefore = CpuUse.Sample.now(gateway);
      long loadStartNanos = System.nanoTime();
      CallLoad.Result result;
      UacEngine engine = new UacEngine(settings, stats, System::nanoTime);
      try {
        result = CallLoad.run(engine, plan);
      } finally {
        engine.close();
        if (watch != null) watch.close();
      }
      CpuUse cpu = CpuUse.Sample.now(gateway).since(cpuBefore);
      List<CallStats.TalkedCall> talked = new ArrayList<>(stats.talkedCalls());
      if (warm != null) talked.addAll(warm.stats().talkedCalls());
      LedgerCrossCheck.Outcome ledger = api == null || subscribersCsv != null ? null : LedgerCrossCheck.run(api, subs, talked);
      Report report = CallReport.build(startedAt, shown, plan, result, stats, engine, cpu, ledger, mode.name(),
          warm == null ? null : warm.stats(), warm == null ? 0 : warm.result().unfinished());
      if (concurrentMode) concurrentFigures(report, stats, loadStartNanos, watch);
      write(report);
      return 0;
    } finally {
      for (AutoCloseable c : started) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("could not stop " + c + ": " + e);
        }
      }
      if (dataDir != null && !keepData) deleteTree(dataDir);
    }
  }

  private void checkCapacityRates() {
    if (rate != null) throw new IllegalArgumentException("capacity mode takes --rates, not --rate");
    if (capacityRates.isEmpty() || capacityRates.size() > CAPACITY_STEPS_MAX) {
      throw new IllegalArgumentException("--rates takes 1 to " + CAPACITY_STEPS_MAX + " rates: " + capacityRates);
    }
    for (int i = 0; i < capacityRates.size(); i++) {
      double r = capacityRates.get(i);
      if (!(r > 0) || Double.isInfinite(r) || (i > 0 && r <= capacityRates.get(i - 1))) {
        throw new IllegalArgumentException("--rates must be positive and increasing: " + capacityRates);
      }
    }
    if (sloSetupP99.isNegative() || sloSetupP99.isZero()) throw new IllegalArgumentException("--slo-setup-p99 must be positive");
  }

  /** One capacity step: a rate run of its own (fresh counts), with what it cost. */
  private record Step(double rate, CallLoad.Plan plan, CallLoad.Result result, CallStats stats, UacEngine engine,
                      CpuUse cpu, boolean met, Map<String, Object> row) {}

  /**
   * Capacity mode: each rate in turn for --duration (its calls run to their end before the next step), stopping at
   * the first step with a failed or unfinished call or a setup p99 at or over the objective. The report's figures are
   * those of the last step that met the objective (the first step if none did), with every step's row in
   * {@code capacitySteps} and the highest rate that met it in {@code capacityCallsPerSecondWithinObjective}.
   */
  private Report capacity(Instant startedAt, Map<String, Object> shown, UacEngine.Settings settings,
                          CallLoad.Plan first, GatewayProcess gateway, GatewayOperatorApi api, List<Subscriber> subs,
                          WarmUp warm) throws Exception {
    double sloMs = sloSetupP99.toNanos() / 1e6;
    List<Step> steps = new ArrayList<>();
    Step best = null;
    for (double stepRate : capacityRates) {
      CallLoad.Plan plan = new CallLoad.Plan(stepRate, first.callsMax(), first.duration(), first.concurrencyMax(),
          first.drainTimeout(), first.number(), first.subscribers());
      System.out.println("capacity step: " + stepRate + " calls/s for " + first.duration().toMillis() / 1000.0 + " s");
      CallStats stats = new CallStats();
      CpuUse.Sample before = CpuUse.Sample.now(gateway);
      UacEngine engine = new UacEngine(settings, stats, System::nanoTime);
      CallLoad.Result result;
      try {
        result = CallLoad.run(engine, plan);
      } finally {
        engine.close();
      }
      CpuUse cpu = CpuUse.Sample.now(gateway).since(before);
      long failed = stats.failedTotal() + result.unfinished();
      double p99 = stats.setup.count() == 0 ? -1
          : CallReport.round(stats.setup.correctedMicros().getValueAtPercentile(99) / 1000.0);
      boolean met = failed == 0 && stats.setup.count() > 0 && p99 < sloMs;
      double window = Math.max(result.startWindowNanos(), 1) / 1e9;
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("callsPerSecondOffered", stepRate);
      row.put("callsAttempted", stats.attempted.sum());
      row.put("callsAnswered", stats.answered.sum());
      row.put("callsFailed", failed);
      row.put("callsFailedByReason", stats.failuresByReason());
      row.put("callsPerSecondAchieved", CallReport.round(stats.answered.sum() / window));
      row.put("setupLatencyMsP50", stats.setup.count() == 0 ? -1
          : CallReport.round(stats.setup.correctedMicros().getValueAtPercentile(50) / 1000.0));
      row.put("setupLatencyMsP99", p99);
      row.put("gatewayCpuCoresUsed", cpu.gatewaySeconds() < 0 ? -1
          : CallReport.round(cpu.gatewaySeconds() / Math.max(result.totalNanos() / 1e9, 1e-9)));
      row.put("objectiveMet", met);
      System.out.println("  " + row);
      Step step = new Step(stepRate, plan, result, stats, engine, cpu, met, row);
      steps.add(step);
      if (!met) break;
      best = step;
    }
    Step shownStep = best != null ? best : steps.get(0);
    List<CallStats.TalkedCall> talked = new ArrayList<>();
    for (Step s : steps) talked.addAll(s.stats().talkedCalls());
    if (warm != null) talked.addAll(warm.stats().talkedCalls());
    LedgerCrossCheck.Outcome ledger = api == null || subscribersCsv != null ? null : LedgerCrossCheck.run(api, subs, talked);
    Map<String, Object> settingsShown = new LinkedHashMap<>(shown);
    settingsShown.put("ratePerSecond", shownStep.rate());
    Report report = CallReport.build(startedAt, settingsShown, shownStep.plan(), shownStep.result(), shownStep.stats(),
        shownStep.engine(), shownStep.cpu(), ledger, Mode.rate.name(), warm == null ? null : warm.stats(),
        warm == null ? 0 : warm.result().unfinished());
    Step last = steps.get(steps.size() - 1);
    report.figure("capacitySloSetupMsP99", sloMs)
        .figure("capacityCallsPerSecondWithinObjective", best == null ? 0 : best.rate())
        .figure("capacityFirstFailingCallsPerSecond", last.met() ? -1 : last.rate())
        .figure("capacitySteps", steps.stream().map(Step::row).toList());
    report.note("capacity mode: " + (best == null
        ? "no step met the objective (zero failed calls, setup p99 under " + sloMs + " ms); the figures are the first"
          + " step's (" + shownStep.rate() + " calls/s)"
        : "the highest rate that met the objective (zero failed calls, setup p99 under " + sloMs + " ms) is "
          + best.rate() + " calls/s, and the figures are that step's")
        + (last.met() ? "; every rate asked for met it" : "; " + last.rate() + " calls/s did not"));
    return report;
  }

  /** The warm-up's own counts: its calls never reach the measured figures, only the cross-check and the failures. */
  record WarmUp(CallStats stats, CallLoad.Result result) {}

  private static WarmUp warmUp(UacEngine.Settings settings, CallLoad.Plan measured, Duration warmupTime) {
    CallLoad.Plan plan = new CallLoad.Plan(measured.ratePerSecond(), Long.MAX_VALUE, warmupTime,
        measured.concurrencyMax(), measured.drainTimeout(), measured.number(), measured.subscribers());
    System.out.println("warming up: " + plan.schedule().count() + " calls in " + warmupTime.toMillis() / 1000.0
        + " s, then the measured run");
    CallStats stats = new CallStats();
    try (UacEngine engine = new UacEngine(settings, stats, System::nanoTime)) {
      return new WarmUp(stats, CallLoad.run(engine, plan));
    }
  }

  /** Whether the target number of calls was up at once for the whole window, and what holding them cost. */
  private void concurrentFigures(Report report, CallStats stats, long loadStartNanos, HoldingWatch watch) {
    double heldSeconds = CallReport.round(stats.plateauNanos() / 1e9);
    long reached = stats.plateauFirstReachedNanos();
    boolean held = heldSeconds >= window.toMillis() / 1000.0;
    boolean noFailures = stats.failedTotal() == 0;
    report.figure("concurrentTarget", concurrentTarget)
        .figure("concurrentWindowSeconds", window.toMillis() / 1000.0)
        .figure("concurrentHeldSeconds", heldSeconds)
        .figure("concurrentTargetReachedAfterSeconds", reached < 0 ? -1 : CallReport.round((reached - loadStartNanos) / 1e9))
        .figure("targetConcurrentHeldMet", held)
        .figure("targetMet", held && noFailures);
    if (!held) {
      report.note("issue target missed: " + concurrentTarget + " calls were up at once for " + heldSeconds
          + " s, target " + window.toSeconds() + " s (at most " + stats.establishedMax() + " at once)");
    }
    if (watch != null) watch.report(report);
  }

  private String startTrunk(List<AutoCloseable> started) throws Exception {
    if (trunkKind == TrunkKind.fixtures) {
      SimulatedTrunk trunk = SimulatedTrunk.start(TrunkOptions.defaults());
      started.add(trunk);
      return "sip:pstn@" + trunk.host() + ":" + trunk.port();
    }
    LoadTrunk trunk = new LoadTrunk(0);
    started.add(trunk);
    return trunk.uri();
  }

  static String hostPortOf(String sipUri) {
    String rest = sipUri.replaceFirst("^sips?:", "");
    int at = rest.indexOf('@');
    if (at >= 0) rest = rest.substring(at + 1);
    int semicolon = rest.indexOf(';');
    if (semicolon >= 0) rest = rest.substring(0, semicolon);
    if (!rest.contains(":")) rest = rest + ":5060";
    return rest;
  }

  private void write(Report report) {
    Path htmlFile = html != null ? html : json != null
        ? json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".html")
        : Path.of("bench-calls.html");
    if (json != null) ReportWriter.writeJson(report, json);
    ReportWriter.writeHtml(report, htmlFile);
    System.out.print(ReportWriter.summary(report));
    System.out.println((json != null ? "JSON: " + json + "\n" : "") + "HTML: " + htmlFile);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("could not delete " + root + ": " + e);
    }
  }
}
