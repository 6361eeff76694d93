package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A meter abandoned mid-session (its process "dies": no close, no settlement) and a new meter started on
 * the same database with a later clock: every open reservation is settled from the last checkpoint,
 * nothing is billed twice, and the overrun is at most one grant.
 */
class MeterRecoveryTest {
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

  /** Starts the next meter after a crash: recovery runs before it answers. */
  Meter restart() {
    f.clock.advance(Duration.ofSeconds(90));
    return f.meter(MeterFixture.options());
  }

  @Test
  void aCallRunningAtTheCrashIsBilledFromItsLastCheckpointOnce() {
    Account account = f.member("member:crash1", 1000);
    Meter dead = f.meter(MeterFixture.options());
    Authorization a = await(dead.authorize(AuthorizeRequest.call("member:crash1", "+820112345", "c1"),
        SessionListener.NONE));
    await(dead.start(a.sessionId()));
    f.run(dead, 45); // renewed at 20 s: checkpoint says 20 s used, 60 s granted (two chunks reserved)
    assertEquals(1000 - 60, f.account(account.id()).available());
    // the process dies here: no stop, no close

    try (Meter next = restart()) {
      UsageRecord r = await(next.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.RECOVERED_AFTER_CRASH, r.reason());
      assertEquals(20, r.usedSeconds(), "the last recorded usage");
      assertEquals(20, r.points());
      assertTrue(45 - r.usedSeconds() <= 30, "the overrun is at most one grant");
      f.assertSettled(account, 980);
      assertTrue(next.stats().recovered() >= 1);
      assertEquals(CommandResult.ALREADY_ENDED, await(next.stop(a.sessionId(), EndReason.CALLER_HANGUP)).result());
    }
    try (Meter again = restart()) {
      assertEquals(0, again.stats().recovered(), "nothing left to recover: never billed twice");
      f.assertSettled(account, 980);
    }
    dead.close();
  }

  @Test
  void aSettlementThatReachedTheLedgerButNotTheMeterIsNotBilledTwice() {
    Account account = f.member("member:crash2", 1000);
    DelayedLedger link = new DelayedLedger(f.ledger, f.clock, Duration.ZERO);
    Meter dead = f.meter(link, MeterFixture.options());
    Stepper step = new Stepper(f, dead, link);
    Authorization a = step.until(dead.authorize(AuthorizeRequest.call("member:crash2", "+820112345", "c2"),
        SessionListener.NONE));
    await(dead.start(a.sessionId()));
    step.run(50);
    link.stalled = true; // answers never come back from here on
    CompletionStage<StopOutcome> stop = dead.stop(a.sessionId(), EndReason.CALLER_HANGUP);
    step.run(2);
    assertFalse(stop.toCompletableFuture().isDone());
    assertEquals(1000 - 50, f.account(account.id()).available(), "the settlement was applied by the ledger");

    try (Meter next = restart()) {
      UsageRecord r = await(next.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.CALLER_HANGUP, r.reason(), "the decided end stands");
      assertEquals(50, r.usedSeconds());
      assertEquals(50, r.points());
      f.assertSettled(account, 950);
    }
    dead.close();
  }

  @Test
  void aSettlementThatNeverReachedTheLedgerIsCompletedByTheNextMeter() {
    Account account = f.member("member:crash3", 1000);
    DelayedLedger link = new DelayedLedger(f.ledger, f.clock, Duration.ZERO);
    Meter dead = f.meter(link, MeterFixture.options());
    Stepper step = new Stepper(f, dead, link);
    Authorization a = step.until(dead.authorize(AuthorizeRequest.call("member:crash3", "+820112345", "c3"),
        SessionListener.NONE));
    await(dead.start(a.sessionId()));
    step.run(33);
    link.holdRequests = true;
    link.stalled = true; // requests are lost with the process
    dead.stop(a.sessionId(), EndReason.CALLEE_HANGUP);
    step.run(2);
    assertEquals(1000 - 60, f.account(account.id()).available(), "still reserved: the settlement never arrived");

    try (Meter next = restart()) {
      UsageRecord r = await(next.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.CALLEE_HANGUP, r.reason());
      assertEquals(33, r.points());
      f.assertSettled(account, 967);
    }
    dead.close();
  }

  @Test
  void anAuthorizedCallNeverAnsweredBeforeTheCrashCostsNothing() {
    Account account = f.member("member:crash4", 1000);
    Meter dead = f.meter(MeterFixture.options());
    Authorization a = await(dead.authorize(AuthorizeRequest.call("member:crash4", "+820112345", "c4"),
        SessionListener.NONE));
    assertEquals(970, f.account(account.id()).available());
    try (Meter next = restart()) {
      UsageRecord r = await(next.usageOf(a.sessionId())).orElseThrow();
      assertEquals(0, r.points());
      assertEquals(EndReason.RECOVERED_AFTER_CRASH, r.reason());
      f.assertSettled(account, 1000);
    }
    dead.close();
  }
}
