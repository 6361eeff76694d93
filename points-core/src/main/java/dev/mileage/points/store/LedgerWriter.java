package dev.mileage.points.store;

import com.github.benmanes.caffeine.cache.Cache;
import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.LedgerEngine;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerException.Reason;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The single writer. Runs on its own Vert.x context: drains the bounded queue into a batch, prefetches
 * what the batch needs in batched queries, applies it in the engine, writes it in one statement, and only
 * after COMMIT updates the caches and answers the callers (on the completion executor, never on this
 * context). One batch is in flight at a time, so a batch always reads what the previous one committed.
 */
final class LedgerWriter extends VerticleBase {
  /** Reservations one sweep releases at most; a full sweep asks for another. */
  static final int SWEEP_MAX = 4096;
  /** How long to keep asking whether an interrupted commit made it, before answering OUTCOME_UNKNOWN. */
  static final int PROBE_ATTEMPTS_MAX = 40;
  static final long PROBE_DELAY_MS = 250;

  record Request(List<Transfer> transfers, CompletableFuture<List<TransferResult>> future) {
  }

  private final Pool pool;
  private final PgConnectOptions connectOptions;
  private final LedgerOptions options;
  private final Clock clock;
  private final Cache<Long, Account> accounts;
  private final Cache<UUID, PendingState> pendings;
  private final Executor completions;
  private final LedgerCounters counters;

  private final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedTransfers = new AtomicInteger();
  private final AtomicBoolean wakeScheduled = new AtomicBoolean();
  private final ConcurrentLinkedQueue<CompletableFuture<Integer>> sweepWaiters = new ConcurrentLinkedQueue<>();
  private volatile boolean closed;

  // owned by the writer context
  private LedgerEngine engine;
  private PgConnection connection;
  private long batchSeq;
  private boolean writerRowStale = true;
  private boolean inFlight;
  private boolean sweepRequested;
  private long sweepTimer = -1;
  private Promise<Void> idleOnStop;

  LedgerWriter(Pool pool, PgConnectOptions connectOptions, LedgerOptions options, Clock clock,
               Cache<Long, Account> accounts, Cache<UUID, PendingState> pendings, Executor completions,
               LedgerCounters counters) {
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.options = options;
    this.clock = clock;
    this.accounts = accounts;
    this.pendings = pendings;
    this.completions = completions;
    this.counters = counters;
  }

  @Override
  public Future<?> start() {
    return loadWriterRow().onSuccess(v -> sweepTimer = vertx.setPeriodic(
        options.expirySweepInterval().toMillis(), id -> requestSweep(null)));
  }

  /** Takes no more work, fails what is queued, lets the batch in flight finish (commit and answer), then closes. */
  @Override
  public Future<?> stop() {
    closed = true;
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
    failQueued(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
    Promise<Void> idle = Promise.promise();
    if (inFlight) {
      idleOnStop = idle;
    } else {
      idle.complete();
    }
    return idle.future().compose(v -> connection == null ? Future.succeededFuture() : connection.close());
  }

  int queueDepth() {
    return queuedTransfers.get();
  }

  void submit(List<Transfer> transfers, CompletableFuture<List<TransferResult>> future) {
    if (closed) {
      future.completeExceptionally(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
      return;
    }
    int n = transfers.size();
    if (queuedTransfers.addAndGet(n) > options.queueTransfersMax()) {
      queuedTransfers.addAndGet(-n);
      counters.rejectedQueueFull.increment();
      future.completeExceptionally(new LedgerException(Reason.QUEUE_FULL,
          "more than " + options.queueTransfersMax() + " transfers are waiting for the ledger", null));
      return;
    }
    queue.add(new Request(transfers, future));
    // closing may have drained the queue between the check above and the add: never strand a request
    if (closed) failQueued(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
    wake();
  }

  void requestSweep(CompletableFuture<Integer> waiter) {
    if (waiter != null) {
      if (closed) {
        waiter.completeExceptionally(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
        return;
      }
      sweepWaiters.add(waiter);
      if (closed) failQueued(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
    }
    context.runOnContext(v -> {
      sweepRequested = true;
      drain();
    });
  }

  private void wake() {
    if (wakeScheduled.compareAndSet(false, true)) {
      context.runOnContext(v -> {
        wakeScheduled.set(false);
        drain();
      });
    }
  }

  private void drain() {
    if (inFlight || closed) return;
    List<Request> batch = new ArrayList<>();
    int size = 0;
    for (Request r = queue.peek(); r != null; r = queue.peek()) {
      if (size + r.transfers().size() > options.batchTransfersMax()) break;
      queue.poll();
      batch.add(r);
      size += r.transfers().size();
    }
    boolean sweep = sweepRequested;
    if (batch.isEmpty() && !sweep) return;
    sweepRequested = false;
    List<CompletableFuture<Integer>> waiters = new ArrayList<>();
    if (sweep) {
      for (CompletableFuture<Integer> w = sweepWaiters.poll(); w != null; w = sweepWaiters.poll()) waiters.add(w);
    }
    inFlight = true;
    int transfers = size;
    process(batch, sweep).onComplete(ar -> {
      queuedTransfers.addAndGet(-transfers);
      inFlight = false;
      if (idleOnStop != null) idleOnStop.complete();
      if (ar.succeeded()) {
        int expired = ar.result();
        completions.execute(() -> waiters.forEach(w -> w.complete(expired)));
      } else {
        Throwable failure = ar.cause();
        completions.execute(() -> waiters.forEach(w -> w.completeExceptionally(failure)));
      }
      drain();
    });
  }

  /** One batch, start to answer. Answers the number of reservations it released. */
  private Future<Integer> process(List<Request> batch, boolean sweep) {
    Future<Void> ready = writerRowStale ? loadWriterRow() : Future.succeededFuture();
    int batchTransfers = 0;
    for (Request r : batch) batchTransfers += r.transfers().size();
    Prefetched view = new Prefetched(batchTransfers);
    Future<List<UUID>> candidates = ready.compose(v -> sweep ? dueReservations() : Future.succeededFuture(List.of()));
    long prefetchStart = System.nanoTime();
    Future<BatchOutcome> applied = candidates
        .compose(due -> prefetch(view, batch, due).map(v -> due))
        .map(due -> {
          long applyStart = System.nanoTime();
          counters.prefetchMicrosTotal.add((applyStart - prefetchStart) / 1_000);
          List<List<Transfer>> requests = new ArrayList<>(batch.size());
          for (Request r : batch) requests.add(r.transfers());
          BatchOutcome outcome = engine.applyAll(view, requests, due);
          outcome.verify();
          counters.applyMicrosTotal.add((System.nanoTime() - applyStart) / 1_000);
          return outcome;
        });
    return applied.transform(ar -> {
      if (ar.failed()) {
        counters.batchesFailed.increment();
        fail(batch, ar.cause(), Reason.STORE_FAILED);
        return Future.failedFuture(ar.cause());
      }
      BatchOutcome outcome = ar.result();
      if (outcome.isEmpty()) {
        committed(batch, view, outcome, 0);
        if (sweep && candidates.result().size() >= SWEEP_MAX) sweepRequested = true;
        return Future.succeededFuture(0);
      }
      long started = System.nanoTime();
      Throwable[] writeFailure = new Throwable[1];
      return write(outcome, id -> view.pendings.get(id) != null).transform(w -> {
        if (w.succeeded()) return Future.succeededFuture(true);
        writeFailure[0] = w.cause();
        return resolve(w.cause());
      }).transform(c -> {
        if (c.succeeded() && c.result()) {
          committed(batch, view, outcome, (System.nanoTime() - started) / 1_000);
          if (sweep && candidates.result().size() >= SWEEP_MAX) sweepRequested = true;
          return Future.succeededFuture(outcome.expired());
        }
        forget(view);
        Reason reason = c.succeeded() ? Reason.STORE_FAILED : Reason.OUTCOME_UNKNOWN;
        Throwable cause = c.succeeded() ? writeFailure[0] : c.cause();
        fail(batch, cause, reason);
        counters.batchesFailed.increment();
        return Future.failedFuture(new LedgerException(reason, "the batch was not committed", cause));
      });
    });
  }

  private Future<Void> loadWriterRow() {
    return pool.query(LedgerRows.SELECT_WRITER).execute().map(rows -> {
      Row row = rows.iterator().next();
      batchSeq = row.getLong(0);
      long lastTs = row.getLong(1);
      engine = engine == null ? new LedgerEngine(clock, lastTs)
          : new LedgerEngine(clock, Math.max(lastTs, engine.lastTimestampMicros()));
      writerRowStale = false;
      return null;
    });
  }

  private Future<List<UUID>> dueReservations() {
    return pool.preparedQuery(LedgerRows.SELECT_DUE).execute(Tuple.of(engine.nowMicros(), SWEEP_MAX)).map(rows -> {
      List<UUID> due = new ArrayList<>(rows.size());
      for (Row r : rows) due.add(r.getUUID(0));
      return due;
    });
  }

  /** Cache hits first, then the misses in batched queries: transfers and reservations, then accounts. */
  private Future<Void> prefetch(Prefetched view, List<Request> batch, List<UUID> due) {
    Set<UUID> transferIds = new HashSet<>();
    Set<UUID> pendingIds = new HashSet<>(due);
    Set<Long> accountIds = new HashSet<>();
    for (Request r : batch) {
      for (Transfer t : r.transfers()) {
        transferIds.add(t.id());
        if (t.pendingId() != null && (t.flags() & (TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING)) != 0) {
          pendingIds.add(t.pendingId());
        }
        if (t.debitAccountId() != 0) accountIds.add(t.debitAccountId());
        if (t.creditAccountId() != 0) accountIds.add(t.creditAccountId());
      }
    }
    List<UUID> pendingMisses = new ArrayList<>();
    for (UUID id : pendingIds) {
      PendingState p = pendings.getIfPresent(id);
      if (p == null) {
        pendingMisses.add(id);
      } else {
        view.pendings.put(id, p);
      }
    }
    Future<Void> transfers = loadTransfers(view, transferIds);
    Future<Void> reservations = pendingMisses.isEmpty() ? Future.succeededFuture()
        : pool.preparedQuery(LedgerRows.SELECT_PENDINGS).execute(Tuple.of(pendingMisses.toArray(UUID[]::new)))
            .map(rows -> {
              for (UUID id : pendingMisses) view.pendings.put(id, null);
              for (Row row : rows) view.pendings.put(row.getUUID(0), LedgerRows.pending(row));
              return null;
            });
    return Future.all(transfers, reservations).compose(v -> {
      Set<UUID> notPending = new HashSet<>();
      for (UUID id : pendingIds) {
        PendingState p = view.pendings.get(id);
        if (p == null) {
          if (!view.transfers.containsKey(id)) notPending.add(id);
        } else {
          accountIds.add(p.debitAccountId());
          accountIds.add(p.creditAccountId());
        }
      }
      List<Long> accountMisses = new ArrayList<>();
      for (Long id : accountIds) {
        Account a = accounts.getIfPresent(id);
        if (a == null) {
          accountMisses.add(id);
        } else {
          view.accounts.put(id, a);
        }
      }
      Future<Void> loaded = accountMisses.isEmpty() ? Future.succeededFuture()
          : pool.preparedQuery(LedgerRows.SELECT_ACCOUNTS).execute(Tuple.of(accountMisses.toArray(Long[]::new)))
              .map(rows -> {
                for (Long id : accountMisses) view.accounts.put(id, null);
                for (Row row : rows) view.accounts.put(row.getLong(0), LedgerRows.account(row));
                return null;
              });
      return Future.all(loaded, loadTransfers(view, notPending)).mapEmpty();
    });
  }

  private Future<Void> loadTransfers(Prefetched view, Set<UUID> ids) {
    if (ids.isEmpty()) return Future.succeededFuture();
    return pool.preparedQuery(LedgerRows.SELECT_TRANSFERS).execute(Tuple.of(ids.toArray(UUID[]::new)))
        .map(rows -> {
          for (UUID id : ids) view.transfers.put(id, null);
          for (Row row : rows) view.transfers.put(row.getUUID(0), LedgerRows.transfer(row));
          return null;
        });
  }

  private Future<Void> write(BatchOutcome outcome, java.util.function.Predicate<UUID> storedReservation) {
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, connectOptions).onSuccess(c -> connection = c);
    long seq = batchSeq + 1;
    return conn.compose(c -> c.preparedQuery(LedgerRows.WRITE_BATCH).execute(BatchParams.of(outcome, seq, storedReservation)))
        .<Void>mapEmpty()
        .onSuccess(v -> batchSeq = seq);
  }

  /**
   * The write failed. An ERROR answered by the server means the statement rolled back. Anything else (the
   * connection broke, a FATAL) may have come after the server took the statement, which may then still commit. End the writer's backend so nothing of ours can still run, then read the writer row:
   * it holds this batch's sequence number exactly when the batch committed.
   */
  private Future<Boolean> resolve(Throwable writeFailure) {
    writerRowStale = true;
    if (writeFailure instanceof PgException pg && "ERROR".equals(pg.getSeverity())) {
      // the server answered the statement with an error: an implicit transaction that errs is rolled back
      return Future.succeededFuture(false);
    }
    PgConnection broken = connection;
    connection = null;
    if (broken == null) return Future.succeededFuture(false); // never connected: nothing was sent
    int pid = broken.processId();
    broken.close();
    long expected = batchSeq + 1;
    Promise<Boolean> answer = Promise.promise();
    probe(pid, expected, 1, answer);
    return answer.future();
  }

  private void probe(int pid, long expected, int attempt, Promise<Boolean> answer) {
    pool.preparedQuery("SELECT pg_terminate_backend($1)"
            + " FROM pg_stat_activity WHERE pid = $1 AND datname = current_database()")
        .execute(Tuple.of(pid))
        .compose(v -> pool.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = $1").execute(Tuple.of(pid)))
        .compose(rows -> {
          if (rows.iterator().next().getLong(0) > 0) return Future.failedFuture("the old writer backend is still there");
          return pool.query(LedgerRows.SELECT_WRITER).execute();
        })
        .onSuccess(rows -> {
          long seq = rows.iterator().next().getLong(0);
          Checks.invariant(seq == expected || seq == expected - 1, "one writer per ledger (batch " + seq + ")");
          answer.complete(seq == expected);
        })
        .onFailure(e -> {
          if (attempt >= PROBE_ATTEMPTS_MAX) {
            answer.fail(e);
          } else {
            vertx.setTimer(PROBE_DELAY_MS, t -> probe(pid, expected, attempt + 1, answer));
          }
        });
  }

  private void committed(List<Request> batch, Prefetched view, BatchOutcome outcome, long commitMicros) {
    // what the batch read is committed state too (this writer is the only one changing it)
    view.accounts.forEach((id, a) -> {
      if (a != null) accounts.put(id, a);
    });
    view.pendings.forEach((id, p) -> {
      if (p != null) pendings.put(id, p);
    });
    for (AccountChange c : outcome.accounts()) accounts.put(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.put(p.id(), p);
    if (!outcome.isEmpty()) counters.commit(commitMicros);
    counters.reservationsExpired.add(outcome.expired());
    List<TransferResult> results = outcome.results();
    counters.transfersCommitted.add(results.size());
    completions.execute(() -> {
      int offset = 0;
      for (Request r : batch) {
        int n = r.transfers().size();
        r.future().complete(List.copyOf(results.subList(offset, offset + n)));
        offset += n;
      }
    });
  }

  /** After a failed batch the cached entries it touched may be the reason: read them again next time. */
  private void forget(Prefetched view) {
    accounts.invalidateAll(view.accounts.keySet());
    pendings.invalidateAll(view.pendings.keySet());
  }

  private void fail(List<Request> batch, Throwable cause, Reason reason) {
    LedgerException failure = cause instanceof LedgerException le ? le
        : new LedgerException(reason, "the batch was not committed", cause);
    completions.execute(() -> batch.forEach(r -> r.future().completeExceptionally(failure)));
  }

  private void failQueued(LedgerException failure) {
    List<Request> dropped = new ArrayList<>();
    for (Request r = queue.poll(); r != null; r = queue.poll()) {
      queuedTransfers.addAndGet(-r.transfers().size());
      dropped.add(r);
    }
    List<CompletableFuture<Integer>> waiters = new ArrayList<>();
    for (CompletableFuture<Integer> w = sweepWaiters.poll(); w != null; w = sweepWaiters.poll()) waiters.add(w);
    completions.execute(() -> {
      dropped.forEach(r -> r.future().completeExceptionally(failure));
      waiters.forEach(w -> w.completeExceptionally(failure));
    });
  }
}
