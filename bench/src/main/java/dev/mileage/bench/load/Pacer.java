package dev.mileage.bench.load;

import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Runs an {@link OpenLoopSchedule}: waits for each operation's intended start and hands it to the operation,
 * never skipping one because earlier ones are slow. An optional concurrency cap (a semaphore the operation
 * releases when it completes) may delay a start; the delay is then counted in that operation's latency
 * because latency is measured from the intended start. Stops at the schedule's end or at {@code stopAtNanos}.
 */
public final class Pacer {
  /** The longest single park, so a stop request is seen promptly. */
  static final long PARK_NANOS_MAX = 1_000_000L;

  /** Starts one operation; must not block (hand the work to another thread or an async stack). */
  @FunctionalInterface
  public interface Operation {
    void start(long index, long intendedStartNanos);
  }

  /** Waits; injected so tests advance a fake clock instead of sleeping. */
  @FunctionalInterface
  public interface Parker {
    void parkNanos(long nanos);
  }

  /** What the pacer did: starts, starts it could not make before the stop, and how late it ran. */
  public record Outcome(long started, long notStarted, long startLagNanosMax, long capWaits) {}

  private final LongSupplier nanoTime;
  private final Parker parker;

  public Pacer(LongSupplier nanoTime, Parker parker) {
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.parker = Objects.requireNonNull(parker, "parker");
  }

  public static Pacer system() {
    return new Pacer(System::nanoTime, LockSupport::parkNanos);
  }

  /**
   * @param startNanos       the schedule's time zero on {@code nanoTime}
   * @param stopAtNanos      hard stop on {@code nanoTime}: nothing starts at or after it
   * @param concurrencyCap   null for none; else a permit is taken before each start
   */
  public Outcome run(OpenLoopSchedule schedule, long startNanos, long stopAtNanos, Semaphore concurrencyCap,
                     Operation operation) {
    long total = schedule.count();
    long started = 0;
    long lagMax = 0;
    long capWaits = 0;
    for (long i = 0; i < total; i++) {
      long intended = startNanos + schedule.intendedOffsetNanos(i);
      if (intended >= stopAtNanos) break;
      long now;
      while ((now = nanoTime.getAsLong()) < intended) parker.parkNanos(Math.min(intended - now, PARK_NANOS_MAX));
      if (concurrencyCap != null && !concurrencyCap.tryAcquire()) {
        capWaits++;
        if (!acquireBefore(concurrencyCap, stopAtNanos)) break;
        now = nanoTime.getAsLong();
      }
      if (now >= stopAtNanos) {
        if (concurrencyCap != null) concurrencyCap.release();
        break;
      }
      lagMax = Math.max(lagMax, now - intended);
      operation.start(i, intended);
      started++;
    }
    return new Outcome(started, total - started, lagMax, capWaits);
  }

  private boolean acquireBefore(Semaphore cap, long stopAtNanos) {
    while (true) {
      long left = stopAtNanos - nanoTime.getAsLong();
      if (left <= 0) return false;
      try {
        if (cap.tryAcquire(Math.min(left, PARK_NANOS_MAX), TimeUnit.NANOSECONDS)) return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
