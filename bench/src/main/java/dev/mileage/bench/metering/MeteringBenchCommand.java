package dev.mileage.bench.metering;

import dev.mileage.bench.report.Report;
import dev.mileage.bench.report.ReportWriter;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.MeterObserver;
import dev.mileage.points.metering.MeterOptions;
import dev.mileage.points.metering.Meters;
import dev.mileage.points.metering.SessionListener;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code bench metering}: many concurrent metered calls in this process on the real ledger and
 * PostgreSQL, each renewing a grant every {@code --grant-seconds}. Sessions start evenly over one grant
 * period so renewals are spread as in production; the figures are taken over {@code --seconds} after that.
 */
@Command(name = "metering", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Metering load: --sessions concurrent sessions on one meter with the real ledger on PostgreSQL; "
        + "reports renewals/s, renewal lag p50/p99/max (HdrHistogram) and CPU cores used.")
public final class MeteringBenchCommand implements Callable<Integer> {
  static final int SESSIONS_PER_ACCOUNT = MeterOptions.SESSIONS_PER_ACCOUNT_MAX;
  /** Authorizations in flight at most: deeper queues would delay the renewals of running sessions. */
  static final int AUTHORIZE_IN_FLIGHT_MAX = 256;
  static final int FUND_BATCH = 4000;
  static final String NUMBER = "+820100000000";
  static final long STARTUP_STEP_SECONDS = 600;

  @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON here")
  Path json;
  @Option(names = "--html", paramLabel = "FILE", description = "HTML report (default: next to --json, else bench-metering.html)")
  Path html;
  @Option(names = "--sessions", defaultValue = "100000", description = "concurrent sessions (default ${DEFAULT-VALUE})")
  int sessions;
  @Option(names = "--grant-seconds", defaultValue = "30", description = "seconds one grant covers (default ${DEFAULT-VALUE})")
  int grantSeconds;
  @Option(names = "--seconds", defaultValue = "90", description = "measured seconds after the ramp (default ${DEFAULT-VALUE})")
  int seconds;
  @Option(names = "--renewal-margin-ms", description = "renewal requests leave this much (plus a per-session share "
      + "of it) before they are due; 0 sends them at the due moment, as the meter did before (default: the meter's, "
      + "500; capped at a tenth of a grant)")
  Long renewalMarginMs;
  @Option(names = "--database-url", description = "postgres://user:password@host:port/db (default: embedded, in a temp folder)")
  String databaseUrl;

  @Override
  public Integer call() throws Exception {
    if (sessions < 1 || sessions > MeterOptions.SESSIONS_MAX) throw new IllegalArgumentException("--sessions 1.." + MeterOptions.SESSIONS_MAX);
    if (grantSeconds < 2 || grantSeconds > 3600) throw new IllegalArgumentException("--grant-seconds 2..3600");
    if (seconds < 1 || seconds > 24 * 3600) throw new IllegalArgumentException("--seconds 1..86400");
    if (renewalMarginMs != null && (renewalMarginMs < 0 || renewalMarginMs > 60_000)) {
      throw new IllegalArgumentException("--renewal-margin-ms 0..60000");
    }
    Instant startedAt = Instant.now();
    Path dataDir = databaseUrl == null ? Files.createTempDirectory("bench-metering") : null;
    Database db = databaseUrl == null ? Database.embedded(dataDir) : Database.external(databaseUrl);
    Vertx vertx = Vertx.vertx();
    Clock clock = Clock.systemUTC();
    try {
      db.migrate("metering");
      // every session holds up to two reservations: keep them all in the ledger's cache
      ManagedLedger ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS
          .withAccountCacheMax(Math.max(LedgerOptions.ACCOUNT_CACHE_MAX_DEFAULT, 4 * sessions)), clock));
      Database.ConnectionInfo c = db.connection();
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
          .connectingTo(c.pgOptions().setPipeliningLimit(256)).using(vertx).build();
      PgTariffs tariffs = await(PgTariffs.load(pool));
      await(tariffs.putCallRate(CallRate.rated("8201", "bench: 1 point per second", Tariff.of(60, 1, 1, 0))));
      String run = UUID.randomUUID().toString().substring(0, 8);
      List<String> owners = fund(ledger, run);

      Recorder lags = new Recorder(3);
      Recorder wheelDelays = new Recorder(3);
      Recorder prepares = new Recorder(3);
      Recorder ledgerAnswers = new Recorder(3);
      Recorder hops = new Recorder(3);
      Recorder checkpoints = new Recorder(3);
      AtomicLong renewals = new AtomicLong();
      MeterOptions options = MeterOptions.defaults().withGrant(Duration.ofSeconds(grantSeconds))
          .withSessionsMax(Math.max(MeterOptions.SESSIONS_MAX, sessions + 1));
      if (renewalMarginMs != null) options = options.withRenewalMargin(Duration.ofMillis(renewalMarginMs));
      Meter meter = await(Meters.start(ledger, new PgMeterStore(pool), tariffs, options, clock, new MeterObserver() {
        @Override
        public void renewed(long lagMicros) {
          renewals.incrementAndGet();
          lags.recordValue(Math.min(lagMicros, 3_600_000_000L));
        }

        @Override
        public void renewalSplit(long wheelMicros, long prepareMicros, long ledgerMicros, long hopMicros) {
          wheelDelays.recordValue(bounded(wheelMicros));
          prepares.recordValue(bounded(prepareMicros));
          ledgerAnswers.recordValue(bounded(ledgerMicros));
          hops.recordValue(bounded(hopMicros));
        }

        @Override
        public void checkpointSaved(long micros) {
          checkpoints.recordValue(bounded(micros));
        }
      }));

      System.out.println("ramping up " + sessions + " sessions over " + grantSeconds + " s");
      ConcurrentLinkedQueue<UUID> started = new ConcurrentLinkedQueue<>();
      AtomicLong refused = new AtomicLong();
      long rampNanos = TimeUnit.SECONDS.toNanos(grantSeconds);
      rampUp(meter, owners, rampNanos, started, refused);
      System.out.println("started " + started.size() + " sessions (" + refused.get() + " refused); measuring " + seconds + " s");

      for (Recorder r : List.of(lags, wheelDelays, prepares, ledgerAnswers, hops, checkpoints)) r.reset();
      long renewalsBefore = renewals.get();
      CpuClock cpu = new CpuClock(dataDir);
      var ledgerBefore = ledger.stats();
      long[] gcBefore = gcTotals();
      long wallBefore = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
      long[] gcAfter = gcTotals();
      long wallNanos = System.nanoTime() - wallBefore;
      Histogram lag = lags.getIntervalHistogram();
      Histogram wheelDelay = wheelDelays.getIntervalHistogram();
      Histogram prepare = prepares.getIntervalHistogram();
      Histogram ledgerAnswer = ledgerAnswers.getIntervalHistogram();
      Histogram hop = hops.getIntervalHistogram();
      Histogram checkpoint = checkpoints.getIntervalHistogram();
      var ledgerAfter = ledger.stats();
      long batches = ledgerAfter.batchesCommitted() - ledgerBefore.batchesCommitted();
      long commitMicros = ledgerAfter.commitLatencyMicrosTotal() - ledgerBefore.commitLatencyMicrosTotal();
      long renewed = renewals.get() - renewalsBefore;
      double jvmCores = cpu.jvmCores(wallNanos);
      double dbCores = cpu.databaseCores(wallNanos);
      int open = meter.stats().openSessions();

      System.out.println("stopping sessions");
      stopping = true;
      long points = stopAll(meter, started);
      Account revenue = await(ledger.accountOf("operator:metering", StandardPointTypes.MILEAGE)).orElseThrow();

      Report report = new Report("metering", startedAt)
          .setting("sessions", sessions).setting("grantSeconds", grantSeconds).setting("seconds", seconds)
          .setting("database", databaseUrl == null ? "embedded" : "external")
          .setting("tariff", "1/1 at 60 points per minute").setting("accounts", owners.size())
          .setting("renewLeadMs", options.renewLeadMs()).setting("renewalMarginMs", options.renewalMarginMs());
      report.figure("sessions", open).figure("sessionsRefused", refused.get())
          .figure("renewals", renewed).figure("renewalsPerSecond", round(renewed / (wallNanos / 1e9)))
          .figure("cpuCoresUsed", round(jvmCores))
          .figure("databaseCpuCoresUsed", dbCores < 0 ? "unknown" : round(dbCores))
          .figure("cpuMsPerRenewal", renewed == 0 ? 0 : round(jvmCores * wallNanos / 1e6 / renewed))
          .figure("databaseCpuMsPerRenewal", renewed == 0 || dbCores < 0 ? "unknown"
              : round(dbCores * wallNanos / 1e6 / renewed))
          .figure("loadAverage1m", round(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
              .getSystemLoadAverage()))
          .figure("availableProcessors", Runtime.getRuntime().availableProcessors())
          .figure("endedEarly", endedEarly.toString())
          .figure("ledgerTransfersPerSecond", round((ledgerAfter.transfersCommitted() - ledgerBefore.transfersCommitted())
              / (wallNanos / 1e9)))
          .figure("ledgerBatchesPerSecond", round(batches / (wallNanos / 1e9)))
          .figure("ledgerCommitMsMean", batches == 0 ? 0 : round(commitMicros / 1000.0 / batches))
          .figure("ledgerCommitMsMaxSinceStart", round(ledgerAfter.commitLatencyMicrosMax() / 1000.0))
          .figure("gcCollections", gcAfter[0] - gcBefore[0])
          .figure("gcMsTotal", gcAfter[1] - gcBefore[1])
          .figure("reservationsExpired", ledgerAfter.reservationsExpired())
          .figure("pointsBilled", points).figure("revenuePosted", revenue.creditsPosted())
          .figure("revenuePending", revenue.creditsPending());
      report.latency("renewalLag", "renewal confirmed minus the moment it was due (0: confirmed by then)", lag);
      report.figure("renewalsConfirmedLate", lag.getTotalCount() - lag.getCountAtValue(0));
      // where a renewal's time goes (each renewal contributes once to each series)
      report.latency("renewalWheelDelay", "meter thread ran the renewal minus the moment it was meant to leave",
          wheelDelay);
      report.latency("renewalPrepare", "request left for the ledger minus the meter thread running the renewal",
          prepare);
      report.latency("renewalLedger", "ledger answered minus request sent (its queue, batch, commit)", ledgerAnswer);
      report.latency("renewalHop", "meter thread handled the answer minus the ledger answering", hop);
      report.latency("checkpointWrite", "checkpoint durable minus handed to the store (never holds a renewal)",
          checkpoint);
      if (open < sessions) report.note("only " + open + " of " + sessions + " sessions were running when measured");
      if (ledgerAfter.reservationsExpired() > 0) {
        report.note("reservations expired before their settlement: " + ledgerAfter.reservationsExpired());
      }
      if (revenue.creditsPending() != 0 || revenue.creditsPosted() != points) {
        report.note("CROSS-CHECK FAILED: usage records bill " + points + ", the revenue account holds "
            + revenue.creditsPosted() + " posted and " + revenue.creditsPending() + " pending");
      } else {
        report.note("cross-check: usage records and the revenue account agree (" + points + " points), nothing pending");
      }
      if (lag.getValueAtPercentile(99) > 100_000) report.note("target missed: renewal lag p99 above 100 ms");
      if (jvmCores > 1.0) report.note("target missed: more than one core for the meter process");
      double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
      if (load > Runtime.getRuntime().availableProcessors()) {
        report.note("the machine was busy (load average " + round(load) + " on " + Runtime.getRuntime()
            .availableProcessors() + " processors): latency includes waiting for a CPU");
      }
      write(report);
      meter.close();
      ledger.close();
      pool.close();
      return 0;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      db.close();
      if (dataDir != null) deleteQuietly(dataDir);
    }
  }

  /** One funded mileage account per {@link #SESSIONS_PER_ACCOUNT} sessions, enough for the whole run. */
  private List<String> fund(Ledger ledger, String run) throws Exception {
    int accounts = (sessions + SESSIONS_PER_ACCOUNT - 1) / SESSIONS_PER_ACCOUNT;
    long points = (long) SESSIONS_PER_ACCOUNT * (2L * grantSeconds + seconds + STARTUP_STEP_SECONDS);
    System.out.println("opening and funding " + accounts + " accounts");
    Account issuer = await(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    List<String> owners = new ArrayList<>(accounts);
    List<Transfer> batch = new ArrayList<>(FUND_BATCH);
    Semaphore inFlight = new Semaphore(256);
    List<CompletableFuture<Account>> opened = new ArrayList<>(accounts);
    for (int i = 0; i < accounts; i++) {
      String owner = "member:bench-" + run + "-" + i;
      owners.add(owner);
      inFlight.acquire();
      CompletableFuture<Account> f = ledger.openAccount(owner, StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS).toCompletableFuture();
      f.whenComplete((a, e) -> inFlight.release());
      opened.add(f);
    }
    for (int i = 0; i < accounts; i++) {
      Account a = opened.get(i).get(60, TimeUnit.SECONDS);
      batch.add(Transfer.single(Transfer.idOf("bench:fund:" + a.owner()), issuer.id(), a.id(), points,
          TransferCodes.OPERATOR_ADJUSTMENT, "bench funds"));
      if (batch.size() == FUND_BATCH || i == accounts - 1) {
        for (var r : await(ledger.submit(List.copyOf(batch)))) {
          if (!r.applied()) throw new IllegalStateException("funding failed: " + r);
        }
        batch.clear();
      }
    }
    return owners;
  }

  /** Sessions the meter ended on its own before the bench stopped them, by reason. */
  final java.util.Map<EndReason, AtomicLong> endedEarly = new java.util.concurrent.ConcurrentHashMap<>();
  volatile boolean stopping;
  final SessionListener endings = new SessionListener() {
    @Override
    public void ending(UUID sessionId, EndReason reason) {
      if (!stopping) endedEarly.computeIfAbsent(reason, r -> new AtomicLong()).incrementAndGet();
    }
  };

  /** Authorizes and answers the sessions evenly over {@code rampNanos} (bounded in flight). */
  private void rampUp(Meter meter, List<String> owners, long rampNanos, ConcurrentLinkedQueue<UUID> started,
                      AtomicLong refused) throws Exception {
    Semaphore inFlight = new Semaphore(AUTHORIZE_IN_FLIGHT_MAX);
    long begin = System.nanoTime();
    for (int i = 0; i < sessions; i++) {
      long due = begin + rampNanos * i / sessions;
      long wait = due - System.nanoTime();
      if (wait > 0) LockSupport.parkNanos(wait);
      if (i % 10_000 == 0) {
        System.out.println("  " + i + " requested, " + started.size() + " started, open " + meter.stats().openSessions()
            + ", ended early " + endedEarly);
      }
      inFlight.acquire();
      String owner = owners.get(i / SESSIONS_PER_ACCOUNT);
      meter.authorize(AuthorizeRequest.call(owner, NUMBER, "bench-" + i), endings)
          .thenCompose(a -> {
            if (!a.ok()) {
              refused.incrementAndGet();
              return CompletableFuture.completedFuture(null);
            }
            return meter.start(a.sessionId()).thenAccept(r -> started.add(a.sessionId()));
          })
          .whenComplete((v, e) -> {
            if (e != null) refused.incrementAndGet();
            inFlight.release();
          });
    }
    if (!inFlight.tryAcquire(AUTHORIZE_IN_FLIGHT_MAX, 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException("authorizations did not finish");
    }
  }

  /** Stops every session (bounded in flight); the points billed in total. */
  private static long stopAll(Meter meter, ConcurrentLinkedQueue<UUID> started) throws Exception {
    Semaphore inFlight = new Semaphore(AUTHORIZE_IN_FLIGHT_MAX);
    AtomicLong points = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    for (UUID id : started) {
      inFlight.acquire();
      meter.stop(id, EndReason.CALLER_HANGUP).whenComplete((out, e) -> {
        if (e != null) failed.incrementAndGet();
        else if (out.record() != null) points.addAndGet(out.record().points());
        inFlight.release();
      });
    }
    if (!inFlight.tryAcquire(AUTHORIZE_IN_FLIGHT_MAX, 300, TimeUnit.SECONDS)) {
      throw new IllegalStateException("stops did not finish");
    }
    if (failed.get() > 0) throw new IllegalStateException(failed.get() + " stops failed");
    return points.get();
  }

  private void write(Report report) {
    Path htmlFile = html != null ? html : json != null
        ? json.resolveSibling(json.getFileName().toString().replaceFirst("\\.json$", "") + ".html")
        : Path.of("bench-metering.html");
    if (json != null) ReportWriter.writeJson(report, json);
    ReportWriter.writeHtml(report, htmlFile);
    System.out.print(ReportWriter.summary(report));
    System.out.println((json != null ? "JSON: " + json + "\n" : "") + "HTML: " + htmlFile);
  }

  /** Collections and milliseconds spent collecting, over every collector of this JVM. */
  static long[] gcTotals() {
    long count = 0;
    long ms = 0;
    for (var gc : java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
    }
    return new long[] {count, ms};
  }

  static long bounded(long micros) {
    return Math.max(0, Math.min(micros, 3_600_000_000L));
  }

  static double round(double v) {
    return Math.round(v * 1000.0) / 1000.0;
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(STARTUP_STEP_SECONDS, TimeUnit.SECONDS);
  }

  private static void deleteQuietly(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // a temp folder left behind is harmless
    }
  }
}
