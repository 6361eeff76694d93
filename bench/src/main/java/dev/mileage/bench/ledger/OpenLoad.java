package dev.mileage.bench.ledger;

import dev.mileage.bench.load.LatencyRecorder;
import dev.mileage.bench.load.OpenLoopSchedule;
import dev.mileage.bench.load.Pacer;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;

import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Open-loop load against the durable ledger: transfer {@code i} is sent at {@code i / rate} seconds whatever
 * happened to the earlier ones, so a slow commit cannot slow the offered load down (it shows as latency
 * instead). Latency is measured from the intended send time (corrected for coordinated omission) to the
 * durable answer. The mix is the closed loop's: a slot closes (posts 75%, voids 25%) the oldest
 * reservation already answered when there is one, else starts a cycle: a reservation (80%) or a single
 * transfer (20%). Bounded by the schedule (count and time) and by {@code inFlightMax} transfers unanswered.
 */
final class OpenLoad {
  private final Ledger ledger;
  private final long[] customers;
  private final long recordFromNanos;
  private final long recordUntilNanos;
  private final SplittableRandom random = new SplittableRandom(7919);
  /** Reservations answered OK and not yet closed, oldest first (fed by completions, taken by the pacer thread). */
  private final ConcurrentLinkedQueue<Hold> ready = new ConcurrentLinkedQueue<>();
  private final LatencyRecorder latency = new LatencyRecorder();
  private final Semaphore inFlight;
  final LongAdder applied = new LongAdder();
  /** OK answers that arrived inside the measured window: the throughput at the offered rate. */
  final LongAdder appliedInWindow = new LongAdder();
  final LongAdder refused = new LongAdder();
  final LongAdder failed = new LongAdder();
  private final AtomicLong outstanding = new AtomicLong();

  private record Hold(UUID id, long amount) {
  }

  OpenLoad(Ledger ledger, long[] customers, long recordFromNanos, long recordUntilNanos, int inFlightMax) {
    this.ledger = ledger;
    this.customers = customers;
    this.recordFromNanos = recordFromNanos;
    this.recordUntilNanos = recordUntilNanos;
    this.inFlight = new Semaphore(inFlightMax);
  }

  /** Runs the schedule on this thread (the pacer) from {@code startNanos}; returns when the last send is made. */
  Pacer.Outcome run(OpenLoopSchedule schedule, long startNanos, long stopAtNanos) {
    return Pacer.system().run(schedule, startNanos, stopAtNanos, inFlight, this::send);
  }

  /** Transfers sent and not yet answered. */
  long outstanding() {
    return outstanding.get();
  }

  LatencyRecorder latency() {
    return latency;
  }

  private void send(long index, long intendedNanos) {
    Transfer t;
    Hold hold = ready.poll();
    Hold reserved = null;
    if (hold != null) {
      t = random.nextInt(4) == 0 ? Transfer.voidPending(id(), hold.id(), 100, "void")
          : Transfer.post(id(), hold.id(), 1 + random.nextLong(hold.amount()), 100, "post");
    } else {
      int i = random.nextInt(customers.length);
      long a = customers[i];
      long b = customers[(i + 1 + random.nextInt(customers.length - 1)) % customers.length];
      long amount = 1 + random.nextInt(100);
      if (random.nextInt(10) < 2) {
        t = Transfer.single(id(), a, b, amount, 0, "single");
      } else {
        t = Transfer.reserve(id(), a, b, amount, 60, 100, "reserve");
        reserved = new Hold(t.id(), amount);
      }
    }
    Hold newHold = reserved;
    long actualNanos = System.nanoTime();
    outstanding.incrementAndGet();
    ledger.submit(List.of(t)).whenComplete((results, failure) -> {
      long end = System.nanoTime();
      inFlight.release();
      outstanding.decrementAndGet();
      if (failure != null) {
        failed.increment();
      } else if (results.get(0) == TransferResult.OK) {
        applied.increment();
        if (end >= recordFromNanos && end < recordUntilNanos) appliedInWindow.increment();
        if (newHold != null) ready.add(newHold);
      } else {
        refused.increment();
      }
      if (intendedNanos >= recordFromNanos && intendedNanos < recordUntilNanos) latency.record(intendedNanos, actualNanos, end);
    });
  }

  /** Random ids from the pacer's own generator (only the pacer thread sends). */
  private UUID id() {
    return new UUID(random.nextLong(), random.nextLong());
  }
}
