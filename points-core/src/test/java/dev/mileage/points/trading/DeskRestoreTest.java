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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.points.trading.TradingFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A restarted desk puts the journaled open orders back on their books, checked against the ledger: a
 * journal that missed fills (the crash came between the ledger commit and the journal write) is brought
 * forward, an order whose hold was posted or never made is closed, and no point is held twice or lost.
 */
class DeskRestoreTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static final AtomicInteger RUN = new AtomicInteger();

  /** The journal as a map, with a switch to stop writing (a crash right after the ledger commit). */
  static final class MemoryJournal implements BookJournal {
    final Map<UUID, OrderSnapshot> rows = new LinkedHashMap<>();
    volatile boolean frozen;

    @Override
    public synchronized java.util.concurrent.CompletionStage<Void> save(List<OrderSnapshot> orders) {
      if (!frozen) {
        for (OrderSnapshot o : orders) {
          if (o.status().open()) rows.put(o.id(), o);
          else rows.remove(o.id());
        }
      }
      return CompletableFuture.completedFuture(null);
    }

    synchronized List<OrderSnapshot> open() {
      return new ArrayList<>(rows.values());
    }
  }

  MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  ManagedLedger ledger;
  MemoryJournal journal;
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
    journal = new MemoryJournal();
    run = "r" + RUN.incrementAndGet() + ":";
  }

  @AfterEach
  void close() {
    ledger.close();
  }

  TradingDesk desk() {
    return new TradingDesk(ledger, clock, TradingOptions.DEFAULTS.withFeeBasisPoints(0), journal);
  }

  String member(String name, int type, long amount) {
    String owner = "member:" + run + name;
    fund(ledger, owner, type, amount);
    return owner;
  }

  static Placement place(TradingDesk desk, String owner, int sell, long sellAmount, int buy, long buyAmount) {
    return await(desk.place(new OrderRequest(owner, sell, sellAmount, buy, buyAmount, 3600)));
  }

  @Test
  void openOrdersComeBackHeldOnceAndStillFill() {
    String alice = member("alice", A, 1_000);
    String bob = member("bob", B, 1_000);
    TradingDesk before = desk();
    UUID order = place(before, alice, A, 600, B, 300).order().id();
    assertEquals(1, journal.open().size());

    TradingDesk after = desk(); // the restart: a new desk, the same ledger and journal
    assertEquals(1, await(after.restore(journal.open())));
    assertEquals(600, held(ledger, alice, A), "held once, not twice");
    assertEquals(400, available(ledger, alice, A));
    assertEquals(1, after.depth(A, B, 10).size());
    assertEquals(OrderStatus.FILLED, place(after, bob, B, 300, A, 600).order().status());
    assertEquals(OrderStatus.FILLED, after.order(alice, order).orElseThrow().status());
    assertEquals(600, available(ledger, bob, A));
    assertEquals(300, available(ledger, alice, B));
    assertEquals(0, held(ledger, alice, A));
    assertTrue(journal.open().isEmpty(), "closed orders leave the journal");
  }

  @Test
  void aJournalThatMissedFillsIsBroughtForwardFromTheLedger() {
    String alice = member("alice", A, 1_000);
    String bob = member("bob", B, 1_000);
    String carol = member("carol", B, 1_000);
    String dave = member("dave", A, 1_000);
    TradingDesk before = desk();
    UUID partly = place(before, alice, A, 600, B, 300).order().id();
    UUID whole = place(before, dave, A, 100, B, 50).order().id();
    journal.frozen = true; // the crash: fills committed in the ledger, the journal never hears of them
    place(before, bob, B, 100, A, 200); // takes 200 of alice's 600 (best price first: alice 0.5, dave 0.5, alice older)
    place(before, carol, B, 250, A, 500); // the rest of alice's (400) and all of dave's (100)
    journal.frozen = false;
    // place a fresh order so the journal is written again before the "restart"
    String erin = member("erin", A, 1_000);
    UUID fresh = place(before, erin, A, 100, B, 100).order().id();

    TradingDesk after = desk();
    long restored = await(after.restore(journal.open()));
    assertEquals(1, restored, "only erin's order is still open");
    assertEquals(OrderStatus.FILLED, after.order(alice, partly).orElseThrow().status());
    assertEquals(OrderStatus.FILLED, after.order(dave, whole).orElseThrow().status());
    assertEquals(OrderStatus.OPEN, after.order(erin, fresh).orElseThrow().status());
    assertEquals(0, held(ledger, alice, A));
    assertEquals(0, held(ledger, dave, A));
    assertEquals(100, held(ledger, erin, A));
  }

  @Test
  void aPartFillTheJournalMissedKeepsTheLedgersRemainder() {
    String alice = member("alice", A, 1_000);
    String bob = member("bob", B, 1_000);
    TradingDesk before = desk();
    UUID order = place(before, alice, A, 600, B, 300).order().id();
    journal.frozen = true;
    place(before, bob, B, 100, A, 200);
    journal.frozen = false;

    TradingDesk after = desk();
    assertEquals(1, await(after.restore(journal.open())));
    assertEquals(400, after.order(alice, order).orElseThrow().remaining(), "the remainder comes from the ledger's newest hold");
    assertEquals(400, held(ledger, alice, A));
    assertEquals(400, available(ledger, alice, A));
  }

  @Test
  void ordersJournaledButNeverHeldOrExpiredMeanwhileAreClosed() {
    String alice = member("alice", A, 1_000);
    TradingDesk before = desk();
    UUID expiring = place(before, alice, A, 100, B, 50).order().id();
    // an order journaled just before a crash that came before its hold
    OrderSnapshot ghost = new OrderSnapshot(UUID.randomUUID(), alice, A, 50, B, 10, 99, clock.instant(),
        clock.instant().plusSeconds(4 * 3600), journal.open().get(0).sellAccount(), journal.open().get(0).buyAccount(), 50, 0, 0,
        OrderStatus.OPEN);
    List<OrderSnapshot> rows = new ArrayList<>(journal.open());
    rows.add(ghost);
    clock.advance(Duration.ofHours(2)); // past the first order's expiry, inside its hold's grace

    TradingDesk after = desk();
    assertEquals(0, await(after.restore(rows)));
    assertEquals(OrderStatus.EXPIRED, after.order(alice, expiring).orElseThrow().status());
    assertEquals(OrderStatus.CANCELLED_BY_LEDGER, after.order(alice, ghost.id()).orElseThrow().status());
    assertEquals(0, held(ledger, alice, A));
    assertEquals(1_000, available(ledger, alice, A));
  }
}
