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
  private final Ids ids;
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

  OpenLoad(Ledger ledger, Ids ids, long[] customers, long recordFromNanos, long recordUntilNanos, int inFlightMax) {
    this.ledger = ledger;
    this.ids = ids;
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
    t = Mix.next(ids, random, customers, hold == null ? null : hold.id(), hold == null ? 0 : hold.amount());
    Hold reserved = Mix.reserves(t) ? new Hold(t.id(), t.amount()) : null;
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
}
