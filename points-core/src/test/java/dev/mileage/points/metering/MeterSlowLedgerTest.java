package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Renewals when the ledger answers seconds late (a slow database), on the injected clock. */
class MeterSlowLedgerTest {
  @TempDir
  static Path dataDir;
  static MeterFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new MeterFixture(dataDir);
    assertEquals(TariffChange.OK, await(f.tariffs.putCallRate(CallRate.rated("8201", "1/s", Tariff.of(60, 1, 1, 0)))));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** grant 30 s, renew 10 s before it runs out, 5 s of grace. */
  UsageRecord call(String owner, Duration delay, long seconds) {
    DelayedLedger slow = new DelayedLedger(f.ledger, f.clock, delay);
    try (Meter meter = f.meter(slow, MeterFixture.options())) {
      Stepper step = new Stepper(f, meter, slow);
      Authorization a = step.until(meter.authorize(AuthorizeRequest.call(owner, "+820112345", "r"), SessionListener.NONE));
      assertTrue(a.ok());
      assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
      step.run(seconds);
      StopOutcome out = step.until(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP));
      return out.record();
    }
  }

  @Test
  void answersSlowerThanUsualButWithinTheRenewLeadChangeNothing() {
    Account account = f.member("member:slow8", 1000);
    UsageRecord r = call("member:slow8", Duration.ofSeconds(8), 100);
    assertEquals(EndReason.CALLER_HANGUP, r.reason());
    assertEquals(100, r.usedSeconds());
    assertEquals(100, r.points());
    f.assertSettled(account, 900);
  }

  @Test
  void answersArrivingAfterTheGrantRanOutButWithinTheGraceKeepTheCallAndBillItExactly() {
    Account account = f.member("member:slow14", 1000);
    UsageRecord r = call("member:slow14", Duration.ofSeconds(14), 100);
    assertEquals(EndReason.CALLER_HANGUP, r.reason());
    assertEquals(100, r.points());
    f.assertSettled(account, 900);
  }

  @Test
  void aRenewalUnansweredPastTheGraceEndsTheCallAndNothingStaysReserved() {
    Account account = f.member("member:slow20", 1000);
    DelayedLedger slow = new DelayedLedger(f.ledger, f.clock, Duration.ofSeconds(1));
    try (Meter meter = f.meter(slow, MeterFixture.options())) {
      Stepper step = new Stepper(f, meter, slow);
      Authorization a = step.until(meter.authorize(AuthorizeRequest.call("member:slow20", "+820112345", "r"),
          SessionListener.NONE));
      await(meter.start(a.sessionId()));
      slow.delay = Duration.ofSeconds(20); // the renewal at 20 s is answered at 40 s; the grace ends at 35 s
      step.run(34);
      assertTrue(meter.live(a.sessionId()).isPresent(), "within the grace");
      step.run(1);
      assertTrue(meter.live(a.sessionId()).isEmpty(), "ended at 35 s");
      step.run(30); // the late renewal lands, then the settlement voids what is left
      UsageRecord r = await(meter.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.RENEWAL_FAILED, r.reason());
      assertEquals(35, r.durationSeconds());
      assertEquals(r.usedSeconds(), r.points());
      assertTrue(r.usedSeconds() == 30 || r.usedSeconds() == 35, "billed within what was granted: " + r.usedSeconds());
      f.assertSettled(account, 1000 - r.points());
    }
  }
}
