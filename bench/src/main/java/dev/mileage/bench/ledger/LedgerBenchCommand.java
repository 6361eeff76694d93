package dev.mileage.bench.ledger;

import dev.mileage.bench.metering.CpuClock;
import dev.mileage.bench.report.Report;
import dev.mileage.bench.report.ReportWriter;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.LedgerStats;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import dev.mileage.bench.load.OpenLoopSchedule;
import dev.mileage.bench.load.Pacer;
import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bench ledger}: durable transfers per second and commit latency of the PostgreSQL ledger under
 * closed-loop concurrent clients (80% reserve/post/void cycles, 20% single transfers), and the in-memory
 * engine alone. The database is an embedded PostgreSQL with fsync on, unless {@code --database-url}.
 */
@Command(name = "ledger", mixinStandardHelpOptions = true,
    description = "Durable ledger throughput and commit latency (PostgreSQL, fsync on) and in-memory engine speed.")
public final class LedgerBenchCommand implements Callable<Integer> {
  static final double TARGET_DURABLE_TRANSFERS_PER_SECOND = 50_000;
  static final double TARGET_COMMIT_LATENCY_MS_P99 = 20;
  static final double TARGET_ENGINE_TRANSFERS_PER_SECOND = 1_000_000;
  static final int OPEN_ACCOUNTS_IN_FLIGHT_MAX = 256;
  /** Open loop: how long the answers of the last sends may take after the schedule ends. */
  static final Duration DRAIN_WAIT = Duration.ofSeconds(120);

  @Option(names = "--json", paramLabel = "FILE", description = "write the figures as JSON here")
  Path json;

  @Option(names = "--html", paramLabel = "FILE", description = "HTML report (default: next to --json, else bench-ledger.html)")
  Path html;

  @Option(names = "--accounts", defaultValue = "10000", description = "customer accounts (default ${DEFAULT-VALUE})")
  int accounts;

  @Option(names = "--seconds", defaultValue = "30", description = "measured seconds of durable load (default ${DEFAULT-VALUE})")
  double seconds;

  @Option(names = "--warmup-seconds", defaultValue = "5", description = "unmeasured load first (default ${DEFAULT-VALUE})")
  double warmupSeconds;

  @Option(names = "--clients", defaultValue = "2048", description = "closed-loop clients, one request in flight each (default ${DEFAULT-VALUE})")
  int clients;

  @Option(names = "--rate", paramLabel = "N",
      description = "open loop: offer N transfers/s on a fixed schedule (latency from the intended send time); "
          + "default: closed loop with --clients")
  Double rate;

  @Option(names = "--in-flight-max", defaultValue = "100000",
      description = "open loop: transfers sent and unanswered at most; a send past it waits, and the wait counts as latency (default ${DEFAULT-VALUE})")
  int inFlightMax;

  @Option(names = "--transfers-max", defaultValue = "20000000", description = "durable transfers at most (default ${DEFAULT-VALUE})")
  long transfersMax;

  @Option(names = "--engine-seconds", defaultValue = "5", description = "measured seconds of the in-memory engine (default ${DEFAULT-VALUE})")
  double engineSeconds;

  @Option(names = "--engine-transfers-max", defaultValue = "4000000", description = "engine transfers at most (default ${DEFAULT-VALUE})")
  long engineTransfersMax;

  @Option(names = "--engine-batch", defaultValue = "" + Ledger.BATCH_MAX,
      description = "transfers per engine batch (default ${DEFAULT-VALUE})")
  int engineBatch;

  @Option(names = "--batch-max", defaultValue = "" + LedgerOptions.BATCH_TRANSFERS_MAX_DEFAULT,
      description = "transfers per commit at most (default ${DEFAULT-VALUE})")
  int batchMax;

  @Option(names = "--ids", defaultValue = "TIME_ORDERED", converter = IdsConverter.class,
      description = "transfer ids the clients choose: time-ordered (UUIDv7, RFC 9562) or random (default time-ordered)")
  Ids ids;

  @Option(names = "--engine-only", description = "measure the in-memory engine only")
  boolean engineOnly;

  @Option(names = "--database-url", paramLabel = "URL", description = "postgres://user:password@host:port/db (default: embedded, fsync on, temp dir)")
  String databaseUrl;

  private double loadAtStart;

  /** {@code time-ordered} or {@code random}, any case. */
  static final class IdsConverter implements picocli.CommandLine.ITypeConverter<Ids> {
    @Override
    public Ids convert(String value) {
      return switch (value.toLowerCase(java.util.Locale.ROOT).replace('_', '-')) {
        case "time-ordered" -> Ids.TIME_ORDERED;
        case "random" -> Ids.RANDOM;
        default -> throw new picocli.CommandLine.TypeConversionException("--ids is time-ordered or random, not " + value);
      };
    }
  }

  @Override
  public Integer call() throws Exception {
    if (rate != null && !(rate > 0 && rate <= OpenLoopSchedule.RATE_PER_SECOND_MAX)) {
      throw new IllegalArgumentException("--rate must be in (0, " + OpenLoopSchedule.RATE_PER_SECOND_MAX + "]");
    }
    if (inFlightMax < 1) throw new IllegalArgumentException("--in-flight-max must be positive");
    if (engineBatch < 2 || engineBatch > Ledger.BATCH_MAX) throw new IllegalArgumentException("--engine-batch 2.." + Ledger.BATCH_MAX);
    loadAtStart = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Report report = new Report("ledger", Instant.now());
    report.setting("accounts", accounts).setting("clients", clients).setting("seconds", seconds)
        .setting("warmupSeconds", warmupSeconds).setting("batchMax", batchMax).setting("engineBatch", engineBatch)
        .setting("database", databaseUrl == null ? "embedded PostgreSQL (fsync on, synchronous_commit on)" : "external")
        .setting("ids", ids == Ids.TIME_ORDERED ? "time-ordered (UUIDv7)" : "random")
        .setting("processors", Runtime.getRuntime().availableProcessors())
        .setting("workload", (rate == null ? "closed loop, " + clients + " clients" : "open loop at " + rate + " transfers/s")
            + "; 80% reserve then post (75%) or void (25%), 20% single transfers");

    EngineBench.Result engine = EngineBench.run(accounts, engineSeconds, engineTransfersMax, engineBatch);
    System.out.printf("engine: %,d transfers in %.2f s (%.2f s CPU of the thread, %.2f s of the process)%n",
        engine.transfers(), engine.seconds(), engine.cpuSeconds(), engine.processCpuSeconds());
    if (engineOnly) {
      engineFigures(report, engine);
      System.out.print(ReportWriter.summary(report));
      if (json != null) ReportWriter.writeJson(report, json);
      return 0;
    }

    Path tempDir = databaseUrl == null ? Files.createTempDirectory("bench-ledger") : null;
    Vertx vertx = Vertx.vertx();
    try (Database database = databaseUrl == null ? Database.embedded(tempDir) : Database.external(databaseUrl)) {
      durable(vertx, database, tempDir, report);
      engineFigures(report, engine);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (tempDir != null) deleteTree(tempDir);
    }
    targets(report);
    if (json != null) ReportWriter.writeJson(report, json);
    Path htmlFile = html != null ? html
        : json != null ? json.resolveSibling(json.getFileName().toString().replaceAll("\\.json$", "") + ".html")
        : Path.of("bench-ledger.html");
    ReportWriter.writeHtml(report, htmlFile);
    System.out.print(ReportWriter.summary(report));
    return 0;
  }

  private static void engineFigures(Report report, EngineBench.Result engine) {
    report.figure("engineTransfersPerSecond", Math.round(engine.perSecond()));
    report.figure("engineTransfersPerCpuSecond", Math.round(engine.perCpuSecond()));
    report.figure("engineTransfersPerProcessCpuSecond", Math.round(engine.perProcessCpuSecond()));
    report.figure("engineAllocatedBytesPerTransfer", Math.round(engine.allocatedBytesPerTransfer()));
    report.figure("engineTransfers", engine.transfers());
    report.figure("engineAppliedShare", Math.round(1000.0 * engine.applied() / engine.transfers()) / 1000.0);
  }

  private void durable(Vertx vertx, Database database, Path dataDir, Report report) throws Exception {
    LedgerOptions options = LedgerOptions.DEFAULTS.withBatchTransfersMax(batchMax)
        .withAccountCacheMax(Math.max(LedgerOptions.ACCOUNT_CACHE_MAX_DEFAULT, accounts * 4));
    try (ManagedLedger ledger = PgLedger.start(vertx, database, options, Clock.systemUTC()).toCompletableFuture()
        .get(120, TimeUnit.SECONDS)) {
      long[] customers = openAccounts(ledger);
      long startNanos = System.nanoTime();
      long recordFrom = startNanos + (long) (warmupSeconds * 1e9);
      long deadline = recordFrom + (long) (seconds * 1e9);
      boolean open = rate != null;
      DurableLoad load = open ? null : new DurableLoad(ledger, ids, customers, recordFrom, deadline, transfersMax);
      OpenLoad openLoad = open ? new OpenLoad(ledger, ids, customers, recordFrom, deadline, inFlightMax) : null;
      LongSupplier applied = open ? openLoad.applied::sum : load.applied::sum;
      CompletableFuture<Pacer.Outcome> finished;
      if (open) {
        OpenLoopSchedule schedule = new OpenLoopSchedule(rate, transfersMax,
            Duration.ofNanos(deadline - startNanos));
        finished = new CompletableFuture<>();
        Thread pacer = new Thread(() -> {
          try {
            finished.complete(openLoad.run(schedule, startNanos, deadline));
          } catch (Throwable e) {
            finished.completeExceptionally(e);
          }
        }, "ledger-open-loop-pacer");
        pacer.setDaemon(true);
        pacer.start();
      } else {
        finished = load.start(clients).thenApply(v -> null);
      }
      // the measured window: CPU of this process and of the database, and WAL written, from its start
      long untilRecord = recordFrom - System.nanoTime();
      if (untilRecord > 0) TimeUnit.NANOSECONDS.sleep(untilRecord);
      LedgerStats before = ledger.stats();
      long appliedBefore = applied.getAsLong();
      CpuClock cpu = new CpuClock(dataDir);
      long walBefore = walBytes(database);
      long[] walStatsBefore = walStats(database);
      List<Long> writerPids = backendPids(database, PgLedger.WRITER_APPLICATION_NAME);
      long writerTicksBefore = processTicks(writerPids);
      List<Long> projectionPids = backendPids(database, PgLedger.PROJECTION_APPLICATION_NAME);
      long projectionTicksBefore = processTicks(projectionPids);
      long windowStart = System.nanoTime();
      // closed loop: until the last client's answer; open loop: until the schedule's end (answers drain after)
      Pacer.Outcome paced = finished.get((long) (warmupSeconds + seconds) + 120, TimeUnit.SECONDS);
      long endNanos = System.nanoTime();
      long windowNanos = Math.max(1, endNanos - windowStart);
      double jvmCpuSeconds = cpu.jvmCores(windowNanos) * windowNanos / 1e9;
      double dbCores = cpu.databaseCores(windowNanos);
      long walAfter = walBytes(database);
      long[] walStatsAfter = walStats(database);
      long writerTicksAfter = processTicks(writerPids);
      long projectionTicksAfter = processTicks(projectionPids);
      long writerTicks = writerTicksBefore < 0 || writerTicksAfter < 0 ? -1 : writerTicksAfter - writerTicksBefore;
      long windowApplied = Math.max(1, applied.getAsLong() - appliedBefore);
      double measuredSeconds = Math.max(1e-9, (Math.min(endNanos, deadline) - recordFrom) / 1e9);
      if (open) {
        long drainDeadline = System.nanoTime() + DRAIN_WAIT.toNanos();
        while (openLoad.outstanding() > 0 && System.nanoTime() < drainDeadline) TimeUnit.MILLISECONDS.sleep(10);
        report.figure("offeredTransfersPerSecond", rate);
        report.figure("durableTransfersPerSecond", Math.round(openLoad.appliedInWindow.sum() / (seconds)));
        report.latency("commitLatency", "intended send to durable answer (open loop, corrected for coordinated omission)",
            openLoad.latency().correctedMicros());
        report.latency("serviceLatency", "actual send to durable answer (open loop, uncorrected)",
            openLoad.latency().serviceMicros());
        report.figure("durableTransfersApplied", openLoad.applied.sum());
        report.figure("durableTransfersRefused", openLoad.refused.sum());
        report.figure("durableTransfersFailed", openLoad.failed.sum());
        report.figure("transfersNotSent", paced.notStarted());
        report.figure("sendLagMsMax", Math.round(paced.startLagNanosMax() / 1000.0) / 1000.0);
        report.figure("inFlightCapWaits", paced.capWaits());
        report.figure("unansweredAfterDrain", openLoad.outstanding());
      } else {
        report.figure("durableTransfersPerSecond", Math.round(load.measuredApplied.sum() / measuredSeconds));
        report.latency("commitLatency", "submit to durable answer (closed loop)", load.latency());
        report.figure("durableTransfersApplied", load.applied.sum());
        report.figure("durableTransfersRefused", load.refused.sum());
        report.figure("durableTransfersFailed", load.failed.sum());
      }
      // journal first: answered transfers are durable in the journal; the tables follow. How far behind they
      // were at the window's end, and how long they took to catch up, show whether the rate is sustainable.
      PgLedger pg = (PgLedger) ledger;
      report.figure("unprojectedTransfersAtEnd", pg.unprojectedTransfers());
      long catchUpStart = System.nanoTime();
      pg.awaitProjected().toCompletableFuture().get(120, TimeUnit.SECONDS);
      report.figure("projectionCatchUpMs", Math.round((System.nanoTime() - catchUpStart) / 1e4) / 100.0);
      long projectionTicks = projectionTicksBefore < 0 || projectionTicksAfter < 0 ? -1
          : projectionTicksAfter - projectionTicksBefore;
      report.figure("projectionBackendCpuSecondsPer1kTransfers", projectionTicks < 0 ? "unknown"
          : Math.round(1e6 * projectionTicks / 100.0 / windowApplied) / 1000.0);
      report.figure("projectionBackendCpuCoresUsed", projectionTicks < 0 ? "unknown"
          : Math.round(1000 * projectionTicks / 100.0 / (windowNanos / 1e9)) / 1000.0);
      LedgerStats after = ledger.stats();
      long batches = after.batchesCommitted() - before.batchesCommitted();
      long transfers = after.transfersCommitted() - before.transfersCommitted();
      report.figure("batchesCommitted", batches);
      long projections = after.projections() - before.projections();
      report.figure("projections", projections);
      report.figure("transfersPerProjectionMean", projections == 0 ? 0
          : Math.round(10.0 * (after.projectedTransfers() - before.projectedTransfers()) / projections) / 10.0);
      report.figure("projectionRoundTripMsMean", projections == 0 ? 0
          : Math.round((after.projectionMicrosTotal() - before.projectionMicrosTotal()) / (double) projections) / 1000.0);
      report.figure("transfersPerBatchMean", batches == 0 ? 0 : Math.round(10.0 * transfers / batches) / 10.0);
      report.figure("writeRoundTripMsMean", batches == 0 ? 0
          : Math.round((after.commitLatencyMicrosTotal() - before.commitLatencyMicrosTotal()) / (double) batches) / 1000.0);
      report.figure("writeRoundTripMsMax", after.commitLatencyMicrosMax() / 1000.0);
      report.figure("prefetchMsMean", batches == 0 ? 0
          : Math.round((after.prefetchMicrosTotal() - before.prefetchMicrosTotal()) / (double) batches) / 1000.0);
      report.figure("engineApplyMsMean", batches == 0 ? 0
          : Math.round((after.applyMicrosTotal() - before.applyMicrosTotal()) / (double) batches) / 1000.0);
      report.figure("jvmCpuSecondsPer1kTransfers", Math.round(1e6 * jvmCpuSeconds / windowApplied) / 1000.0);
      report.figure("databaseCpuSecondsPer1kTransfers", dbCores < 0 ? "unknown"
          : Math.round(1e6 * dbCores * windowNanos / 1e9 / windowApplied) / 1000.0);
      report.figure("jvmCpuCoresUsed", Math.round(1000 * jvmCpuSeconds / (windowNanos / 1e9)) / 1000.0);
      report.figure("databaseCpuCoresUsed", dbCores < 0 ? "unknown" : Math.round(1000 * dbCores) / 1000.0);
      // the writer's backends (one per connection of the single writer), together
      report.figure("writerBackends", writerPids.size());
      report.figure("writerBackendCpuSecondsPer1kTransfers", writerTicks < 0 ? "unknown"
          : Math.round(1e6 * writerTicks / 100.0 / windowApplied) / 1000.0);
      report.figure("writerBackendCpuCoresUsed", writerTicks < 0 ? "unknown"
          : Math.round(1000 * writerTicks / 100.0 / (windowNanos / 1e9)) / 1000.0);
      report.figure("walBytesPerTransfer", Math.round((walAfter - walBefore) / (double) windowApplied));
      // pg_stat_wal: backends flush these counters about once a second, so the window's ends are that fuzzy
      report.figure("walRecordsPerTransfer", Math.round(100.0 * (walStatsAfter[0] - walStatsBefore[0]) / windowApplied) / 100.0);
      report.figure("walFullPageImagesPerTransfer",
          Math.round(1000.0 * (walStatsAfter[1] - walStatsBefore[1]) / windowApplied) / 1000.0);
      report.figure("checkpointsInWindow", walStatsAfter[2] - walStatsBefore[2]);
      report.figure("loadAverage1mAtStart", Math.round(100 * loadAtStart) / 100.0);
      report.figure("accountHotUpdateShare", hotUpdateShare(database, "account"));
      report.figure("pendingHotUpdateShare", hotUpdateShare(database, "pending"));
      report.figure("auditMismatchedAccounts", audit(database));
    }
  }

  /** Share of the table's updates that were HOT (no index entry written); statistics lag by up to a second. */
  private static double hotUpdateShare(Database database, String table) throws Exception {
    Database.ConnectionInfo c = database.connection();
    try (Connection connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
         var s = connection.prepareStatement("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables"
             + " WHERE schemaname = 'ledger' AND relname = ?")) {
      s.setString(1, table);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next() || rs.getLong(1) == 0) return 0;
        return Math.round(1000.0 * rs.getLong(2) / rs.getLong(1)) / 1000.0;
      }
    }
  }

  /** The backends of the ledger's connections with this application name, none if not found. */
  private static List<Long> backendPids(Database database, String applicationName) throws Exception {
    Database.ConnectionInfo c = database.connection();
    try (Connection connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
         var s = connection.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
      s.setString(1, applicationName);
      List<Long> pids = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) pids.add(rs.getLong(1));
      }
      return pids;
    }
  }

  /** utime + stime of the processes in clock ticks (1/100 s), or -1 if there are none or one is gone. */
  private static long processTicks(List<Long> pids) {
    if (pids.isEmpty()) return -1;
    long sum = 0;
    for (long pid : pids) {
      long t = processTicks(pid);
      if (t < 0) return -1;
      sum += t;
    }
    return sum;
  }

  /** utime + stime of a process in clock ticks (1/100 s), or -1. */
  private static long processTicks(long pid) {
    if (pid < 0) return -1;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (Exception e) {
      return -1;
    }
  }

  private static long walBytes(Database database) throws Exception {
    Database.ConnectionInfo c = database.connection();
    try (Connection connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
         ResultSet rs = connection.createStatement().executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** WAL records and full-page images written so far (pg_stat_wal), and checkpoints completed (timed + requested). */
  private static long[] walStats(Database database) throws Exception {
    Database.ConnectionInfo c = database.connection();
    try (Connection connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password())) {
      String checkpoints;
      try (ResultSet rs = connection.createStatement().executeQuery("SHOW server_version_num")) {
        rs.next();
        // PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer
        checkpoints = Integer.parseInt(rs.getString(1)) >= 170000
            ? "SELECT num_timed + num_requested FROM pg_stat_checkpointer"
            : "SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter";
      }
      try (ResultSet rs = connection.createStatement().executeQuery(
          "SELECT wal_records, wal_fpi, (" + checkpoints + ") FROM pg_stat_wal")) {
        rs.next();
        return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
      }
    }
  }

  /** Customers plus one issuer that funds them, opened concurrently in bounded waves. */
  private long[] openAccounts(ManagedLedger ledger) throws Exception {
    long issuer = ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE).toCompletableFuture()
        .get(60, TimeUnit.SECONDS).id();
    long[] customers = new long[accounts];
    for (int start = 0; start < accounts; start += OPEN_ACCOUNTS_IN_FLIGHT_MAX) {
      List<CompletableFuture<Long>> wave = new ArrayList<>();
      for (int i = start; i < Math.min(accounts, start + OPEN_ACCOUNTS_IN_FLIGHT_MAX); i++) {
        wave.add(ledger.openAccount("bench:" + i, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            .thenApply(a -> a.id()).toCompletableFuture());
      }
      for (int i = 0; i < wave.size(); i++) customers[start + i] = wave.get(i).get(60, TimeUnit.SECONDS);
    }
    List<Transfer> funding = new ArrayList<>();
    for (long c : customers) funding.add(Transfer.single(Transfer.idOf("bench:fund:" + c), issuer, c, 1_000_000_000L, 0, ""));
    for (int i = 0; i < funding.size(); i += Ledger.BATCH_MAX) {
      List<TransferResult> results = ledger.submit(funding.subList(i, Math.min(funding.size(), i + Ledger.BATCH_MAX)))
          .toCompletableFuture().get(120, TimeUnit.SECONDS);
      if (!results.stream().allMatch(TransferResult::applied)) throw new IllegalStateException("funding failed: " + results);
    }
    return customers;
  }

  /**
   * Accounts whose counters differ from the sum of their transfers (plain SQL, not the ledger's code), as of
   * the projection's state fence (the transfer rows of later batches may be written already).
   */
  private static long audit(Database database) throws Exception {
    String sql = """
        WITH moves AS (
          SELECT t.debit_account_id AS account,
                 CASE WHEN t.flags & 2 <> 0 AND p.status = 0 THEN t.amount ELSE 0 END AS dp,
                 CASE WHEN t.flags & 10 = 0 THEN t.amount ELSE 0 END AS dpo, 0::bigint AS cp, 0::bigint AS cpo
            FROM ledger.transfer t LEFT JOIN ledger.pending p ON p.id = t.id
           WHERE coalesce(t.batch_seq, 0) <= (SELECT batch_seq FROM ledger.projection WHERE id = 1)
          UNION ALL
          SELECT t.credit_account_id, 0, 0,
                 CASE WHEN t.flags & 2 <> 0 AND p.status = 0 THEN t.amount ELSE 0 END,
                 CASE WHEN t.flags & 10 = 0 THEN t.amount ELSE 0 END
            FROM ledger.transfer t LEFT JOIN ledger.pending p ON p.id = t.id
           WHERE coalesce(t.batch_seq, 0) <= (SELECT batch_seq FROM ledger.projection WHERE id = 1)),
        sums AS (SELECT account, sum(dp) dp, sum(dpo) dpo, sum(cp) cp, sum(cpo) cpo FROM moves GROUP BY account)
        SELECT count(*) FROM ledger.account a LEFT JOIN sums s ON s.account = a.id
         WHERE a.debits_pending <> coalesce(s.dp, 0) OR a.debits_posted <> coalesce(s.dpo, 0)
            OR a.credits_pending <> coalesce(s.cp, 0) OR a.credits_posted <> coalesce(s.cpo, 0)
        """;
    Database.ConnectionInfo c = database.connection();
    try (Connection connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
         ResultSet rs = connection.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void targets(Report report) {
    double durable = ((Number) report.figures().get("durableTransfersPerSecond")).doubleValue();
    double p99 = ((Number) report.figures().get("commitLatencyMsP99")).doubleValue();
    double engine = ((Number) report.figures().get("engineTransfersPerSecond")).doubleValue();
    report.figure("targetsMet", durable >= TARGET_DURABLE_TRANSFERS_PER_SECOND && p99 < TARGET_COMMIT_LATENCY_MS_P99
        && engine >= TARGET_ENGINE_TRANSFERS_PER_SECOND);
    if (durable < TARGET_DURABLE_TRANSFERS_PER_SECOND) {
      report.note("durable transfers/s below the target of " + (long) TARGET_DURABLE_TRANSFERS_PER_SECOND);
    }
    if (p99 >= TARGET_COMMIT_LATENCY_MS_P99) report.note("commit latency p99 not under " + TARGET_COMMIT_LATENCY_MS_P99 + " ms");
    if (engine < TARGET_ENGINE_TRANSFERS_PER_SECOND) {
      report.note("engine transfers/s below the target of " + (long) TARGET_ENGINE_TRANSFERS_PER_SECOND);
    }
    if (((Number) report.figures().get("auditMismatchedAccounts")).longValue() != 0) {
      report.note("AUDIT FAILED: some balances differ from the sum of their transfers");
    }
    report.note("machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average "
        + java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()
        + " at the end (other processes share the cores)");
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
