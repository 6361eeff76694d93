package dev.mileage.points.store;

import com.github.benmanes.caffeine.cache.Cache;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.LedgerEngine;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerException.Reason;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.Transfer;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * after COMMIT answers the callers (on the completion executor, never on this
 * context).
 *
 * <p>Journal first: a batch commits as one journal row (its {@link WriteSet}, encoded) and the writer row's
 * fence; that is the durable point, after which it is answered (and cached once the projection has written
 * it). The tables (transfer, account, pending) are brought up to date by the projection for all the batches
 * committed since the last one, in two lanes on two more connections: the transfer rows, then the accounts
 * and reservations (see {@link Lane}; an {@link Overlay} holds the batches' effects for readers and for the
 * next batches until the lane that writes them has: the transfers until the first, the accounts and reservations
 * until the second). The database's serial work per batch is one row; the per-transfer rows and index entries
 * are written off the commit path, and an account changed by many batches is written once. At most
 * {@link #UNWRITTEN_TRANSFERS_MAX} transfers wait for the first lane and {@link #UNPROJECTED_TRANSFERS_MAX} for the
 * second: past either the writer takes no new batch until that lane catches up.
 *
 * <p>Pipelined: while a batch's statement is committing, the next batch is prefetched and applied on top
 * of the uncommitted changes of those in flight (another {@link Overlay}) and its statement is queued behind
 * on the same connection, so the database never waits for the writer between commits. Answers still
 * follow their own commit, in order. A failed commit fails every batch behind it (each was applied on
 * top of it and is fenced on its batch number), and their in-memory effects are dropped.
 *
 * <p>One writer per database: the writer's connection holds the database's writer lease (see {@link #connection()})
 * and stamps each batch with this writer's identity. A second ledger on the same database waits for the lease and
 * refuses to start without it; a writer cut off from the database that finds another writer's batches on coming
 * back (by the identity, not the batch number alone) stops writing, since what it holds in memory is stale.
 */
final class LedgerWriter extends VerticleBase {
  /** Reservations one sweep releases at most; a full sweep asks for another. */
  static final int SWEEP_MAX = 4096;
  /** How long to keep asking whether an interrupted commit made it, before answering OUTCOME_UNKNOWN. */
  static final int PROBE_ATTEMPTS_MAX = 40;
  static final long PROBE_DELAY_MS = 250;
  /** A recovery that failed (a killed process's projection statement moved the fence meanwhile) is made again. */
  static final int RECOVERY_ATTEMPTS_MAX = 5;
  static final long RECOVERY_RETRY_MS = 500;
  /** How often a ledger waiting for the writer lease asks again. */
  static final long LEASE_RETRY_MS = 200;

  /** Batches applied and sent whose commit is not yet known, at most (one running, one queued behind it). */
  static final int BATCHES_IN_FLIGHT_MAX = 2;
  /**
   * Committed transfers whose rows the transfer lane has not written yet, at most, before the writer waits for it.
   * Until then each is held whole (its request, outcome and overlay entries).
   */
  static final int UNWRITTEN_TRANSFERS_MAX = 16_384;
  /**
   * Committed transfers whose accounts and reservations the state lane has not written yet, at most, before the
   * writer waits for it. Past the transfer lane a batch is held as its accounts' and reservations' last states
   * only, merged with the batches before it, so this bound is about entries per account and per reservation,
   * not per transfer.
   */
  static final int UNPROJECTED_TRANSFERS_MAX = 65_536;
  private static final System.Logger LOG = System.getLogger(LedgerWriter.class.getName());
  /** Transfers one transfer-lane statement writes at most (a larger batch goes alone). */
  static final int PROJECTION_TRANSFERS_MAX = 4096;
  /**
   * Transfers whose state one state-lane statement writes at most. Larger than the transfer lane's: the state
   * lane's cost is per account and per reservation, and the more batches one statement covers, the more of them
   * it writes once for many transfers (an account changed by several, a reservation made and closed in the window).
   */
  static final int STATE_PROJECTION_TRANSFERS_MAX = 32_768;
  /** Transfer-lane statements sent and not yet answered per connection, at most (each server runs its own in order). */
  static final int PROJECTIONS_IN_FLIGHT_MAX = 2;
  /**
   * Connections (so backends, and cores) the transfer lane writes on at once, its statements dealt to them in turn:
   * the transfer rows are most of the projection's work, and one backend was what the writer waited for.
   */
  static final int TRANSFER_LANE_CONNECTIONS = 2;
  /** State-lane statements sent and not yet answered, at most: one, so that what waits merges into the next. */
  static final int STATE_PROJECTIONS_IN_FLIGHT_MAX = 1;
  /**
   * A backlog of this many transfers is projected at once; a smaller one waits up to
   * {@link #PROJECTION_LINGER_MS} for more, unless a reader waits for it or the ledger is closing. Each
   * statement costs the database about a millisecond of CPU whatever its size: at 10,000 transfers/s,
   * projecting every batch as it committed made statements of ~22 transfers at ~70 us each.
   */
  static final int PROJECTION_EAGER_TRANSFERS = 1024;
  static final long PROJECTION_LINGER_MS = 10;
  /** Pause before projecting again after a projection failed. */
  static final long PROJECTION_RETRY_MS = 500;

  record Request(List<Transfer> transfers, CompletableFuture<List<TransferResult>> future) {
  }

  /** One batch from prepare to answer. {@code seq} is 0 when it had nothing to write. */
  static final class Flight {
    final List<Request> batch;
    final int transfers;
    final List<CompletableFuture<Integer>> waiters;
    final Prefetched view;
    BatchOutcome outcome;
    /** Which of the outcome's reservations it created (for the journal record and the projection). */
    boolean[] created;
    boolean sweepFull;
    long seq;
    long sentNanos;
    io.vertx.core.AsyncResult<Void> result;
    boolean abandoned;

    Flight(List<Request> batch, int transfers, List<CompletableFuture<Integer>> waiters, Prefetched view) {
      this.batch = batch;
      this.transfers = transfers;
      this.waiters = waiters;
      this.view = view;
    }
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
  /** What the batches in flight changed (applied and sent, not yet committed). */
  private final Overlay uncommitted = Overlay.local();
  /** What committed batches changed that the tables do not show yet (shared with the ledger's reads). */
  private final Overlay unprojected;
  /** A committed batch, kept until the tables hold it. */
  record Committed(BatchOutcome outcome, long seq, boolean[] created, long committedNanos) {
  }

  /** One projection: what its batches wrote, through the transfer lane and then the state lane; its result in the lane it is in. */
  static final class Projection {
    final WriteSet writeSet;
    /** When its first batch was put in a statement. */
    final long sentNanos;
    io.vertx.core.AsyncResult<?> result;
    /** Its rows may be written already (it was in flight when a statement failed): sent as the lane's "again" form. */
    boolean again;

    Projection(WriteSet writeSet, long sentNanos) {
      this.writeSet = writeSet;
      this.sentNanos = sentNanos;
    }

    /**
     * {@code a} then {@code b} (which follows it) as one statement, built in {@code a} (both were taken off a
     * lane's queue and nothing else holds them): merging in place keeps a statement of many projections linear
     * to build.
     */
    static Projection merge(Projection a, Projection b) {
      a.writeSet.addAll(b.writeSet);
      a.again |= b.again;
      return a;
    }
  }

  /** Committed batches not yet in a projection statement, oldest first. */
  private final ArrayDeque<Committed> backlog = new ArrayDeque<>();
  /** Transfers in the backlog. */
  private int backlogTransfers;
  /** Set while a small backlog lingers for more. */
  private long lingerTimer = -1;
  /** The projection's lanes: transfer rows first, then the state of the same batches (see {@link Lane}). */
  private final Lane transferLane = new Lane("transfer", LedgerRows.PROJECT_TRANSFERS,
      LedgerRows.PROJECT_TRANSFERS_AGAIN, BatchParams::transfers, TRANSFER_LANE_CONNECTIONS,
      PROJECTIONS_IN_FLIGHT_MAX * TRANSFER_LANE_CONNECTIONS, PROJECTION_TRANSFERS_MAX);
  private final Lane stateLane = new Lane("state", LedgerRows.PROJECT_STATE, null, BatchParams::state, 1,
      STATE_PROJECTIONS_IN_FLIGHT_MAX, STATE_PROJECTION_TRANSFERS_MAX);
  /** Committed transfers the transfer lane has not written yet (the backlog and that lane's statements). */
  private int unwrittenTransfers;
  /** Written on the writer context only; read from any thread for metrics. */
  private volatile int unprojectedTransfers;
  /** The last batch in the tables (read from any thread). */
  private volatile long projectedSeq;
  /** The last batch committed (read from any thread). */
  private volatile long committedSeq;
  private final java.util.TreeMap<Long, List<CompletableFuture<Void>>> projectionWaiters = new java.util.TreeMap<>();
  private final Prefetcher prefetcher;
  /** Applied batches whose statements were sent (or that had nothing to write), oldest first. */
  private final ArrayDeque<Flight> flights = new ArrayDeque<>(BATCHES_IN_FLIGHT_MAX);
  private volatile int batchesInFlight;
  private LedgerEngine engine;
  private Future<PgConnection> connecting;
  /** The last batch number committed, and the last one sent. */
  private long batchSeq;
  private long sentSeq;
  /** Counts pipeline failures: a batch prepared across one was applied on state that never committed. */
  private long failureEpoch;
  private boolean writerRowStale = true;
  /** The last batch sent before a failure whose outcome could not be learned: those up to it may have committed. */
  private long unknownUpTo;
  /** This writer's identity in the writer row: its batch N is told apart from another writer's batch N. */
  private final UUID writerId = UUID.randomUUID();
  /**
   * Set once another writer is found to have written to the database while this one was cut off from it: this
   * writer's memory is stale, and it refuses every batch from then on (the process must start again).
   */
  private volatile String deposed;
  /**
   * Set while this writer, cut off from its lease, found another ledger holding it: what it holds in memory may be
   * stale (the other may be writing), so reads are refused until it holds the lease again. Read from any thread.
   */
  private volatile String leaseHeldElsewhere;
  private boolean preparing;
  private boolean resolving;
  private boolean sweepRequested;
  private long sweepTimer = -1;
  private Promise<Void> idleOnStop;

  LedgerWriter(Pool pool, PgConnectOptions connectOptions, LedgerOptions options, Clock clock,
               Cache<Long, Account> accounts, Cache<UUID, PendingState> pendings, Executor completions,
               LedgerCounters counters, Overlay unprojected) {
    this.pool = pool;
    this.connectOptions = connectOptions;
    this.options = options;
    this.clock = clock;
    this.accounts = accounts;
    this.pendings = pendings;
    this.completions = completions;
    this.counters = counters;
    this.unprojected = unprojected;
    this.prefetcher = new Prefetcher(pool, accounts, pendings, uncommitted, unprojected);
  }

  @Override
  public Future<?> start() {
    // the lease first: recovery and the first batch run only once no other ledger can write to this database
    return connection().compose(c -> recover()).compose(v -> loadWriterRow())
        .onSuccess(v -> sweepTimer = vertx.setPeriodic(options.expirySweepInterval().toMillis(),
            id -> requestSweep(null)))
        .onFailure(e -> {
          // a start that fails is never stopped: let go of the lease and the lanes' connections here
          transferLane.closeConnections();
          stateLane.closeConnections();
          if (connecting != null && connecting.succeeded()) connecting.result().close();
        });
  }

  /** Takes no more work, fails what is queued, lets the batch in flight finish (commit and answer), then closes. */
  @Override
  public Future<?> stop() {
    closed = true;
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
    failQueued(new LedgerException(Reason.CLOSED, "the ledger is closed", null));
    Promise<Void> idle = Promise.promise();
    idleOnStop = idle;
    project(); // what committed goes into the tables before the connections close
    idleCheck();
    return idle.future().compose(v -> {
      transferLane.closeConnections();
      stateLane.closeConnections();
      return connecting == null || !connecting.succeeded() ? Future.succeededFuture() : connecting.result().close();
    });
  }

  int queueDepth() {
    return queuedTransfers.get();
  }

  /** Batches sent and not yet answered (for tests and metrics; read from any thread). */
  int batchesInFlight() {
    return batchesInFlight;
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

  /**
   * Starts preparing the next batch when nothing is being prepared, no failure is being resolved and the
   * pipeline has room: the batch is applied on top of what the batches in flight changed, so it may be
   * written while they are still committing.
   */
  private void drain() {
    if (closed || preparing || resolving || flights.size() >= BATCHES_IN_FLIGHT_MAX) return;
    // a lane's completion drains again
    if (unwrittenTransfers >= UNWRITTEN_TRANSFERS_MAX || unprojectedTransfers >= UNPROJECTED_TRANSFERS_MAX) return;
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
    Flight f = new Flight(batch, size, waiters, new Prefetched(size));
    preparing = true;
    long epoch = failureEpoch;
    prepare(f, sweep).onComplete(ar -> {
      preparing = false;
      if (ar.failed()) {
        forget(f.view);
        finish(f, false, ar.cause(), Reason.STORE_FAILED);
      } else if (epoch != failureEpoch) {
        // applied on top of a batch that then failed: its answers would rest on state that never existed
        forget(f.view);
        finish(f, false, new LedgerException(Reason.STORE_FAILED, "a batch this one depended on failed", null),
            Reason.STORE_FAILED);
      } else {
        send(f);
      }
      drain();
      idleCheck();
    });
  }

  /** Prefetch and apply: the outcome is in {@code f.outcome} when the future succeeds. */
  private Future<Void> prepare(Flight f, boolean sweep) {
    if (deposed != null) return Future.failedFuture(new LedgerException(Reason.STOPPED, deposed, null));
    // after a failure the row is read again under the lease (a new connection takes it first)
    Future<Void> ready = writerRowStale ? connection().compose(c -> loadWriterRow()) : Future.succeededFuture();
    long prefetchStart = System.nanoTime();
    List<List<Transfer>> requests = new ArrayList<>(f.batch.size());
    for (Request r : f.batch) requests.add(r.transfers());
    return ready.compose(v -> sweep ? dueReservations() : Future.succeededFuture(List.<UUID>of()))
        .compose(due -> prefetcher.prefetch(f.view, requests, due).map(v -> {
          long applyStart = System.nanoTime();
          counters.prefetchMicrosTotal.add((applyStart - prefetchStart) / 1_000);
          BatchOutcome outcome = engine.applyAll(f.view, requests, due);
          outcome.verify();
          counters.applyMicrosTotal.add((System.nanoTime() - applyStart) / 1_000);
          f.outcome = outcome;
          f.sweepFull = sweep && due.size() >= SWEEP_MAX;
          return null;
        }));
  }

  /**
   * Puts the applied batch into the pipeline: its changes become the base of the next batch, and its
   * statement goes out at once on the writer's connection behind those in flight (the server runs them
   * in order, each fenced on its predecessor's batch number, so none commits unless all before it did).
   */
  private void send(Flight f) {
    flights.add(f);
    batchesInFlight = flights.size();
    if (f.outcome.isEmpty()) {
      f.result = Future.succeededFuture(); // nothing to write; answered in order after those before it
      settle();
      return;
    }
    uncommitted.add(f.outcome);
    f.seq = ++sentSeq;
    f.sentNanos = System.nanoTime();
    Flight flight = f;
    f.created = WriteSet.createdFlags(f.outcome, id -> flight.view.pendings.get(id) != null);
    write(f.outcome, f.seq, f.created).onComplete(ar -> {
      if (flight.abandoned) return; // decided already, when a batch before it failed
      flight.result = ar;
      settle();
    });
  }

  /** Answers the batches at the head of the pipeline whose statements came back, in order. */
  private void settle() {
    while (!resolving && !flights.isEmpty()) {
      Flight head = flights.peek();
      if (head.result == null) return;
      if (head.result.succeeded()) {
        flights.poll();
        batchesInFlight = flights.size();
        committed(head);
        continue;
      }
      failPipeline(head.result.cause());
      return;
    }
    drain();
    idleCheck();
  }

  /**
   * The head's statement failed. Every batch behind it was applied on top of it, so none may stand
   * alone: learn which batches committed (at most those before the failure point, by the fence), answer
   * those, fail all the others, and roll their in-memory effects back by dropping the uncommitted state
   * and the cache entries they read.
   */
  private void failPipeline(Throwable cause) {
    resolving = true;
    failureEpoch++;
    List<Flight> failing = new ArrayList<>(flights);
    flights.clear();
    batchesInFlight = 0;
    failing.forEach(f -> f.abandoned = true);
    uncommitted.clear();
    long firstSeq = failing.stream().filter(f -> f.seq > 0).mapToLong(f -> f.seq).min().orElse(batchSeq + 1);
    long lastSent = sentSeq;
    resolve(cause, firstSeq, lastSent).onComplete(ar -> {
      long committedSeq = ar.succeeded() ? ar.result() : -1;
      if (ar.failed()) unknownUpTo = Math.max(unknownUpTo, lastSent); // they may have committed: the row may show it
      boolean ok = ar.succeeded();
      for (Flight f : failing) {
        if (f.seq > 0) ok = ok && f.seq <= committedSeq;
        if (ok) {
          committed(f);
        } else {
          forget(f.view);
          Reason reason = ar.failed() ? Reason.OUTCOME_UNKNOWN : Reason.STORE_FAILED;
          Throwable why = ar.failed() ? ar.cause() : f.result != null && f.result.failed() ? f.result.cause() : cause;
          finish(f, false, new LedgerException(reason, "the batch was not committed", why), reason);
        }
      }
      writerRowStale = true; // re-read the batch number and timestamp before the next batch
      resolving = false;
      drain();
      idleCheck();
    });
  }

  private void committed(Flight f) {
    if (f.seq > 0) {
      batchSeq = f.seq;
      committedSeq = f.seq;
      unprojected.add(f.outcome); // before it leaves the in-flight state: readers never miss it
      uncommitted.remove(f.outcome);
      backlog.add(new Committed(f.outcome, f.seq, f.created, System.nanoTime()));
      backlogTransfers += f.outcome.inserted().size();
      unprojectedTransfers += f.outcome.inserted().size();
      unwrittenTransfers += f.outcome.inserted().size();
    }
    committed(f.batch, f.view, f.outcome, f.seq > 0 ? (System.nanoTime() - f.sentNanos) / 1_000 : 0);
    if (f.sweepFull) sweepRequested = true;
    finish(f, true, null, null);
    project();
  }

  /** The flight's answers went out (or its failure): release its queue room and its sweep waiters. */
  private void finish(Flight f, boolean ok, Throwable failure, Reason reason) {
    queuedTransfers.addAndGet(-f.transfers);
    if (ok) {
      int expired = f.outcome.expired();
      completions.execute(() -> f.waiters.forEach(w -> w.complete(expired)));
    } else {
      counters.batchesFailed.increment();
      fail(f.batch, failure, reason);
      completions.execute(() -> f.waiters.forEach(w -> w.completeExceptionally(failure)));
    }
  }

  private void idleCheck() {
    if (idleOnStop != null && !preparing && !resolving && flights.isEmpty()
        && ((transferLane.idle() && stateLane.idle() && backlog.isEmpty()) || projectionGaveUp)) {
      Promise<Void> idle = idleOnStop;
      idleOnStop = null;
      idle.complete();
    }
  }

  private Future<Void> loadWriterRow() {
    return pool.query(LedgerRows.SELECT_WRITER).execute().compose(rows -> {
      Row row = rows.iterator().next();
      long seq = row.getLong(0);
      long lastTs = row.getLong(1);
      if (engine == null || seq == batchSeq) return Future.succeededFuture(writerRow(seq, lastTs));
      // while this writer holds the lease only its own batches move the row: those answered OUTCOME_UNKNOWN may
      // have. Anything else means another writer wrote while this one was cut off, and what it holds in memory
      // is stale: it writes nothing more
      if (seq < batchSeq || seq > unknownUpTo || !writerId.equals(row.getUUID(2))) {
        return Future.failedFuture(new LedgerException(Reason.STOPPED, depose(seq), null));
      }
      return adoptCommitted(seq).map(v -> writerRow(seq, lastTs));
    });
  }

  private Void writerRow(long seq, long lastTs) {
    batchSeq = seq;
    sentSeq = batchSeq;
    engine = engine == null ? new LedgerEngine(clock, lastTs)
        : new LedgerEngine(clock, Math.max(lastTs, engine.lastTimestampMicros()));
    writerRowStale = false;
    leaseHeldElsewhere = null; // the row read under the lease again shows no other writer: memory is current
    return null;
  }

  /**
   * Batches this writer answered OUTCOME_UNKNOWN did commit: the row is at one of them, in this writer's name. Their
   * journal records are the truth, but nothing in memory or in the tables shows them (their effects were dropped
   * with the failure), so the next batch would read balances without them, and a transfer of theirs retried would
   * be applied again. Once the projection has written every batch before them, they are projected from the journal
   * as at a start, and the caches, filled from tables that did not show them, are emptied: a retry answers EXISTS.
   */
  private Future<Void> adoptCommitted(long seq) {
    long from = batchSeq;
    return Future.fromCompletionStage(awaitProjected(), context).compose(v -> recover()).map(v -> {
      accounts.invalidateAll();
      pendings.invalidateAll();
      LOG.log(System.Logger.Level.WARNING, "batches " + (from + 1) + ".." + seq + ", answered OUTCOME_UNKNOWN, had"
          + " committed: projected from the journal (their transfers answer EXISTS when retried)");
      return null;
    });
  }

  /**
   * Reservations due now: those the table shows open and due, and those made by batches the projection has
   * not written yet (the table does not show them). One the table shows open may be closed already in
   * memory; the engine reads its newest state and leaves it.
   */
  private Future<List<UUID>> dueReservations() {
    long now = engine.nowMicros();
    java.util.LinkedHashSet<UUID> due = new java.util.LinkedHashSet<>();
    for (PendingState p : unprojected.pendings.values()) {
      if (due.size() >= SWEEP_MAX) break;
      if (p.dueAt(now)) due.add(p.id());
    }
    return pool.preparedQuery(LedgerRows.SELECT_DUE).execute(Tuple.of(now, SWEEP_MAX)).map(rows -> {
      for (Row r : rows) {
        if (due.size() >= SWEEP_MAX) break;
        due.add(r.getUUID(0));
      }
      return new ArrayList<>(due);
    });
  }

  /**
   * The writer's one connection, shared by every statement in flight so the server runs them in order. It takes the
   * writer lease ({@link LedgerRows#TRY_LEASE}) before anything is sent on it and holds it while it lives: a second
   * ledger on the same database waits for it up to {@link LedgerOptions#leaseWait()} and then refuses, naming the
   * holder. A connection lost loses the lease; the next one takes it again.
   */
  private Future<PgConnection> connection() {
    if (connecting == null || connecting.failed()) {
      long deadline = System.nanoTime() + options.leaseWait().toNanos();
      connecting = PgConnection.connect(vertx, connectOptions)
          .compose(c -> lease(c, deadline).onFailure(e -> c.close()));
    }
    return connecting;
  }

  private Future<PgConnection> lease(PgConnection c, long deadlineNanos) {
    return c.query(LedgerRows.TRY_LEASE).execute().compose(taken -> {
      if (taken.iterator().next().getBoolean(0)) return Future.succeededFuture(c);
      if (!closed && System.nanoTime() + LEASE_RETRY_MS * 1_000_000 < deadlineNanos) {
        Promise<PgConnection> retried = Promise.promise();
        vertx.setTimer(LEASE_RETRY_MS, t -> lease(c, deadlineNanos).onComplete(retried));
        return retried.future();
      }
      return c.query(LedgerRows.LEASE_HOLDER).execute().compose(holders -> {
        String holder = "a backend that has gone since";
        for (Row h : holders) {
          holder = "backend " + h.getInteger(0) + " from " + h.getString(1) + " ('" + h.getString(2) + "', connected "
              + h.getString(3) + ")";
        }
        LedgerException refused = new LedgerException(Reason.STORE_FAILED, "another ledger writer holds this"
            + " database's writer lease: " + holder + "; one ledger writes to a database at a time", null);
        LOG.log(System.Logger.Level.WARNING, refused.getMessage());
        if (engine != null) leaseHeldElsewhere = refused.getMessage(); // a running writer, not a start
        return Future.failedFuture(refused);
      });
    });
  }

  private Future<Void> write(BatchOutcome outcome, long seq, boolean[] created) {
    Tuple commit = Tuple.of(seq, WriteSet.encode(outcome, seq, created), outcome.lastTimestampMicros(), writerId);
    return connection().compose(c -> c.preparedQuery(LedgerRows.COMMIT_BATCH).execute(commit)).mapEmpty();
  }

  // ---- projection -------------------------------------------------------------------------------------

  private boolean projectionGaveUp;
  private long projectionFailures;

  /** Completes once every batch committed before this call is in the tables (read-your-writes for queries). */
  CompletableFuture<Void> awaitProjected() {
    long target = committedSeq;
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (projectedSeq >= target) {
      done.complete(null);
      return done;
    }
    context.runOnContext(v -> {
      if (projectedSeq >= target) {
        completions.execute(() -> done.complete(null));
      } else if (closed && projectionGaveUp) {
        completions.execute(() -> done.completeExceptionally(new LedgerException(Reason.CLOSED,
            "the ledger closed before its projection caught up", null)));
      } else {
        projectionWaiters.computeIfAbsent(target, k -> new ArrayList<>()).add(done);
        project(); // a reader waits: no lingering
      }
    });
    return done;
  }

  long projectedSeq() {
    return projectedSeq;
  }

  long committedSeq() {
    return committedSeq;
  }

  /** Committed transfers the tables do not show yet (the projection's backlog). */
  int unprojectedTransfers() {
    return unprojectedTransfers;
  }

  /**
   * One lane of the projection: its own connections (so its own backends, and cores), its statements sent in
   * batch order and settled in that order. A projection goes through the transfer lane (the rows: append-only, the
   * costly part, on {@link #TRANSFER_LANE_CONNECTIONS} connections at once, statements dealt to them in turn) and
   * then the state lane (accounts, reservations, the fence of {@code ledger.projection}, the journal records
   * deleted: one connection, each statement fenced on the one before), so the state lane's statement for one
   * projection runs while the transfer lane writes the next ones' rows. A failure holds its lane until everything in
   * flight has its result; the state lane learns from its fence which statements committed and sends the others
   * again, the transfer lane sends everything from the failed statement on again in a form that leaves rows already
   * written as they are. The other lane goes on with what it has.
   */
  private final class Lane {
    final String name;
    final String sql;
    /**
     * The statement for rows that may be written already, or null for a lane with a fence (the state lane: its
     * failures learn from {@code ledger.projection} row 1 which statements committed).
     */
    final String sqlAgain;
    final java.util.function.Function<WriteSet, Tuple> params;
    /** Statements in flight at most, and transfers one statement covers at most (unless one batch is more). */
    final int inFlightMax;
    final int transfersMax;
    /** Ready to send, oldest first (failed statements go back in front). */
    final ArrayDeque<Projection> ready = new ArrayDeque<>();
    /** Sent and not yet settled, oldest first. */
    final ArrayDeque<Projection> sent = new ArrayDeque<>();
    /** Failed: waiting for the others in flight, learning what committed, or pausing to retry. */
    boolean held;
    long failures;
    /** One per connection; statements are dealt to them in turn. */
    final List<Future<PgConnection>> connecting = new ArrayList<>();
    long statements;

    Lane(String name, String sql, String sqlAgain, java.util.function.Function<WriteSet, Tuple> params,
         int connections, int inFlightMax, int transfersMax) {
      this.name = name;
      this.sql = sql;
      this.sqlAgain = sqlAgain;
      this.params = params;
      for (int i = 0; i < connections; i++) connecting.add(null);
      this.inFlightMax = inFlightMax;
      this.transfersMax = transfersMax;
    }

    boolean idle() {
      return ready.isEmpty() && sent.isEmpty();
    }

    boolean hasRoom() {
      return !held && !projectionGaveUp && sent.size() < inFlightMax;
    }

    /** The next connection in turn. */
    Future<PgConnection> connection() {
      int i = (int) (statements++ % connecting.size());
      Future<PgConnection> c = connecting.get(i);
      if (c == null || c.failed()) {
        Future<PgConnection> made = PgConnection.connect(vertx, new PgConnectOptions(connectOptions)
            .addProperty("application_name", PgLedger.PROJECTION_APPLICATION_NAME));
        // a connection the server or the network closed is made again at its next use, whoever uses it next (a
        // start's or an adoption's recovery as well as the lane itself)
        made.onSuccess(conn -> conn.closeHandler(v -> connecting.replaceAll(f -> f == made ? null : f)));
        connecting.set(i, made);
        c = made;
      }
      return c;
    }

    Future<?> execute(WriteSet w, boolean again) {
      String statement = again && sqlAgain != null ? sqlAgain : sql;
      Tuple t = params.apply(w);
      return connection().compose(c -> c.preparedQuery(statement).execute(t));
    }

    /** Closes the lane's connections (after a failure that may have broken one); they open again when needed. */
    void closeConnections() {
      for (int i = 0; i < connecting.size(); i++) {
        Future<PgConnection> c = connecting.set(i, null);
        if (c != null && c.succeeded()) c.result().close();
      }
    }

    /**
     * Sends what is ready while there is room; projections ready at once go as one statement (up to
     * {@link #transfersMax} transfers): fewer, larger statements update an account changed by
     * several of them once. Measured: the state lane's statements grew from about 2,100 to 3,400 transfers.
     */
    void pump() {
      while (hasRoom() && !ready.isEmpty()) {
        Projection p = ready.poll();
        while (!ready.isEmpty() && p.writeSet.size() + ready.peek().writeSet.size() <= transfersMax) {
          p = Projection.merge(p, ready.poll());
        }
        send(p);
      }
    }

    void send(Projection p) {
      p.result = null;
      sent.add(p);
      execute(p.writeSet, p.again).onComplete(ar -> {
        p.result = ar;
        settle();
      });
    }

    /** Settles the statements at the head whose results came back, in order; a failure holds the lane. */
    void settle() {
      while (!sent.isEmpty() && sent.peek().result != null && !held) {
        Projection head = sent.peek();
        if (head.result.succeeded()) {
          sent.poll();
          if (failures > 0) {
            LOG.log(System.Logger.Level.INFO, "ledger projection (" + name + " lane) caught up after " + failures
                + " failures");
            failures = 0;
          }
          done(this, head);
          continue;
        }
        Throwable cause = head.result.cause();
        counters.projectionsFailed.increment();
        if (failures++ == 0 || failures % 100 == 0) {
          // what the database said, never the rows: they stay in the journal and are retried
          LOG.log(System.Logger.Level.WARNING, "ledger projection (" + name + " lane) of batches "
              + head.writeSet.firstSeq + ".." + head.writeSet.lastSeq + " failed (" + failures + " in a row),"
              + " retrying; answered transfers are safe in the journal: " + cause.getMessage());
        }
        if (!(cause instanceof PgException pg && "ERROR".equals(pg.getSeverity()))) closeConnections();
        held = true;
        awaitResults(cause, 1);
        return;
      }
      project();
      drain();
      idleCheck();
    }

    /**
     * After a failure: once every statement in flight has its result, learn which committed. The state lane reads its
     * fence. The transfer lane has none: everything from the failed statement on goes again, in order, in the form
     * that leaves a row already written as it is (a statement whose answer was lost may have committed, or may still,
     * and one on another connection may have committed after the failed one).
     */
    void awaitResults(Throwable cause, int attempt) {
      if (sent.stream().anyMatch(p -> p.result == null)) {
        vertx.setTimer(10, t -> awaitResults(cause, attempt));
        return;
      }
      if (sqlAgain != null) {
        List<Projection> failed = new ArrayList<>(sent);
        sent.clear();
        failed.forEach(p -> p.again = true);
        retry(failed, cause, attempt);
        return;
      }
      pool.query(LedgerRows.SELECT_PROJECTION).execute().onComplete(ar -> {
        if (ar.failed()) {
          if (closed && attempt >= 3) {
            giveUpProjection(cause);
          } else {
            vertx.setTimer(PROJECTION_RETRY_MS, t -> awaitResults(cause, attempt + 1));
          }
          return;
        }
        long seq = ar.result().iterator().next().getLong(0);
        List<Projection> failed = new ArrayList<>();
        for (Projection p = sent.poll(); p != null; p = sent.poll()) {
          if (p.writeSet.lastSeq <= seq) {
            done(this, p); // committed after all (its answer was lost)
          } else {
            Checks.invariant(p.writeSet.firstSeq - 1 >= seq, "projections commit whole (" + name + " " + seq + ")");
            failed.add(p);
          }
        }
        retry(failed, cause, attempt);
      });
    }

    /** Puts {@code failed} back in front of what is ready, in order, and sends again after a pause. */
    private void retry(List<Projection> failed, Throwable cause, int attempt) {
      for (int i = failed.size() - 1; i >= 0; i--) ready.addFirst(failed.get(i)); // in front, in order
      if (closed) {
        giveUpProjection(cause);
        return;
      }
      vertx.setTimer(PROJECTION_RETRY_MS * Math.min(attempt, 10), t -> {
        held = false;
        project();
      });
    }
  }

  /**
   * A lane committed {@code p}. From the transfer lane it goes on to the state lane: its transfers are in the table
   * now, so they leave the overlay, and the projection lets go of them, keeping one entry per
   * account and reservation; it merges at once into the projection waiting last for the state lane if that has
   * room, so what waits there stays compact. From the state lane it is done.
   */
  private void done(Lane lane, Projection p) {
    if (lane == transferLane) {
      unprojected.removeTransfers(p.writeSet);
      unwrittenTransfers -= p.writeSet.size();
      p.writeSet.dropTransfers();
      Projection last = stateLane.ready.peekLast();
      if (last != null && last.writeSet.size() + p.writeSet.size() <= stateLane.transfersMax) {
        Projection.merge(last, p);
      } else {
        stateLane.ready.add(p);
      }
      stateLane.pump();
    } else {
      counters.projectionMicrosTotal.add((System.nanoTime() - p.sentNanos) / 1_000);
      projected(p);
    }
  }

  /**
   * Sends the backlog to the transfer lane in statements of at most {@link #PROJECTION_TRANSFERS_MAX}
   * transfers (at least one batch each) while it has room, and whatever is ready to the state lane. A
   * statement is made only when its lane has room, so the backlog gathers into larger statements while
   * the lanes are busy, and a small backlog lingers (see {@link #PROJECTION_EAGER_TRANSFERS}).
   */
  private void project() {
    stateLane.pump();
    transferLane.pump();
    while (transferLane.hasRoom() && transferLane.ready.isEmpty() && !backlog.isEmpty()) {
      long waitedNanos = System.nanoTime() - backlog.peek().committedNanos();
      if (backlogTransfers < PROJECTION_EAGER_TRANSFERS && !closed && projectionWaiters.isEmpty()
          && waitedNanos < PROJECTION_LINGER_MS * 1_000_000) {
        if (lingerTimer < 0) {
          lingerTimer = vertx.setTimer(Math.max(1, PROJECTION_LINGER_MS - waitedNanos / 1_000_000), t -> {
            lingerTimer = -1;
            project();
          });
        }
        return;
      }
      WriteSet w = new WriteSet();
      boolean first = true;
      while (!backlog.isEmpty()
          && (first || w.size() + backlog.peek().outcome().inserted().size() <= PROJECTION_TRANSFERS_MAX)) {
        Committed c = backlog.poll();
        backlogTransfers -= c.outcome().inserted().size();
        first = false;
        w.add(c.outcome(), c.seq(), c.created());
      }
      transferLane.send(new Projection(w, System.nanoTime()));
    }
  }

  /** Closing while the projection fails: the journal keeps the batches; the next start projects them. */
  private void giveUpProjection(Throwable cause) {
    projectionGaveUp = true;
    for (Lane lane : List.of(transferLane, stateLane)) {
      lane.sent.clear();
      lane.ready.clear();
      lane.closeConnections();
    }
    failProjectionWaiters(cause);
    idleCheck();
  }

  private void projected(Projection p) {
    WriteSet w = p.writeSet;
    projectedSeq = w.lastSeq;
    // cached as they leave the overlay (see Overlay#remove): the caches hold what the tables now hold
    unprojected.remove(w, accounts::put, pendings::put);
    unprojectedTransfers -= w.size();
    counters.projections.increment();
    counters.projectedTransfers.add(w.size());
    var ready = projectionWaiters.headMap(w.lastSeq, true);
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    ready.values().forEach(waiters::addAll);
    ready.clear();
    if (!waiters.isEmpty()) completions.execute(() -> waiters.forEach(d -> d.complete(null)));
  }

  private void failProjectionWaiters(Throwable cause) {
    List<CompletableFuture<Void>> waiters = new ArrayList<>();
    projectionWaiters.values().forEach(waiters::addAll);
    projectionWaiters.clear();
    LedgerException failure = new LedgerException(Reason.CLOSED, "the ledger closed before its projection caught up",
        cause);
    if (!waiters.isEmpty()) completions.execute(() -> waiters.forEach(d -> d.completeExceptionally(failure)));
  }

  /**
   * At start, before any batch: projects what the journal still holds (batches committed before a crash or
   * a stop that could not project them), so the tables are current when work starts: the journal holds every batch
   * above the state's fence, and their transfer rows are written again where they are missing (the transfer lane
   * keeps no fence; a row already there stays), then their state.
   *
   * <p>The lease keeps other writers out, but not the projection statements of a process that was just killed: the
   * server finishes a statement it is running before it notices its client is gone. One of those may move the fence
   * while this runs: the fence, the writer row and the journal are read in one snapshot (never a fence from before
   * it and a journal from after), and a state statement fenced on a fence that moved meanwhile fails and is made
   * again from a new snapshot, up to {@link #RECOVERY_ATTEMPTS_MAX} times.
   */
  private Future<Void> recover() {
    return recover(1);
  }

  private Future<Void> recover(int attempt) {
    return readUnprojected().compose(u -> {
      if (u.state == u.to) {
        projectedSeq = u.to;
        committedSeq = u.to;
        return Future.<Void>succeededFuture();
      }
      // some of the rows may be written (the transfer lane has no fence): those stay as they are
      Future<?> projected = transferLane.execute(u.writeSet, true)
          .compose(v -> stateLane.execute(u.writeSet, false));
      return projected.<Void>map(v -> {
        counters.projections.increment();
        counters.recoveredBatches.add(u.to - u.state);
        projectedSeq = u.to;
        committedSeq = u.to;
        return null;
      });
    }).recover(e -> {
      if (attempt >= RECOVERY_ATTEMPTS_MAX || closed) return Future.failedFuture(e);
      LOG.log(System.Logger.Level.WARNING, "ledger recovery (attempt " + attempt + ") failed, again in "
          + RECOVERY_RETRY_MS + " ms: " + e.getMessage());
      Promise<Void> again = Promise.promise();
      vertx.setTimer(RECOVERY_RETRY_MS, t -> recover(attempt + 1).onComplete(again));
      return again.future();
    });
  }

  /** The projection's fence, the writer row's batch, and the journal records between them. */
  private record Unprojected(long state, long to, WriteSet writeSet) {
  }

  /** Reads {@link Unprojected} in one REPEATABLE READ snapshot. */
  private Future<Unprojected> readUnprojected() {
    return pool.withConnection(c -> c.begin().compose(tx -> c.query(
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").execute()
        .compose(v -> c.query(LedgerRows.SELECT_PROJECTION).execute())
        .compose(p -> c.query(LedgerRows.SELECT_WRITER).execute().compose(w -> {
          long state = p.iterator().next().getLong(0);
          long to = w.iterator().next().getLong(0);
          Checks.invariant(state <= to, "projection <= journal (" + state + ", " + to + ")");
          if (state == to) return Future.succeededFuture(new Unprojected(state, to, null));
          return c.preparedQuery(LedgerRows.SELECT_JOURNAL).execute(Tuple.of(state, to)).map(rows -> {
            WriteSet unprojectedSet = new WriteSet();
            long expected = state + 1;
            for (Row r : rows) {
              Checks.invariant(r.getLong(0) == expected, "journal records are consecutive", expected);
              WriteSet one = WriteSet.decode(r.getBuffer(1));
              Checks.invariant(one.firstSeq == expected && one.lastSeq == expected, "journal record number", expected);
              unprojectedSet.addAll(one);
              expected++;
            }
            Checks.invariant(expected == to + 1, "the journal holds every unprojected batch", to);
            return new Unprojected(state, to, unprojectedSet);
          });
        }))
        .eventually(() -> tx.rollback())));
  }

  /**
   * A write failed: answers the number of the last batch that committed, between {@code firstSeq - 1}
   * (the failed one did not) and {@code lastSeq} (everything sent did). An ERROR answered by the server
   * means that statement rolled back, and the fence stops every statement queued behind it. Anything
   * else (the connection broke, a FATAL) may have come after the server took statements, which may then
   * still commit: end the writer's backend so nothing of ours can still run, then read the writer row.
   */
  private Future<Long> resolve(Throwable writeFailure, long firstSeq, long lastSeq) {
    writerRowStale = true;
    if (writeFailure instanceof PgException pg && "ERROR".equals(pg.getSeverity())) {
      // the server answered the statement with an error: an implicit transaction that errs is rolled back
      return Future.succeededFuture(firstSeq - 1);
    }
    Future<PgConnection> current = connecting;
    connecting = null;
    if (current == null || !current.succeeded()) return Future.succeededFuture(firstSeq - 1); // nothing was sent
    PgConnection broken = current.result();
    int pid = broken.processId();
    broken.close();
    Promise<Long> answer = Promise.promise();
    probe(pid, firstSeq, lastSeq, 1, answer);
    return answer.future();
  }

  /** False once another writer was found to have written to the database (see {@link #deposed}). */
  boolean writing() {
    return deposed == null;
  }

  /** Why this writer stopped writing for good, or null while it writes (read from any thread). */
  String stoppedReason() {
    return deposed;
  }

  /** Set while another ledger holds this database's writer lease that this running writer lost (any thread). */
  String leaseHeldElsewhere() {
    return leaseHeldElsewhere;
  }

  /** Another writer moved the writer row to {@code seq}: this writer stops writing for good. */
  private String depose(long seq) {
    if (deposed == null) {
      deposed = "one writer per ledger: another writer wrote to this ledger's database while this one was cut off"
          + " from it (its writer row is at batch " + seq + ", this writer's last was " + batchSeq + "); this ledger's"
          + " memory is stale and it writes nothing more: start it again";
      LOG.log(System.Logger.Level.ERROR, deposed);
    }
    return deposed;
  }

  private void probe(int pid, long firstSeq, long lastSeq, int attempt, Promise<Long> answer) {
    pool.preparedQuery("SELECT pg_terminate_backend($1)"
            + " FROM pg_stat_activity WHERE pid = $1 AND datname = current_database()")
        .execute(Tuple.of(pid))
        .compose(v -> pool.preparedQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = $1").execute(Tuple.of(pid)))
        .compose(rows -> {
          if (rows.iterator().next().getLong(0) > 0) return Future.failedFuture("the old writer backend is still there");
          return pool.query(LedgerRows.SELECT_WRITER).execute();
        })
        .onSuccess(rows -> {
          Row row = rows.iterator().next();
          long seq = row.getLong(0);
          // the row at one of this writer's batches in flight, written by this writer: those up to it committed
          // (they ran in order on one connection holding the lease, so nothing else was written between them)
          if (seq == firstSeq - 1 || (seq >= firstSeq && seq <= lastSeq && writerId.equals(row.getUUID(2)))) {
            answer.complete(seq);
          } else {
            answer.fail(new IllegalStateException(depose(seq)));
          }
        })
        .onFailure(e -> {
          if (attempt >= PROBE_ATTEMPTS_MAX) {
            answer.fail(e);
          } else {
            vertx.setTimer(PROBE_DELAY_MS, t -> probe(pid, firstSeq, lastSeq, attempt + 1, answer));
          }
        });
  }

  private void committed(List<Request> batch, Prefetched view, BatchOutcome outcome, long commitMicros) {
    // What the batch read from the database is what the tables hold (this writer is the only one changing
    // them, and a key the projection has not written yet is read from memory, not from them). What the batch
    // changed is in the unprojected overlay, which every reader consults before the caches, and is cached when
    // the projection has written it (see projected): the caches hold the tables' state, an account changed by
    // several batches in the meantime is put once, and a reservation made and closed in the meantime once.
    for (Account a : view.loadedAccounts) accounts.put(a.id(), a);
    for (PendingState p : view.loadedPendings) pendings.put(p.id(), p);
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
