package dev.mileage.bench.ledger;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop clients against the durable ledger: each client has one request in flight and sends the
 * next when the previous is answered (durably committed). 80% of a client's requests belong to
 * reserve-then-post/void cycles, 20% are single transfers. Latency is measured from submit to answer;
 * in a closed loop there is no schedule to fall behind, so no coordinated-omission correction applies.
 */
final class DurableLoad {
  static final long LATENCY_MICROS_MAX = 60_000_000L;

  private final Ledger ledger;
  private final Ids ids;
  private final long[] customers;
  private final long deadlineNanos;
  private final long recordFromNanos;
  private final long transfersMax;
  private final Histogram latencyMicros = new Histogram(LATENCY_MICROS_MAX, 3);
  private final AtomicLong submitted = new AtomicLong();
  final LongAdder applied = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder measuredApplied = new LongAdder();
  private final AtomicInteger running = new AtomicInteger();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  DurableLoad(Ledger ledger, Ids ids, long[] customers, long recordFromNanos, long deadlineNanos, long transfersMax) {
    this.ledger = ledger;
    this.ids = ids;
    this.customers = customers;
    this.recordFromNanos = recordFromNanos;
    this.deadlineNanos = deadlineNanos;
    this.transfersMax = transfersMax;
  }

  CompletableFuture<Void> start(int clients) {
    running.set(clients);
    for (int c = 0; c < clients; c++) new Client(c).next();
    return done;
  }

  synchronized Histogram latency() {
    return latencyMicros.copy();
  }

  private synchronized void record(long startNanos, long endNanos) {
    if (startNanos >= recordFromNanos) latencyMicros.recordValue(Math.min(LATENCY_MICROS_MAX, (endNanos - startNanos) / 1000));
  }

  private final class Client {
    /** The client's own generator, ids included: UUID.randomUUID() would serialize clients on SecureRandom. */
    private final SplittableRandom random;
    private UUID hold;
    private long holdAmount;

    Client(int id) {
      this.random = new SplittableRandom(id * 7919L + 1);
    }

    void next() {
      long now = System.nanoTime();
      if (now >= deadlineNanos || submitted.incrementAndGet() > transfersMax) {
        if (running.decrementAndGet() == 0) done.complete(null);
        return;
      }
      Transfer t = Mix.next(ids, random, customers, hold, hold == null ? 0 : holdAmount);
      hold = null;
      if (Mix.reserves(t)) {
        hold = t.id();
        holdAmount = t.amount();
      }
      long start = System.nanoTime();
      ledger.submit(List.of(t)).whenComplete((results, failure) -> {
        long end = System.nanoTime();
        if (failure != null) {
          failed.increment();
          hold = null;
          // back off a little (the queue may be full) and never recurse on an already failed stage
          CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.MILLISECONDS).execute(this::next);
          return;
        } else {
          TransferResult r = results.get(0);
          if (r == TransferResult.OK) {
            applied.increment();
            if (start >= recordFromNanos) measuredApplied.increment();
          } else {
            refused.increment();
            hold = null;
          }
          record(start, end);
        }
        next();
      });
    }
  }
}
