package dev.mileage.points.trading;

import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import dev.mileage.points.testing.MutableClock;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.points.trading.TradingFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trading desk settling through the durable ledger on a real embedded PostgreSQL. */
class TradingDeskTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static final AtomicInteger RUN = new AtomicInteger();

  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  ManagedLedger ledger;
  TradingDesk desk;
  String run;

  @BeforeAll
  static void startDatabase() throws Exception {
    db = Database.embedded(dataDir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    vertx.close().await();
    db.close();
  }

  @BeforeEach
  void open() {
    ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1)), clock));
    desk = new TradingDesk(ledger, clock, TradingOptions.DEFAULTS.withFeeBasisPoints(0));
    run = "r" + RUN.incrementAndGet() + ":";
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  String member(String name, int type, long amount) {
    String owner = "member:" + run + name;
    fund(ledger, owner, type, amount);
    return owner;
  }

  Placement place(String owner, int sell, long sellAmount, int buy, long buyAmount) {
    return await(desk.place(new OrderRequest(owner, sell, sellAmount, buy, buyAmount, 3600)));
  }

  @Test
  void matchesByPriceThenTimeAtTheMakersPrice() {
    String alice = member("alice", A, 100);
    String bob = member("bob", A, 100);
    String carol = member("carol", A, 100);
    String dave = member("dave", B, 1000);
    Placement aliceOrder = place(alice, A, 100, B, 200);                     // 2 B per A
    assertEquals(PlaceResult.PLACED, aliceOrder.result());
    Placement bobOrder = place(bob, A, 100, B, 150);                          // 1.5, earlier
    Placement carolOrder = place(carol, A, 100, B, 150);                      // 1.5, later

    Placement first = place(dave, B, 150, A, 100);                            // 1.5 per A
    assertEquals(PlaceResult.FILLED, first.result());
    assertEquals(List.of(bobOrder.order().id()), first.fills().stream().map(TradeFill::makerOrder).toList(),
        "best price, then oldest");
    assertEquals(100, available(ledger, dave, A), "dave got 100 A");
    assertEquals(150, posted(ledger, bob, B));

    // Offers 400 B for at least 200 A (2 per A): carol at 1.5 first, then alice at 2, each at the maker's price.
    Placement second = place(dave, B, 400, A, 200);
    assertEquals(List.of(carolOrder.order().id(), aliceOrder.order().id()),
        second.fills().stream().map(TradeFill::makerOrder).toList());
    assertEquals(PlaceResult.PLACED, second.result(), "50 B left over rest in the book");
    assertEquals(150, posted(ledger, carol, B));
    assertEquals(200, posted(ledger, alice, B));
    assertEquals(300, available(ledger, dave, A));
    assertEquals(50, held(ledger, dave, B), "the taker's remainder is held");
    assertEquals(1000 - 150 - 150 - 200 - 50, available(ledger, dave, B));
    assertEquals(50, second.order().remaining());
    assertEquals(1, desk.depth(B, A, 10).size());
    assertEquals("", desk.depth(B, A, 10).get(0).owner(), "depth does not reveal owners");
    assertEquals(3, desk.recentFills(A, B).size());
  }

  @Test
  void partialFillsKeepTheRemainderHeldAndCancelReleasesIt() {
    String maker = member("maker", A, 1000);
    String taker = member("taker", B, 1000);
    UUID id = place(maker, A, 1000, B, 1000).order().id();
    assertEquals(1000, held(ledger, maker, A));
    Placement fill = place(taker, B, 300, A, 300);
    assertEquals(PlaceResult.FILLED, fill.result());
    OrderView after = desk.order(maker, id).orElseThrow();
    assertEquals(700, after.remaining());
    assertEquals(300, after.received());
    assertEquals(700, held(ledger, maker, A), "the remainder is held again in the same chain");
    assertEquals(0, available(ledger, maker, A), "held points cannot be offered twice");
    assertEquals(PlaceResult.INSUFFICIENT_POINTS, place(maker, A, 1, C, 1).result());

    assertEquals(CancelResult.NOT_FOUND, await(desk.cancel(taker, id)), "not someone else's order");
    assertTrue(desk.order(taker, id).isEmpty(), "nor can they see it");
    assertEquals(CancelResult.CANCELLED, await(desk.cancel(maker, id)));
    assertEquals(CancelResult.ALREADY_CLOSED, await(desk.cancel(maker, id)));
    assertEquals(0, held(ledger, maker, A));
    assertEquals(700, available(ledger, maker, A));
    assertEquals(300, available(ledger, taker, A));
    assertEquals(0, held(ledger, TradingDesk.ESCROW_OWNER, A) + posted(ledger, TradingDesk.ESCROW_OWNER, A),
        "escrow holds nothing between commands");
  }

  @Test
  void roundsForTheMakerAndNeverPastEitherLimit() {
    String maker = member("m", A, 10);
    String taker = member("t", B, 10);
    place(maker, A, 3, B, 2);                                // wants 2/3 B per A
    Placement p = place(taker, B, 1, A, 1);                  // pays at most 1 B per A
    // 1 B buys floor(1 * 3/2) = 1 A; the maker receives ceil(1 * 2/3) = 1 B: within both limits.
    assertEquals(1, p.fills().get(0).makerGives());
    assertEquals(1, p.fills().get(0).takerGives());
    Matching.Fill exact = Matching.fill(5, 4, 5, 3, 2, 3).orElseThrow();
    assertTrue(exact.takerGives() * 3L >= exact.makerGives() * 2L, "maker at or above its price");
  }

  @Test
  void selfTradeCancelsTheRestingOrderAndMovesNothing() {
    String alice = member("alice", A, 100);
    fund(ledger, alice, B, 100);
    UUID resting = place(alice, A, 100, B, 100).order().id();
    Placement own = place(alice, B, 100, A, 100);
    assertEquals(PlaceResult.PLACED, own.result());
    assertTrue(own.fills().isEmpty());
    assertEquals(OrderStatus.CANCELLED_SELF_TRADE, desk.order(alice, resting).orElseThrow().status());
    assertEquals(0, held(ledger, alice, A));
    assertEquals(100, available(ledger, alice, A));
    assertEquals(100, held(ledger, alice, B));
  }

  @Test
  void expiryReleasesTheHold() {
    String alice = member("alice", A, 100);
    UUID id = await(desk.place(new OrderRequest(alice, A, 60, B, 60, 60))).order().id();
    clock.advance(Duration.ofSeconds(59));
    assertEquals(0, await(desk.expireDue()));
    assertEquals(60, held(ledger, alice, A));
    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, await(desk.expireDue()));
    assertEquals(OrderStatus.EXPIRED, desk.order(alice, id).orElseThrow().status());
    assertEquals(0, held(ledger, alice, A));
    assertEquals(100, available(ledger, alice, A));
    assertTrue(desk.depth(A, B, 10).isEmpty());
  }

  @Test
  void cancelRacingAFillIsEitherBeforeOrAfterIt() {
    for (int i = 0; i < 20; i++) {
      String maker = member("maker" + i, A, 100);
      String taker = member("taker" + i, B, 100);
      UUID id = place(maker, A, 100, B, 100).order().id();
      CompletionStage<Placement> fill;
      CompletionStage<CancelResult> cancel;
      if (i % 2 == 0) {
        fill = desk.place(new OrderRequest(taker, B, 100, A, 100, 3600));
        cancel = desk.cancel(maker, id);
      } else {
        cancel = desk.cancel(maker, id);
        fill = desk.place(new OrderRequest(taker, B, 100, A, 100, 3600));
      }
      Placement placed = await(fill);
      CancelResult cancelled = await(cancel);
      if (cancelled == CancelResult.CANCELLED) {
        assertTrue(placed.fills().isEmpty(), "cancelled first: no fill");
        assertEquals(100, available(ledger, maker, A));
        assertEquals(100, held(ledger, taker, B));
      } else {
        assertEquals(CancelResult.ALREADY_CLOSED, cancelled);
        assertEquals(1, placed.fills().size());
        assertEquals(100, available(ledger, maker, B));
        assertEquals(100, available(ledger, taker, A));
      }
      assertEquals(i % 2 == 0 ? CancelResult.ALREADY_CLOSED : CancelResult.CANCELLED, cancelled, "arrival order");
      assertEquals(0, held(ledger, maker, A));
      for (OrderView leftover : desk.ordersOf(taker)) {
        if (leftover.status().open()) assertEquals(CancelResult.CANCELLED, await(desk.cancel(taker, leftover.id())));
      }
      assertEquals(0, held(ledger, taker, B));
    }
  }

  @Test
  void refusesBadOrdersWithoutMovingPoints() {
    String alice = member("alice", A, 100);
    assertEquals(PlaceResult.SAME_POINT_TYPE, place(alice, A, 10, A, 10).result());
    assertEquals(PlaceResult.INSUFFICIENT_POINTS, place(alice, A, 101, B, 10).result());
    assertEquals(PlaceResult.UNKNOWN_POINT_TYPE, place(alice, A, 10, 9999, 10).result());
    assertEquals(PlaceResult.LIFETIME_TOO_LONG,
        await(desk.place(new OrderRequest(alice, A, 10, B, 10, Integer.MAX_VALUE))).result());
    assertEquals(100, available(ledger, alice, A));
    assertEquals(0, held(ledger, alice, A));

    TradingDesk small = new TradingDesk(ledger, clock, TradingOptions.DEFAULTS.withOrdersPerMemberMax(2));
    assertEquals(PlaceResult.PLACED, await(small.place(new OrderRequest(alice, A, 10, B, 10, 60))).result());
    assertEquals(PlaceResult.PLACED, await(small.place(new OrderRequest(alice, A, 10, B, 10, 60))).result());
    assertEquals(PlaceResult.TOO_MANY_ORDERS, await(small.place(new OrderRequest(alice, A, 10, B, 10, 60))).result());
    assertEquals(20, held(ledger, alice, A));
  }
}
