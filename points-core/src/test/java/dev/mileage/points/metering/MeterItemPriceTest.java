package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams priced by their item rather than their kind, against the real PgLedger on embedded PostgreSQL:
 * the item's price is what is reserved, posted and recorded; its kind's increments and minimum still apply.
 */
class MeterItemPriceTest {
  @TempDir
  static Path dataDir;
  static MeterFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = new MeterFixture(dataDir);
    assertEquals(TariffChange.OK, await(f.tariffs.putStreamRate(new StreamRate(ContentKind.VIDEO, "video",
        Tariff.of(60, 1, 1, 0)))));
    assertEquals(TariffChange.OK, await(f.tariffs.putStreamRate(new StreamRate(ContentKind.MUSIC, "music",
        Tariff.of(60, 30, 10, 20)))));
  }

  @AfterAll
  static void stop() throws Exception {
    f.close();
  }

  UsageRecord play(Meter meter, AuthorizeRequest request, long seconds) {
    Authorization a = await(meter.authorize(request, SessionListener.NONE));
    assertEquals(AuthorizeResult.OK, a.result());
    assertEquals(CommandResult.OK, await(meter.start(a.sessionId())));
    f.run(meter, seconds);
    return await(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP)).record();
  }

  @Test
  void aPricedItemIsDebitedAtItsPriceAndAnUnpricedOneAtItsKindsTariff() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:priced", 1000);
      AuthorizeRequest film = AuthorizeRequest.stream("member:priced", ContentKind.VIDEO, "7", "s1").atItemPrice(120);
      Authorization a = await(meter.authorize(film, SessionListener.NONE));
      assertEquals(120, a.tariff().pointsPerMinute(), "authorized at the item's price");
      assertEquals(Math.min(Tariff.SESSION_SECONDS_MAX, 1000 * 60 / 120), a.maxSeconds(), "the balance buys 500 s");
      await(meter.start(a.sessionId()));
      f.run(meter, 30);
      UsageRecord priced = await(meter.stop(a.sessionId(), EndReason.CALLER_HANGUP)).record();
      assertEquals(60, priced.points(), "30 s at 120 points a minute");
      assertEquals(120, priced.tariff().pointsPerMinute(), "the record shows the rate charged");
      assertEquals("VIDEO " + TariffBook.ITEM_PRICE_LABEL, priced.rated());
      f.assertSettled(account, 940);

      UsageRecord clip = play(meter, AuthorizeRequest.stream("member:priced", ContentKind.VIDEO, "8", "s2"), 30);
      assertEquals(30, clip.points(), "30 s at the kind's 60 points a minute");
      assertEquals(60, clip.tariff().pointsPerMinute());
      assertEquals("VIDEO video", clip.rated());
      f.assertSettled(account, 910);
      assertTrue(f.revenue().creditsPosted() >= 90, "the operator got both");
    }
  }

  @Test
  void theKindsIncrementsAndMinimumApplyAtTheItemsPrice() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:song", 1000);
      // music bills 30 s, then 10 s blocks, at least 20 points: 5 s at 600/min bill 30 s = 300 points
      UsageRecord song = play(meter, AuthorizeRequest.stream("member:song", ContentKind.MUSIC, "9", "m").atItemPrice(600), 5);
      assertEquals(30, song.billedSeconds());
      assertEquals(300, song.points());
      f.assertSettled(account, 700);
      // a free item still pays the kind's minimum charge
      UsageRecord free = play(meter, AuthorizeRequest.stream("member:song", ContentKind.MUSIC, "10", "f").atItemPrice(0), 5);
      assertEquals(20, free.points());
      f.assertSettled(account, 680);
    }
  }

  @Test
  void aPricedStreamRunsOutExactlyWhereTheBalanceEnds() {
    try (Meter meter = f.meter(MeterFixture.options())) {
      Account account = f.member("member:short", 500);
      List<UsageRecord> ended = new CopyOnWriteArrayList<>();
      SessionListener listener = new SessionListener() {
        @Override
        public void ended(UsageRecord record) {
          ended.add(record);
        }
      };
      Authorization a = await(meter.authorize(AuthorizeRequest.stream("member:short", ContentKind.MUSIC, "11", "x")
          .atItemPrice(600), listener));
      assertEquals(50, a.maxSeconds(), "500 points at 600 a minute: 50 s, on a 10 s boundary after the first 30");
      await(meter.start(a.sessionId()));
      for (int i = 0; i < 120 && ended.isEmpty(); i++) f.run(meter, 1);
      assertEquals(1, ended.size());
      assertEquals(EndReason.BALANCE_EXHAUSTED, ended.get(0).reason());
      assertEquals(50, ended.get(0).usedSeconds());
      assertEquals(500, ended.get(0).points());
      f.assertSettled(account, 0);
    }
  }

  @Test
  void aPricedStreamRecoveredAfterACrashIsSettledAtItsPrice() {
    Account account = f.member("member:crash", 1000);
    Meter dead = f.meter(MeterFixture.options());
    Authorization a = await(dead.authorize(AuthorizeRequest.stream("member:crash", ContentKind.VIDEO, "12", "c")
        .atItemPrice(120), SessionListener.NONE));
    await(dead.start(a.sessionId()));
    f.run(dead, 45);
    // the process dies here: the next meter settles from the checkpoint, at the price the session started with
    f.clock.advance(Duration.ofSeconds(90));
    try (Meter next = f.meter(MeterFixture.options())) {
      UsageRecord r = await(next.usageOf(a.sessionId())).orElseThrow();
      assertEquals(EndReason.RECOVERED_AFTER_CRASH, r.reason());
      assertTrue(r.usedSeconds() > 0 && r.usedSeconds() <= 45, "the last checkpoint's usage: " + r.usedSeconds());
      assertEquals(120, r.tariff().pointsPerMinute());
      assertEquals(2 * r.usedSeconds(), r.points());
      f.assertSettled(account, 1000 - r.points());
    }
    dead.close();
  }
}
