package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sessions against the real PgLedger on embedded PostgreSQL, with an injected clock. */
class MeterBillingTest {
  @TempDir
  static Path dataDir;
  static MeterFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new MeterFixture(dataDir);
    put("8260", Tariff.of(10, 60, 6, 0));
    put("8211", Tariff.of(10, 1, 1, 0));
    put("8266", Tariff.of(10, 60, 60, 0));
    put("8230", Tariff.of(10, 30, 6, 5));
    put("8201", Tariff.of(60, 1, 1, 0));
    put("8299", Tariff.of(0, 1, 1, 0));
    assertEquals(TariffChange.OK, await(f.tariffs.putCallRate(CallRate.blocked("82060", "premium"))));
    assertEquals(TariffChange.OK, await(f.tariffs.putStreamRate(new StreamRate(ContentKind.VIDEO, "video",
        Tariff.of(60, 1, 1, 0)))));
  }

  static void put(String prefix, Tariff tariff) {
    assertEquals(TariffChange.OK, await(f.tariffs.putCallRate(CallRate.rated(prefix, "test " + prefix, tariff))));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  /** One call of {@code seconds} on the prefix's tariff, answered and hung up; its record. */
  UsageRecord call(Meter meter, String owner, String number, long seconds) {
    Authorization a = await(meter.authorize(AuthorizeRequest.call(owner, number, "call-" + number), SessionListener.NONE));
    assertEquals(AuthorizeResult.OK, a.result(), owner);
    f.run(meter, 2); // ringing: never billed
    assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
    f.run(meter, seconds);
    StopOutcome out = await(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP));
    assertEquals(CommandResult.OK, out.result());
    return out.record();
  }

  @Test
  void billsExactlyTheUsedTimeRoundedByEveryIncrementPattern() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      record Case(String number, long seconds, long billedSeconds, long points) {
      }
      List<Case> cases = List.of(
          new Case("+826012345", 61, 66, 11),    // 60/6: 61 s bills 66 s
          new Case("+826012345", 59, 60, 10),
          new Case("+826012345", 151, 156, 26),   // across several renewals
          new Case("+821112345", 61, 61, 11),     // 1/1: 10.17 points, rounded up
          new Case("+821112345", 1, 1, 1),
          new Case("+826612345", 61, 120, 20),    // 60/60
          new Case("+826612345", 121, 180, 30),
          new Case("+823012345", 3, 30, 5),       // 30/6 with a minimum charge of 5
          new Case("+823012345", 37, 42, 7),
          new Case("+829912345", 95, 95, 0));     // a free number
      int n = 0;
      for (Case c : cases) {
        String owner = "member:bill" + n++;
        Account account = f.member(owner, 1000);
        UsageRecord r = call(meter, owner, c.number(), c.seconds());
        assertEquals(c.seconds(), r.usedSeconds(), c.toString());
        assertEquals(c.billedSeconds(), r.billedSeconds(), c.toString());
        assertEquals(c.points(), r.points(), c.toString());
        assertEquals(c.seconds(), r.durationSeconds());
        assertEquals(EndReason.CALLER_HANGUP, r.reason());
        assertEquals(c.number(), r.destination());
        assertNotNull(r.answeredAt());
        assertEquals(Duration.ofSeconds(2), Duration.between(r.authorizedAt(), r.answeredAt()));
        f.assertSettled(account, 1000 - c.points());
        assertEquals(r, await(meter.usageOf(r.sessionId())).orElseThrow(), "the record is stored");
      }
    }
  }

  @Test
  void aSessionWhoseMediaWasLostIsBilledUntilTheMediaStoppedNotUntilItWasNoticed() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:lostmedia", 1000); // +8211: 10 points a minute, 1 s increments
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:lostmedia", "+821112345", "lost-1"),
          SessionListener.NONE));
      assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
      java.time.Instant answered = f.clock.instant();
      f.run(meter, 40); // media stopped after 12 s; the loss was noticed at 40 s
      UsageRecord r = await(meter.stop(a.sessionId(), EndReason.ERROR, answered.plusSeconds(12))).record();
      assertEquals(12, r.usedSeconds());
      assertEquals(12, r.billedSeconds());
      assertEquals(2, r.points(), "12 s at 10 a minute, rounded up");
      assertEquals(EndReason.ERROR, r.reason());
      f.assertSettled(account, 998);
      assertEquals(CommandResult.ALREADY_ENDED, await(meter.stop(a.sessionId(), EndReason.ERROR, answered)).result(),
          "idempotent: the first end stands");

      // a time after now counts as now; a time before the answer bills nothing
      Authorization b = await(meter.authorize(AuthorizeRequest.call("member:lostmedia", "+821112345", "lost-2"),
          SessionListener.NONE));
      assertEquals(CommandResult.OK, await(meter.start(b.sessionId())));
      f.run(meter, 30);
      UsageRecord later = await(meter.stop(b.sessionId(), EndReason.ERROR, f.clock.instant().plusSeconds(600))).record();
      assertEquals(30, later.billedSeconds());
      assertEquals(5, later.points());
      Authorization c = await(meter.authorize(AuthorizeRequest.call("member:lostmedia", "+821112345", "lost-3"),
          SessionListener.NONE));
      java.time.Instant beforeAnswer = f.clock.instant();
      f.run(meter, 2);
      assertEquals(CommandResult.OK, await(meter.start(c.sessionId())));
      f.run(meter, 20);
      UsageRecord silent = await(meter.stop(c.sessionId(), EndReason.ERROR, beforeAnswer)).record();
      assertEquals(0, silent.billedSeconds());
      assertEquals(0, silent.points(), "no media after the answer: nothing billed");
      f.assertSettled(account, 993);
    }
  }

  @Test
  void anUnansweredCallCostsNothingAndTheAnswerTimeoutEndsIt() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:noanswer", 100);
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:noanswer", "+826612345", "x"),
          SessionListener.NONE));
      assertTrue(a.ok());
      assertEquals(90, f.account(account.id()).available(), "the first grant (60 s = 10 points) is reserved");
      StopOutcome cancelled = await(meter.stop(a.sessionId(), EndReason.CANCELLED));
      assertEquals(0, cancelled.record().points());
      assertNull(cancelled.record().answeredAt());
      f.assertSettled(account, 100);
      assertEquals(CommandResult.ALREADY_ENDED, await(meter.stop(a.sessionId(), EndReason.CANCELLED)).result());
      assertEquals(CommandResult.ALREADY_ENDED, await(meter.start(a.sessionId())));

      List<UsageRecord> ended = new CopyOnWriteArrayList<>();
      Authorization b = await(meter.authorize(AuthorizeRequest.call("member:noanswer", "+826612345", "y"),
          new SessionListener() {
            @Override
            public void ended(UsageRecord record) {
              ended.add(record);
            }
          }));
      f.run(meter, 121);
      assertEquals(1, ended.size());
      assertEquals(EndReason.NOT_ANSWERED, ended.get(0).reason());
      assertEquals(b.sessionId(), ended.get(0).sessionId());
      f.assertSettled(account, 100);
    }
  }

  @Test
  void exhaustionEndsTheCallAtTheExactSecondWithAFinalUnitWarning() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:exhaust", 11); // 60/6 at 10/min: 66 seconds
      List<LiveBalance> finals = new CopyOnWriteArrayList<>();
      List<EndReason> ending = new CopyOnWriteArrayList<>();
      List<UsageRecord> ended = new CopyOnWriteArrayList<>();
      SessionListener listener = new SessionListener() {
        @Override
        public void finalUnit(LiveBalance live) {
          finals.add(live);
        }

        @Override
        public void ending(UUID sessionId, EndReason reason) {
          ending.add(reason);
        }

        @Override
        public void ended(UsageRecord record) {
          ended.add(record);
        }
      };
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:exhaust", "+826012345", "z"), listener));
      assertEquals(66, a.maxSeconds());
      assertEquals(60, a.grantedSeconds());
      await(meter.start(a.sessionId()));
      Instant answered = f.clock.instant();
      f.run(meter, 65);
      assertTrue(ended.isEmpty(), "still talking at 65 s");
      assertEquals(1, finals.size(), "told once about the final unit");
      assertEquals(answered.plusSeconds(66), finals.get(0).endsAt(), "told the exact second");
      LiveBalance live = meter.live(a.sessionId()).orElseThrow();
      assertEquals(65, live.usedSeconds());
      assertEquals(1, live.remainingSeconds());
      assertTrue(live.finalUnit());
      f.run(meter, 1);
      assertEquals(List.of(EndReason.BALANCE_EXHAUSTED), ending);
      assertEquals(1, ended.size());
      UsageRecord r = ended.get(0);
      assertEquals(answered.plusSeconds(66), r.endedAt());
      assertEquals(66, r.usedSeconds());
      assertEquals(11, r.points());
      f.assertSettled(account, 0);
      assertTrue(meter.live(a.sessionId()).isEmpty());
    }
  }

  @Test
  void refusesWithClearResultsAndChangesNothing() {
    try (Meter meter = f.meter(MeterFixture.options().withSessionsPerAccountMax(2))) {
      Account poor = f.member("member:poor", 9);
      assertEquals(AuthorizeResult.INSUFFICIENT_BALANCE, authorize(meter, "member:poor", "+826012345"));
      assertEquals(AuthorizeResult.OK, authorize(meter, "member:poor", "+821112345"), "1/1 at 10/min: 1 point pays 1 s");
      assertEquals(AuthorizeResult.INVALID_DESTINATION, authorize(meter, "member:poor", "826012345"));
      assertEquals(AuthorizeResult.BLOCKED_DESTINATION, authorize(meter, "member:poor", "+820601234"));
      assertEquals(AuthorizeResult.NO_TARIFF, authorize(meter, "member:poor", "+4930123456"));
      assertEquals(AuthorizeResult.NO_ACCOUNT, authorize(meter, "member:nobody", "+826012345"));
      Account rich = f.member("member:busy", 1000);
      assertEquals(AuthorizeResult.OK, authorize(meter, "member:busy", "+826012345"));
      assertEquals(AuthorizeResult.OK, authorize(meter, "member:busy", "+826012345"));
      assertEquals(AuthorizeResult.TOO_MANY_SESSIONS, authorize(meter, "member:busy", "+826012345"));
      assertEquals(980, f.account(rich.id()).available(), "two first grants of 10 reserved, nothing else");
      assertEquals(2, meter.liveOf("member:busy").size());
      assertEquals(0, meter.liveOf("member:poor").stream().filter(l -> l.usedSeconds() > 0).count());
      assertTrue(f.account(poor.id()).available() >= 0);
      assertEquals(AuthorizeResult.NO_TARIFF, await(meter.authorize(AuthorizeRequest.stream("member:busy2",
          ContentKind.MUSIC, "song", "s"), SessionListener.NONE)).result(), "no music tariff");
    }
  }

  private AuthorizeResult authorize(Meter meter, String owner, String number) {
    return await(meter.authorize(AuthorizeRequest.call(owner, number, "r"), SessionListener.NONE)).result();
  }

  @Test
  void twoConcurrentSessionsOnOneAccountDrainItWithoutGoingBelowZero() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:twice", 100); // 1 point per second
      List<UsageRecord> ended = new CopyOnWriteArrayList<>();
      SessionListener listener = new SessionListener() {
        @Override
        public void ended(UsageRecord record) {
          ended.add(record);
        }
      };
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:twice", "+820112345", "a"), listener));
      Authorization b = await(meter.authorize(AuthorizeRequest.call("member:twice", "+820112345", "b"), listener));
      assertEquals(30, a.grantedSeconds());
      assertEquals(30, b.grantedSeconds());
      await(meter.start(a.sessionId()));
      f.run(meter, 7);
      await(meter.start(b.sessionId()));
      for (int i = 0; i < 120 && ended.size() < 2; i++) {
        f.run(meter, 1);
        Account now = f.account(account.id());
        assertTrue(now.available() >= 0, "never below zero");
        assertTrue(now.debitsPosted() <= now.creditsPosted());
      }
      assertEquals(2, ended.size());
      long total = ended.stream().mapToLong(UsageRecord::points).sum();
      assertEquals(100, total, "together they used exactly the balance");
      long seconds = ended.stream().mapToLong(UsageRecord::usedSeconds).sum();
      assertEquals(100, seconds);
      ended.forEach(r -> assertEquals(EndReason.BALANCE_EXHAUSTED, r.reason()));
      f.assertSettled(account, 0);
    }
  }

  @Test
  void pausedStreamsAreNotChargedAndResumeWhereTheyStopped() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:stream", 1000);
      Authorization a = await(meter.authorize(AuthorizeRequest.stream("member:stream", ContentKind.VIDEO, "film-7",
          "stream-1"), SessionListener.NONE));
      assertTrue(a.ok());
      await(meter.start(a.sessionId()));
      f.run(meter, 45);
      assertEquals(CommandResult.OK, await(meter.pause(a.sessionId())));
      assertEquals(CommandResult.WRONG_STATE, await(meter.pause(a.sessionId())));
      f.run(meter, 1);
      f.assertSettled(account, 1000 - 45);
      f.run(meter, 600);
      LiveBalance paused = meter.live(a.sessionId()).orElseThrow();
      assertEquals(SessionState.PAUSED, paused.state());
      assertEquals(45, paused.usedSeconds());
      f.assertSettled(account, 1000 - 45);
      assertEquals(CommandResult.OK, await(meter.resume(a.sessionId())));
      assertEquals(CommandResult.WRONG_STATE, await(meter.resume(a.sessionId())));
      f.run(meter, 50);
      UsageRecord r = await(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP)).record();
      assertEquals(95, r.usedSeconds());
      assertEquals(95, r.points());
      assertEquals(45 + 600 + 1 + 50, r.durationSeconds(), "wall time includes the pause");
      assertEquals(ContentKind.VIDEO, r.contentKind());
      assertEquals("film-7", r.contentId());
      f.assertSettled(account, 1000 - 95);
      Authorization call = await(meter.authorize(AuthorizeRequest.call("member:stream", "+820112345", "c"),
          SessionListener.NONE));
      assertEquals(CommandResult.NOT_PAUSABLE, await(meter.pause(call.sessionId())));
      await(meter.stop(call.sessionId(), EndReason.CANCELLED));
    }
  }

  @Test
  void aPauseLongerThanAllowedEndsTheStream() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:sleepy", 1000);
      Authorization a = await(meter.authorize(AuthorizeRequest.stream("member:sleepy", ContentKind.VIDEO, "f", "s"),
          SessionListener.NONE));
      await(meter.start(a.sessionId()));
      f.run(meter, 10);
      await(meter.pause(a.sessionId()));
      f.run(meter, 30 * 60 + 1);
      UsageRecord r = await(meter.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.PAUSED_TOO_LONG, r.reason());
      assertEquals(10, r.points());
      f.assertSettled(account, 990);
    }
  }

  @Test
  void tariffChangesApplyToNewSessionsOnly() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      put("8277", Tariff.of(60, 1, 1, 0));
      Account account = f.member("member:snapshot", 1000);
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:snapshot", "+827712345", "a"),
          SessionListener.NONE));
      await(meter.start(a.sessionId()));
      f.run(meter, 20);
      put("8277", Tariff.of(600, 1, 1, 0));
      f.run(meter, 40);
      UsageRecord r = await(meter.stop(a.sessionId(), EndReason.CALLEE_HANGUP)).record();
      assertEquals(60, r.points(), "the old price for the whole call");
      assertEquals(60, r.tariff().pointsPerMinute());
      Authorization b = await(meter.authorize(AuthorizeRequest.call("member:snapshot", "+827712345", "b"),
          SessionListener.NONE));
      assertEquals(600, b.tariff().pointsPerMinute());
      await(meter.stop(b.sessionId(), EndReason.CANCELLED));
      f.assertSettled(account, 940);
    }
  }

  @Test
  void liveBalanceIsComputedToTheSecond() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      f.member("member:live", 600);
      Authorization a = await(meter.authorize(AuthorizeRequest.call("member:live", "+820112345", "a"),
          SessionListener.NONE));
      await(meter.start(a.sessionId()));
      f.run(meter, 37);
      LiveBalance live = meter.live(a.sessionId()).orElseThrow();
      assertEquals(600, live.balanceBefore());
      assertEquals(37, live.usedSeconds());
      assertEquals(37, live.usedPoints());
      assertEquals(563, live.remainingPoints());
      assertEquals(563, live.remainingSeconds());
      assertFalse(live.finalUnit());
      assertEquals(List.of(live), meter.liveOf("member:live"));
      f.clock.advance(Duration.ofMillis(400));
      assertEquals(38, meter.live(a.sessionId()).orElseThrow().usedSeconds(), "a started second counts");
      await(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP));
      assertTrue(meter.liveOf("member:live").isEmpty());
    }
  }

  static List<UUID> ids(List<UsageRecord> records) {
    List<UUID> out = new ArrayList<>();
    records.forEach(r -> out.add(r.sessionId()));
    return out;
  }
}
