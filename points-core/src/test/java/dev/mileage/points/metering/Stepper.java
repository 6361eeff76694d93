package dev.mileage.points.metering;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.fail;

/** Drives a meter whose ledger answers late: second by second, waiting for all that is not held. */
final class Stepper {
  static final long QUIET_WAIT_SECONDS = 20;

  private final MeterFixture f;
  private final DefaultMeter meter;
  private final DelayedLedger ledger;

  Stepper(MeterFixture f, Meter meter, DelayedLedger ledger) {
    this.f = f;
    this.meter = (DefaultMeter) meter;
    this.ledger = ledger;
  }

  void run(long seconds) {
    for (long i = 0; i < seconds; i++) {
      f.clock.advance(Duration.ofSeconds(1));
      quiet();
      await(meter.advanceOnly());
      quiet();
    }
  }

  /** Steps until the stage is answered (its ledger requests are answered by the clock). */
  <T> T until(CompletionStage<T> stage) {
    for (int i = 0; i < 3600 && !stage.toCompletableFuture().isDone(); i++) run(1);
    return await(stage);
  }

  /** Polls (bounded) until every request of the meter that the ledger does not hold has been answered. */
  void quiet() {
    long deadline = System.nanoTime() + Duration.ofSeconds(QUIET_WAIT_SECONDS).toNanos();
    while (true) {
      ledger.releaseDue();
      int inFlight = await(meter.inFlightCount());
      // an answer that came back between the release and the count is due, not held: keep polling
      if (inFlight <= ledger.heldNotDue()) return;
      if (System.nanoTime() > deadline) fail("the meter did not settle: " + inFlight + " in flight");
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeException(e);
      }
    }
  }
}
