package dev.mileage.bench.calls;

import dev.mileage.bench.load.OpenLoopSchedule;
import dev.mileage.bench.load.Pacer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;

/** Drives calls through a {@link UacEngine} on an open-loop schedule and waits, bounded, for them to end. */
final class CallLoad {
  /** How often the drain loop looks whether every call has ended. */
  static final long DRAIN_POLL_NANOS = 20_000_000L;

  /**
   * @param concurrencyMax calls in flight at most; a start past it waits (and the wait counts as setup latency)
   * @param drainTimeout   after the last start, how long calls may take to end before they count as unfinished
   */
  record Plan(double ratePerSecond, long callsMax, Duration duration, int concurrencyMax, Duration drainTimeout,
              String number, List<Subscriber> subscribers) {
    Plan {
      Objects.requireNonNull(duration, "duration");
      Objects.requireNonNull(drainTimeout, "drainTimeout");
      Objects.requireNonNull(number, "number");
      subscribers = List.copyOf(subscribers);
      if (subscribers.isEmpty()) throw new IllegalArgumentException("at least one subscriber");
      if (concurrencyMax <= 0 || concurrencyMax > UacEngine.CALLS_TRACKED_MAX) {
        throw new IllegalArgumentException("concurrencyMax must be in [1, " + UacEngine.CALLS_TRACKED_MAX + "]");
      }
      if (drainTimeout.isNegative() || drainTimeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("drainTimeout must be in [0, 1 h]");
      }
      new OpenLoopSchedule(ratePerSecond, callsMax, duration); // validates the schedule bounds
    }

    OpenLoopSchedule schedule() {
      return new OpenLoopSchedule(ratePerSecond, callsMax, duration);
    }
  }

  /** What happened: the pacer's outcome, how long starting took, and the calls left at the drain deadline. */
  record Result(Pacer.Outcome pacing, long startWindowNanos, long totalNanos, int unfinished) {}

  private CallLoad() {}

  static Result run(UacEngine engine, Plan plan) {
    Semaphore cap = new Semaphore(plan.concurrencyMax());
    OpenLoopSchedule schedule = plan.schedule();
    List<Subscriber> subscribers = plan.subscribers();
    long zero = System.nanoTime() + 10_000_000L; // a little head room so the first call is not already late
    // the schedule's own length plus the drain timeout: the pacer never runs past it even if the cap never frees
    long stopAt = zero + plan.duration().toNanos() + plan.drainTimeout().toNanos();
    Pacer.Outcome pacing = Pacer.system().run(schedule, zero, stopAt, cap, (index, intended) ->
        engine.placeCall(intended, subscribers.get((int) (index % subscribers.size())), plan.number(), cap::release));
    long startWindow = System.nanoTime() - zero;
    long drainDeadline = System.nanoTime() + plan.drainTimeout().toNanos();
    while (engine.callsInFlight() > 0 && System.nanoTime() < drainDeadline) LockSupport.parkNanos(DRAIN_POLL_NANOS);
    int unfinished = engine.abandonAll("unfinished").size();
    return new Result(pacing, startWindow, System.nanoTime() - zero, unfinished);
  }
}
