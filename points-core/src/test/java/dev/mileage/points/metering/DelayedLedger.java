package dev.mileage.points.metering;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.ForwardingLedger;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The real ledger behind a slow link: transfers reach it at once (or, when {@code holdRequests}, only
 * when released) but their answers come back {@code delay} later on the test's clock. Nothing is
 * simulated: every answer is the real ledger's. Reads pass straight through.
 */
final class DelayedLedger extends ForwardingLedger {
  private record Held(Instant due, Runnable release) {
  }

  private final Clock clock;
  private final List<Held> held = new ArrayList<>();
  volatile Duration delay;
  volatile boolean holdRequests;
  /** Nothing is ever released: the process "dies" with these in flight. */
  volatile boolean stalled;

  DelayedLedger(Ledger real, Clock clock, Duration delay) {
    super(real);
    this.clock = clock;
    this.delay = delay;
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    CompletableFuture<List<TransferResult>> answer = new CompletableFuture<>();
    Instant due = clock.instant().plus(delay);
    if (holdRequests) {
      hold(due, () -> real.submit(transfers).whenComplete((r, e) -> complete(answer, r, e)));
    } else {
      real.submit(transfers).whenComplete((r, e) -> hold(due, () -> complete(answer, r, e)));
    }
    return answer;
  }

  private static <T> void complete(CompletableFuture<T> f, T value, Throwable error) {
    if (error != null) f.completeExceptionally(error);
    else f.complete(value);
  }

  private synchronized void hold(Instant due, Runnable release) {
    held.add(new Held(due, release));
  }

  /** Answers everything due by the clock; how many are still held. */
  int releaseDue() {
    List<Runnable> now = new ArrayList<>();
    synchronized (this) {
      if (stalled) return held.size();
      held.removeIf(h -> {
        if (h.due().isAfter(clock.instant())) return false;
        now.add(h.release());
        return true;
      });
    }
    now.forEach(Runnable::run);
    return held();
  }

  synchronized int held() {
    return held.size();
  }

  /**
   * How many held entries {@link #releaseDue()} would not release now: all of them when stalled, else
   * those not yet due. An answer that arrived just after a release is due, so it is not counted here.
   */
  synchronized int heldNotDue() {
    if (stalled) return held.size();
    Instant now = clock.instant();
    return (int) held.stream().filter(h -> h.due().isAfter(now)).count();
  }
}
