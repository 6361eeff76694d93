package dev.mileage.points.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.LedgerStats;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The durable ledger on PostgreSQL: one {@link LedgerWriter} (single writer, batched, answers after
 * COMMIT) plus reads straight from committed state. State is always loaded from the database, never
 * trusted from anywhere else, so re-opening after any crash is correct.
 */
public final class PgLedger implements ManagedLedger {
  /** Threads that complete callers' stages, so callers' code never runs on the writer's context. */
  static final int COMPLETION_THREADS = 2;
  static final int PIPELINING_LIMIT = 256;
  /** Long enough for the batch in flight to commit, or to learn whether it did (LedgerWriter's probe). */
  static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Pool pool;
  private final LedgerWriter writer;
  private final Cache<Long, Account> accounts;
  private final Overlay unprojected = Overlay.shared();
  private final LedgerCounters counters;
  private final ExecutorService completionThreads;
  /** Never refuses: once the threads are shut down, the rare late completion runs on the caller's thread. */
  private final Executor completions;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** Completed once the close has finished: every later {@link #close()} off an event loop waits for it too. */
  private final io.vertx.core.Promise<Void> closeDone = io.vertx.core.Promise.promise();
  private volatile String deploymentId;

  private PgLedger(Vertx vertx, Database database, LedgerOptions options, Clock clock) {
    this.vertx = vertx;
    Database.ConnectionInfo info = database.connection();
    PgConnectOptions connect = new PgConnectOptions().setHost(info.host()).setPort(info.port())
        .setDatabase(info.database()).setUser(info.user()).setPassword(info.password())
        .setCachePreparedStatements(true).setPipeliningLimit(PIPELINING_LIMIT);
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(options.poolSize())).connectingTo(connect)
        .using(vertx).build();
    this.accounts = Caffeine.newBuilder().maximumSize(options.accountCacheMax()).build();
    Cache<UUID, PendingState> pendings = Caffeine.newBuilder().maximumSize(options.accountCacheMax()).build();
    this.counters = new LedgerCounters();
    this.completionThreads = Executors.newFixedThreadPool(COMPLETION_THREADS, r -> {
      Thread t = new Thread(r, "ledger-completion");
      t.setDaemon(true);
      return t;
    });
    this.completions = task -> {
      try {
        completionThreads.execute(task);
      } catch (RejectedExecutionException shutDown) {
        task.run();
      }
    };
    this.writer = new LedgerWriter(pool, writerConnectOptions(connect), options, clock, accounts, pendings, completions,
        counters, unprojected);
  }

  /**
   * The writer's own connection runs the one batch statement over and over with arrays of every size: a
   * generic plan (parameter arrays estimated small: index lookups, the right plan for any batch against
   * large tables) saves re-planning it for every batch, which PostgreSQL otherwise does (custom plans each
   * time, 0.4-0.7 ms of the writer backend per batch measured; a small batch costs little else).
   *
   * <p>That one plan is made at the first batch, often on a fresh database whose tables are still empty,
   * where a hash join over a sequential scan looks cheapest: the reservation close then read the whole
   * {@code pending} table in every batch for the life of the connection (measured: one full scan per batch,
   * ~3 ms of the writer backend per batch at 2,000 transfers/s after 20 s, growing with the table). Every
   * row this statement touches is found by its primary key, so the writer's connection rules out the plans
   * that are only right for a small table: index nested loops whatever the statistics say.
   */
  /** How the writer's connections show in {@code pg_stat_activity}. */
  public static final String WRITER_APPLICATION_NAME = "mileage-ledger-writer";
  /** How the writer's two projection connections (journal to tables, one per lane) show in {@code pg_stat_activity}. */
  public static final String PROJECTION_APPLICATION_NAME = "mileage-ledger-projection";

  static PgConnectOptions writerConnectOptions(PgConnectOptions shared) {
    return new PgConnectOptions(shared).addProperty("application_name", WRITER_APPLICATION_NAME)
        .addProperty("plan_cache_mode", "force_generic_plan")
        .addProperty("enable_seqscan", "off").addProperty("enable_hashjoin", "off")
        .addProperty("enable_mergejoin", "off");
  }

  /** Migrates the {@code ledger} schema, loads the writer's state from the database and starts writing. */
  public static CompletionStage<ManagedLedger> start(Vertx vertx, Database database, LedgerOptions options,
                                                     Clock clock) {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clock, "clock");
    return vertx.executeBlocking(() -> database.migrate("ledger"))
        .compose(migrated -> {
          PgLedger ledger = new PgLedger(vertx, database, options, clock);
          return vertx.deployVerticle(ledger.writer)
              .onSuccess(id -> ledger.deploymentId = id)
              .onFailure(e -> ledger.closeResources())
              .<ManagedLedger>map(id -> ledger);
        })
        .toCompletionStage();
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    Objects.requireNonNull(transfers, "transfers");
    if (transfers.isEmpty()) return CompletableFuture.completedFuture(List.of());
    if (transfers.size() > Ledger.BATCH_MAX) {
      throw new IllegalArgumentException("at most " + Ledger.BATCH_MAX + " transfers per call: " + transfers.size());
    }
    if (closed.get()) {
      return CompletableFuture.failedFuture(new LedgerException(LedgerException.Reason.CLOSED, "the ledger is closed", null));
    }
    List<Transfer> copy = List.copyOf(transfers);
    CompletableFuture<List<TransferResult>> future = new CompletableFuture<>();
    writer.submit(copy, future);
    return future;
  }

  @Override
  public CompletionStage<Account> openAccount(String owner, int pointType, int flags) {
    return tableWrite(() -> {
      // validates like the record does, before touching the database
      new Account(1, owner, pointType, AccountFlags.requireValid(flags), 0, 0, 0, 0);
      return pool.preparedQuery("INSERT INTO ledger.account (owner, point_type, flags) VALUES ($1, $2, $3)"
              + " ON CONFLICT (owner, point_type) DO NOTHING")
          .execute(Tuple.of(owner, pointType, flags))
          .recover(e -> Future.failedFuture(isForeignKeyViolation(e)
              ? new IllegalArgumentException("unknown point type: " + pointType) : e))
          // the table's counters may be behind the committed state (the projection): brought up to date
          .compose(v -> ownerAccount(owner, pointType))
          .map(found -> found.get(0));
    });
  }

  /**
   * The account's latest committed state from memory, if there: what the projection has not written yet (newer
   * than the tables), else the cache (the tables' state: the writer caches a projected change before it leaves
   * the overlay). Null when neither holds it; the tables are then current for this account.
   */
  private Account newest(long accountId) {
    Account a = unprojected.accounts.get(accountId);
    return a != null ? a : accounts.getIfPresent(accountId);
  }

  @Override
  public CompletionStage<Optional<Account>> account(long accountId) {
    Account cached = newest(accountId);
    if (cached != null) return fromMemory(Optional.of(cached));
    // not in the projection's backlog when looked at, so the table holds its latest committed state
    return read(pool.preparedQuery(LedgerRows.SELECT_ACCOUNTS).execute(Tuple.of((Object) new Long[] {accountId}))
        .map(rows -> first(rows, LedgerRows::account)));
  }

  @Override
  public CompletionStage<Optional<Account>> accountOf(String owner, int pointType) {
    Objects.requireNonNull(owner, "owner");
    return read(ownerAccount(owner, pointType)
        .map(found -> found.isEmpty() ? Optional.<Account>empty() : Optional.of(found.get(0))));
  }

  /** The owner's account of the point type (none or one), at its latest committed state. */
  private Future<List<Account>> ownerAccount(String owner, int pointType) {
    long projectedBefore = writer.projectedSeq(); // before the query's snapshot
    return current(pool.preparedQuery("SELECT " + LedgerRows.ACCOUNT_COLUMNS
            + " FROM ledger.account WHERE owner = $1 AND point_type = $2").execute(Tuple.of(owner, pointType))
        .map(rows -> all(rows, LedgerRows::account)), projectedBefore);
  }

  @Override
  public CompletionStage<List<Account>> accountsOf(String owner) {
    Objects.requireNonNull(owner, "owner");
    long projectedBefore = writer.projectedSeq(); // before the query's snapshot
    return read(current(pool.preparedQuery("SELECT " + LedgerRows.ACCOUNT_COLUMNS
            + " FROM ledger.account WHERE owner = $1 ORDER BY point_type").execute(Tuple.of(owner))
        .map(rows -> all(rows, LedgerRows::account)), projectedBefore));
  }

  /**
   * Accounts read from the table, brought to their latest committed state: the counters of one the
   * projection has not written yet come from memory. A row read before a projection that then committed
   * and left memory may be stale: if the projection moved on since, such rows are read again by id.
   */
  private Future<List<Account>> current(Future<List<Account>> rows, long projectedBefore) {
    return rows.compose(found -> {
      List<Account> result = new ArrayList<>(found.size());
      List<Long> reread = new ArrayList<>();
      boolean moved = writer.projectedSeq() != projectedBefore;
      for (Account a : found) {
        Account newer = newest(a.id());
        if (newer != null) {
          result.add(newer);
        } else {
          result.add(a);
          if (moved) reread.add(a.id());
        }
      }
      if (reread.isEmpty()) return Future.succeededFuture(result);
      return pool.preparedQuery(LedgerRows.SELECT_ACCOUNTS).execute(Tuple.of((Object) reread.toArray(Long[]::new)))
          .map(again -> {
            Map<Long, Account> byId = new HashMap<>();
            for (Row r : again) {
              Account a = LedgerRows.account(r);
              byId.put(a.id(), a);
            }
            result.replaceAll(a -> {
              Account newer = newest(a.id());
              return newer != null ? newer : byId.getOrDefault(a.id(), a);
            });
            return result;
          });
    });
  }

  @Override
  public CompletionStage<Optional<TransferRecord>> transfer(UUID transferId) {
    Objects.requireNonNull(transferId, "transferId");
    TransferRecord pending = unprojected.transfers.get(transferId);
    if (pending != null) return fromMemory(Optional.of(pending));
    return read(pool.preparedQuery(LedgerRows.SELECT_TRANSFERS).execute(Tuple.of((Object) new UUID[] {transferId}))
        .map(rows -> first(rows, LedgerRows::transfer)));
  }

  @Override
  public CompletionStage<Map<UUID, TransferRecord>> transfers(Collection<UUID> transferIds) {
    Objects.requireNonNull(transferIds, "transferIds");
    if (transferIds.size() > TRANSFERS_MAX) {
      throw new IllegalArgumentException("at most " + TRANSFERS_MAX + " transfer ids at once: " + transferIds.size());
    }
    if (transferIds.isEmpty()) return fromMemory(Map.of());
    UUID[] all = transferIds.toArray(UUID[]::new);
    for (UUID id : all) Objects.requireNonNull(id, "transfer id");
    Map<UUID, TransferRecord> known = new HashMap<>();
    List<UUID> misses = new ArrayList<>(all.length);
    for (UUID id : all) {
      TransferRecord r = unprojected.transfers.get(id);
      if (r != null) {
        known.put(id, r);
      } else {
        misses.add(id);
      }
    }
    if (misses.isEmpty()) return fromMemory(known);
    UUID[] ids = misses.toArray(UUID[]::new);
    return read(pool.preparedQuery(LedgerRows.SELECT_TRANSFERS).execute(Tuple.of((Object) ids)).map(rows -> {
      Map<UUID, TransferRecord> found = new HashMap<>(known);
      for (Row r : rows) {
        TransferRecord t = LedgerRows.transfer(r);
        found.put(t.transfer().id(), t);
      }
      return found;
    }));
  }

  @Override
  public CompletionStage<HistoryPage> history(long accountId, Instant before, int limit) {
    if (limit < 1 || limit > HistoryPage.LIMIT_MAX) {
      throw new IllegalArgumentException("limit must be 1.." + HistoryPage.LIMIT_MAX + ": " + limit);
    }
    long beforeMicros = before == null ? Long.MAX_VALUE : Micros.of(before);
    String columns = LedgerRows.TRANSFER_COLUMNS;
    String sql = "SELECT " + columns + " FROM ("
        + "(SELECT " + columns + " FROM ledger.transfer WHERE debit_account_id = $1 AND ts < $2 ORDER BY ts DESC LIMIT $3)"
        + " UNION ALL "
        + "(SELECT " + columns + " FROM ledger.transfer WHERE credit_account_id = $1 AND ts < $2 ORDER BY ts DESC LIMIT $3)"
        + ") h ORDER BY ts DESC LIMIT $3";
    // the tables must hold every batch committed before this call: wait for the projection to reach it
    return read(Future.fromCompletionStage(writer.awaitProjected())
        .compose(v -> pool.preparedQuery(sql).execute(Tuple.of(accountId, beforeMicros, limit))).map(rows -> {
      List<TransferRecord> page = all(rows, LedgerRows::transfer);
      Instant next = page.size() == limit ? page.get(page.size() - 1).timestamp() : null;
      return new HistoryPage(page, next);
    }));
  }

  @Override
  public CompletionStage<List<PointType>> pointTypes() {
    return read(pool.query("SELECT " + LedgerRows.POINT_TYPE_COLUMNS + " FROM ledger.point_type ORDER BY id").execute()
        .map(rows -> all(rows, LedgerRows::pointType)));
  }

  @Override
  public CompletionStage<PointType> definePointType(String code, PointKind kind, String issuer, long cashMicrosPerUnit,
                                                    Set<String> allowedProducts) {
    return tableWrite(() -> {
      PointType valid = new PointType(Integer.MAX_VALUE, code, kind, issuer, cashMicrosPerUnit, allowedProducts);
      return pool.preparedQuery("INSERT INTO ledger.point_type (" + LedgerRows.POINT_TYPE_COLUMNS + ")"
              + " VALUES (nextval('ledger.point_type_id_seq'), $1, $2, $3, $4, $5) ON CONFLICT (code) DO NOTHING")
          .execute(Tuple.of(valid.code(), valid.kind().name(), valid.issuer(), valid.cashMicrosPerUnit(),
              valid.allowedProducts().stream().sorted().toArray(String[]::new)))
          .compose(v -> pool.preparedQuery("SELECT " + LedgerRows.POINT_TYPE_COLUMNS
              + " FROM ledger.point_type WHERE code = $1").execute(Tuple.of(code)))
          .map(rows -> LedgerRows.pointType(rows.iterator().next()));
    });
  }

  @Override
  public CompletionStage<PointType> setCashValue(int pointType, long cashMicrosPerUnit) {
    return tableWrite(() -> {
      Checks.requireNonNegative(cashMicrosPerUnit, "cashMicrosPerUnit");
      return pool.preparedQuery("UPDATE ledger.point_type SET cash_micros_per_unit = $2 WHERE id = $1 RETURNING "
              + LedgerRows.POINT_TYPE_COLUMNS).execute(Tuple.of(pointType, cashMicrosPerUnit))
          .compose(rows -> rows.size() == 1 ? Future.succeededFuture(LedgerRows.pointType(rows.iterator().next()))
              : Future.failedFuture(new IllegalArgumentException("unknown point type: " + pointType)));
    });
  }

  @Override
  public CompletionStage<PointType> setAllowedProducts(int pointType, Set<String> allowedProducts) {
    return tableWrite(() -> {
      if (allowedProducts == null || allowedProducts.isEmpty()) {
        return Future.failedFuture(new IllegalArgumentException("a restricted point type keeps at least one product"));
      }
      String[] sorted = Set.copyOf(allowedProducts).stream().sorted().toArray(String[]::new);
      // only a type that is restricted already: an unrestricted one (empty list) must never become restricted here
      return pool.preparedQuery("UPDATE ledger.point_type SET allowed_products = $2 WHERE id = $1"
              + " AND cardinality(allowed_products) > 0 RETURNING " + LedgerRows.POINT_TYPE_COLUMNS)
          .execute(Tuple.tuple().addInteger(pointType).addArrayOfString(sorted))
          .compose(rows -> rows.size() == 1 ? Future.succeededFuture(LedgerRows.pointType(rows.iterator().next()))
              : Future.failedFuture(new IllegalArgumentException("unknown or unrestricted point type: " + pointType)));
    });
  }

  /**
   * Completes once every batch committed before the call is in the tables (transfer, account, pending), for
   * whoever reads them with SQL (audits, tests); the ledger's own reads never need it.
   */
  public CompletionStage<Void> awaitProjected() {
    return writer.awaitProjected();
  }

  /** Committed transfers the tables do not show yet (the projection's backlog). */
  public int unprojectedTransfers() {
    return writer.unprojectedTransfers();
  }

  /** Transfers, accounts and reservations held in memory because a projection lane has not written them yet (tests). */
  int[] unprojectedEntries() {
    return new int[] {unprojected.transfers.size(), unprojected.accounts.size(), unprojected.pendings.size()};
  }

  /** Projections (journal to tables) the database refused or that broke off; each is retried. */
  long projectionsFailed() {
    return counters.projectionsFailed.sum();
  }

  /** Batches the writer sent and has not answered yet: more than one while it pipelines. */
  int batchesInFlight() {
    return writer.batchesInFlight();
  }

  @Override
  public boolean writing() {
    return writer.writing();
  }

  @Override
  public LedgerStats stats() {
    return new LedgerStats(counters.batchesCommitted.sum(), counters.batchesFailed.sum(),
        counters.transfersCommitted.sum(), counters.reservationsExpired.sum(), writer.queueDepth(),
        counters.rejectedQueueFull.sum(), counters.commitMicrosTotal.sum(), counters.commitMicrosMax.get(),
        counters.prefetchMicrosTotal.sum(), counters.applyMicrosTotal.sum(), writer.unprojectedTransfers(),
        counters.projectionsFailed.sum(), counters.projections.sum(), counters.projectedTransfers.sum(),
        counters.projectionMicrosTotal.sum());
  }

  @Override
  public CompletionStage<Integer> expireDue() {
    CompletableFuture<Integer> future = new CompletableFuture<>();
    writer.requestSweep(future);
    return future;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      String id = deploymentId;
      Future<?> undeployed = id == null ? Future.succeededFuture() : vertx.undeploy(id);
      // the batch in flight commits and is answered before the pool closes; the completion threads go last
      undeployed.transform(ar -> pool.close()).onComplete(ar -> {
        completionThreads.shutdown();
        closeDone.tryComplete();
      });
    }
    if (io.vertx.core.Context.isOnVertxThread()) return; // an event loop must not wait: closing goes on by itself
    // a second close waits as the first would have: whoever starts a ledger on the same database after it returns
    // finds no statement of this one still running (a close begun on an event loop had returned at once)
    try {
      closeDone.future().await(CLOSE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // closing is best effort past the wait: the database keeps exactly what was committed
    }
  }

  private void closeResources() {
    pool.close();
    completionThreads.shutdown();
  }

  /**
   * Completes on the completion threads, never on a Vert.x event loop. A ledger that stopped writing answers no
   * read: another writer moved the database on, so neither its memory nor a table row it merges with that memory
   * can be trusted (checked when the read completes, so a writer stopped meanwhile is seen too). Nor does a ledger
   * whose writer lost its lease and found another ledger holding it, until it holds the lease again.
   */
  private <T> CompletionStage<T> read(Future<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    future.onComplete(ar -> completions.execute(() -> {
      LedgerException refused = refusal();
      if (refused != null) {
        result.completeExceptionally(refused);
      } else if (ar.succeeded()) {
        result.complete(ar.result());
      } else {
        result.completeExceptionally(ar.cause());
      }
    }));
    return result;
  }

  /**
   * A statement on the tables other than a transfer (accounts opened, point types): refused before it is sent when the
   * ledger answers nothing ({@link #refusal}), so a refused call changes nothing; then answered as {@link #read}.
   */
  private <T> CompletionStage<T> tableWrite(java.util.function.Supplier<Future<T>> statement) {
    LedgerException refused = refusal();
    return refused != null ? CompletableFuture.failedFuture(refused) : read(statement.get());
  }

  /** An answer from memory, unless the ledger stopped writing (see {@link #read}). */
  private <T> CompletionStage<T> fromMemory(T value) {
    LedgerException refused = refusal();
    return refused != null ? CompletableFuture.failedFuture(refused) : CompletableFuture.completedFuture(value);
  }

  /** Why this ledger answers nothing now (see {@link #read}), or null. */
  private LedgerException refusal() {
    String reason = writer.stoppedReason();
    if (reason != null) return new LedgerException(LedgerException.Reason.STOPPED, reason, null);
    String elsewhere = writer.leaseHeldElsewhere();
    return elsewhere == null ? null : new LedgerException(LedgerException.Reason.STORE_FAILED, elsewhere, null);
  }

  private static <T> Optional<T> first(RowSet<Row> rows, Function<Row, T> map) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(map.apply(it.next())) : Optional.empty();
  }

  private static <T> List<T> all(RowSet<Row> rows, Function<Row, T> map) {
    List<T> list = new ArrayList<>(rows.size());
    for (Row r : rows) list.add(map.apply(r));
    return list;
  }

  private static boolean isForeignKeyViolation(Throwable e) {
    return e instanceof io.vertx.pgclient.PgException pg && "23503".equals(pg.getSqlState());
  }

  static Account checked(Account a) {
    return BatchOutcome.checkLimits(a);
  }
}
