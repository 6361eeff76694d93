package dev.mileage.points.store;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.testing.MutableClock;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The durable ledger against a real embedded PostgreSQL. */
class PgLedgerTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));

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

  static ManagedLedger open() {
    return Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1)), clock));
  }

  /** The writer's connection plans its batch statement once (generic plan) instead of for every batch. */
  @Test
  void writersConnectionUsesGenericPlans() {
    Database.ConnectionInfo info = db.connection();
    io.vertx.pgclient.PgConnectOptions shared = new io.vertx.pgclient.PgConnectOptions().setHost(info.host())
        .setPort(info.port()).setDatabase(info.database()).setUser(info.user()).setPassword(info.password());
    io.vertx.pgclient.PgConnection writer = io.vertx.pgclient.PgConnection.connect(vertx, PgLedger.writerConnectOptions(shared))
        .await();
    io.vertx.pgclient.PgConnection other = io.vertx.pgclient.PgConnection.connect(vertx, shared).await();
    try {
      assertEquals("force_generic_plan", writer.query("SHOW plan_cache_mode").execute().await().iterator().next().getString(0));
      assertEquals("auto", other.query("SHOW plan_cache_mode").execute().await().iterator().next().getString(0),
          "only the writer's connection: reads keep PostgreSQL's default");
    } finally {
      writer.close().await();
      other.close().await();
    }
  }

  @Test
  void movesPointsDurablyAndAnswersQueries() {
    try (ManagedLedger ledger = open()) {
      Account issuer = Await.of(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
      Account alice = Await.of(ledger.openAccount("member:alice", StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      Account bob = Await.of(ledger.openAccount("member:bob", StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      assertEquals(alice, Await.of(ledger.openAccount("member:alice", StandardPointTypes.MILEAGE, AccountFlags.NONE)),
          "opening twice answers the first account");

      UUID grant = Transfer.idOf("test:grant:alice");
      assertEquals(OK, Await.of(ledger.submit(Transfer.single(grant, issuer.id(), alice.id(), 1000,
          TransferCodes.SIGN_UP_BONUS, "welcome"))));
      assertEquals(EXISTS, Await.of(ledger.submit(Transfer.single(grant, issuer.id(), alice.id(), 1000,
          TransferCodes.SIGN_UP_BONUS, "welcome"))));
      assertEquals(EXISTS_WITH_DIFFERENT_AMOUNT, Await.of(ledger.submit(Transfer.single(grant, issuer.id(), alice.id(),
          999, TransferCodes.SIGN_UP_BONUS, "welcome"))));
      assertEquals(EXCEEDS_CREDITS, Await.of(ledger.submit(Transfer.single(Transfer.idOf("test:too-much"), alice.id(),
          bob.id(), 1001, 0, ""))));

      UUID hold = Transfer.idOf("test:hold");
      List<TransferResult> results = Await.of(ledger.submit(List.of(
          Transfer.reserve(hold, alice.id(), bob.id(), 300, 60, TransferCodes.CALL_CHARGE, "call 1"),
          Transfer.post(Transfer.idOf("test:post"), hold, 120, TransferCodes.CALL_CHARGE, "call 1"))));
      assertEquals(List.of(OK, OK), results);
      Account a = Await.of(ledger.account(alice.id())).orElseThrow();
      assertEquals(880, a.available());
      assertEquals(0, a.debitsPending());
      assertEquals(120, Await.of(ledger.accountOf("member:bob", StandardPointTypes.MILEAGE)).orElseThrow().available());
      assertEquals(2, Await.of(ledger.accountsOf("member:alice")).size() + 1, "one account of alice");

      TransferRecord post = Await.of(ledger.transfer(Transfer.idOf("test:post"))).orElseThrow();
      assertEquals(alice.id(), post.transfer().debitAccountId(), "a post records the reservation's accounts");
      UUID unknown = Transfer.idOf("test:never");
      java.util.Map<UUID, TransferRecord> some = Await.of(ledger.transfers(List.of(grant, unknown, Transfer.idOf("test:post"))));
      assertEquals(Set.of(grant, Transfer.idOf("test:post")), some.keySet(), "the ones that exist, in one read");
      assertEquals(post, some.get(Transfer.idOf("test:post")));
      assertEquals(java.util.Map.of(), Await.of(ledger.transfers(List.of())));
      List<UUID> tooMany = new ArrayList<>();
      for (int i = 0; i <= dev.mileage.points.ledger.Ledger.TRANSFERS_MAX; i++) tooMany.add(Transfer.idOf("test:many:" + i));
      assertThrows(IllegalArgumentException.class, () -> ledger.transfers(tooMany));
      HistoryPage page = Await.of(ledger.history(alice.id(), null, 2));
      assertEquals(2, page.transfers().size());
      assertEquals(Transfer.idOf("test:post"), page.transfers().get(0).transfer().id(), "newest first");
      HistoryPage rest = Await.of(ledger.history(alice.id(), page.next(), 2));
      assertEquals(List.of(grant), rest.transfers().stream().map(r -> r.transfer().id()).toList());
      assertNull(rest.next());
      assertTrue(ledger.stats().batchesCommitted() >= 2, "batches with nothing to write commit nothing");
    }
    try (ManagedLedger reopened = open()) {
      Account alice = Await.of(reopened.accountOf("member:alice", StandardPointTypes.MILEAGE)).orElseThrow();
      assertEquals(880, alice.available(), "state comes back from the database");
      assertEquals(EXISTS, Await.of(reopened.submit(Transfer.post(Transfer.idOf("test:post"), Transfer.idOf("test:hold"),
          120, TransferCodes.CALL_CHARGE, "call 1"))));
    }
  }

  @Test
  void pointTypesAreSeededDefinedAndRevalued() {
    try (ManagedLedger ledger = open()) {
      List<PointType> types = Await.of(ledger.pointTypes());
      assertEquals(StandardPointTypes.ALL, types.subList(0, StandardPointTypes.ALL.size()));
      PointType acme = Await.of(ledger.definePointType("TOKEN_ACME", PointKind.VENDOR_TOKEN, "vendor:acme", 500_000,
          Set.of("p1", "p2")));
      assertTrue(acme.id() >= StandardPointTypes.FIRST_DYNAMIC_ID);
      assertEquals(acme, Await.of(ledger.definePointType("TOKEN_ACME", PointKind.VENDOR_TOKEN, "vendor:acme", 1,
          Set.of())), "idempotent by code");
      assertEquals(700_000, Await.of(ledger.setCashValue(acme.id(), 700_000)).cashMicrosPerUnit());
      assertThrows(Exception.class, () -> Await.of(ledger.setCashValue(9999, 1)));
      assertThrows(Exception.class, () -> Await.of(ledger.openAccount("x", 9999, 0)));
    }
  }

  @Test
  void thePeriodicSweepReleasesOnTheLedgersClockWithoutBeingAsked() {
    LedgerOptions fastSweep = LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofMillis(20));
    try (ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, fastSweep, clock))) {
      Account issuer = Await.of(ledger.openAccount("operator", StandardPointTypes.AD_CLICK_POINTS, AccountFlags.NONE));
      Account dave = Await.of(ledger.openAccount("member:dave", StandardPointTypes.AD_CLICK_POINTS,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      assertEquals(List.of(OK, OK), Await.of(ledger.submit(List.of(
          Transfer.single(Transfer.idOf("sweep:fund"), issuer.id(), dave.id(), 50, 0, ""),
          Transfer.reserve(Transfer.idOf("sweep:hold"), dave.id(), issuer.id(), 50, 5, 0, "")))));
      assertEquals(0, Await.of(ledger.account(dave.id())).orElseThrow().available());
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      long before = ledger.stats().reservationsExpired();
      // real time passes but the ledger's clock does not: nothing may expire
      while (System.nanoTime() < deadline && ledger.stats().batchesCommitted() < 1) Thread.onSpinWait();
      assertEquals(before, ledger.stats().reservationsExpired());
      clock.advance(Duration.ofSeconds(6));
      while (System.nanoTime() < deadline && Await.of(ledger.account(dave.id())).orElseThrow().available() < 50) {
        Thread.onSpinWait();
      }
      assertEquals(50, Await.of(ledger.account(dave.id())).orElseThrow().available(), "released by the timer");
      // the counter is bumped after the caches show the release: wait for it too (bounded)
      while (System.nanoTime() < deadline && ledger.stats().reservationsExpired() == before) Thread.onSpinWait();
      assertTrue(ledger.stats().reservationsExpired() > before);
    }
  }

  @Test
  void expiredReservationsAreReleasedBySweepAndWhenTouched() {
    try (ManagedLedger ledger = open()) {
      Account issuer = Await.of(ledger.openAccount("operator", StandardPointTypes.CASH, AccountFlags.NONE));
      Account carol = Await.of(ledger.openAccount("member:carol", StandardPointTypes.CASH,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      assertEquals(OK, Await.of(ledger.submit(Transfer.single(Transfer.idOf("exp:fund"), issuer.id(), carol.id(), 100, 0, ""))));
      List<Transfer> holds = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        holds.add(Transfer.reserve(Transfer.idOf("exp:hold:" + i), carol.id(), issuer.id(), 30, 10, 0, ""));
      }
      assertEquals(List.of(OK, OK, OK), Await.of(ledger.submit(holds)));
      assertEquals(10, Await.of(ledger.account(carol.id())).orElseThrow().available());
      clock.advance(Duration.ofSeconds(11));
      assertEquals(PENDING_TRANSFER_EXPIRED, Await.of(ledger.submit(Transfer.post(Transfer.idOf("exp:post"),
          Transfer.idOf("exp:hold:0"), 30, 0, ""))));
      assertEquals(40, Await.of(ledger.account(carol.id())).orElseThrow().available(), "touching released it");
      assertEquals(2, Await.of(ledger.expireDue()));
      assertEquals(100, Await.of(ledger.account(carol.id())).orElseThrow().available());
      assertEquals(0, Await.of(ledger.expireDue()));
    }
  }
}
