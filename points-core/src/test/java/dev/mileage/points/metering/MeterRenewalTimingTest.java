package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.ForwardingLedger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When renewals leave and how they reach the ledger, on the injected clock and the real ledger. */
class MeterRenewalTimingTest {
  static final Duration STEP = Duration.ofMillis(100);

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

  /** Lags of the renewals of a 100-second call whose every ledger answer takes 400 ms. */
  List<Long> lagsMicros(String owner, MeterOptions options) {
    Account account = f.member(owner, 1000);
    List<Long> lags = new CopyOnWriteArrayList<>();
    DelayedLedger slow = new DelayedLedger(f.ledger, f.clock, Duration.ofMillis(400));
    try (Meter meter = await(Meters.start(slow, f.store, f.tariffs, options, f.clock, new MeterObserver() {
      @Override
      public void renewed(long lagMicros) {
        lags.add(lagMicros);
      }
    }))) {
      Stepper step = new Stepper(f, meter, slow);
      Authorization a = step.until(meter.authorize(AuthorizeRequest.call(owner, "+820112345", "r"), SessionListener.NONE));
      assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
      for (int i = 0; i < 100_000 / STEP.toMillis(); i++) {
        f.clock.advance(STEP);
        step.quiet();
        await(((DefaultMeter) meter).advanceOnly());
        step.quiet();
        Account now = f.account(account.id());
        assertTrue(now.available() >= 0, "never overdrawn");
        assertTrue(now.debitsPending() <= 60, "at most the grant in use and the next one reserved");
      }
      UsageRecord r = step.until(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP)).record();
      assertEquals(100, r.usedSeconds());
      assertEquals(100, r.points(), "billed exactly, renewals or not");
      f.assertSettled(account, 900);
    }
    return lags;
  }

  @Test
  void renewalsLeaveAMarginAheadSoASlowCommitIsOverByTheirDueMoment() {
    List<Long> lags = lagsMicros("member:timing-margin", MeterFixture.options());
    assertEquals(3, lags.size(), "renewed at 20, 50 and 80 s: " + lags);
    lags.forEach(lag -> assertEquals(0, lag, "confirmed by the due moment: " + lags));
  }

  @Test
  void withoutAMarginEveryRenewalIsLateByTheLedgersAnswerTime() {
    // the meter before renewal margins: the request left when due, so the lag was the commit time
    List<Long> lags = lagsMicros("member:timing-nomargin", MeterFixture.options().withRenewalMargin(Duration.ZERO));
    assertEquals(3, lags.size(), lags.toString());
    lags.forEach(lag -> assertTrue(lag >= 400_000 && lag <= 500_000, "late by the answer time: " + lags));
  }

  /** Counts the ledger requests and their sizes. */
  static final class CountingLedger extends ForwardingLedger {
    final List<Integer> submits = new CopyOnWriteArrayList<>();

    CountingLedger() {
      super(f.ledger);
    }

    @Override
    public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
      submits.add(transfers.size());
      return real.submit(transfers);
    }
  }

  @Test
  void theRenewalsOfOneTickReachTheLedgerAsOneRequestAndEachGetsItsOwnAnswer() {
    CountingLedger counting = new CountingLedger();
    try (Meter meter = await(Meters.start(counting, f.store, f.tariffs, MeterFixture.options(), f.clock))) {
      List<Authorization> calls = new ArrayList<>();
      List<Account> accounts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String owner = "member:batch" + i;
        accounts.add(f.member(owner, i == 5 ? 35 : 1000)); // the last pays for 35 seconds only
        Authorization a = await(meter.authorize(AuthorizeRequest.call(owner, "+820112345", "b" + i),
            SessionListener.NONE));
        assertEquals(30, a.grantedSeconds());
        assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
        calls.add(a);
      }
      counting.submits.clear();
      f.run(meter, 20); // answered together: each renewal is meant to leave between 19 and 19.5 s: one tick here
      assertEquals(6, counting.submits.get(0), "one request for the tick's six renewals: " + counting.submits);
      assertEquals(6, meter.stats().renewals(), "five full grants and one final grant");
      for (int i = 0; i < 5; i++) assertFalse(meter.live(calls.get(i).sessionId()).orElseThrow().finalUnit());
      LiveBalance poor = meter.live(calls.get(5).sessionId()).orElseThrow();
      assertTrue(poor.finalUnit(), "its refusal became a final grant of what is left, alone");
      assertEquals(15, poor.remainingSeconds());
      f.run(meter, 5);
      for (int i = 0; i < 6; i++) {
        UsageRecord r = await(meter.stop(calls.get(i).sessionId(), EndReason.CALLER_HANGUP)).record();
        assertEquals(25, r.points());
        f.assertSettled(accounts.get(i), (i == 5 ? 35 : 1000) - 25);
      }
    }
  }
}
