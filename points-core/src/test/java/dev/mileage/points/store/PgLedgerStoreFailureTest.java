package dev.mileage.points.store;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.MutableClock;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.points.ledger.TransferResult.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The database fails under the ledger: a batch it refuses, connections killed mid-load, the server
 * stopped and started again. Nothing answered OK may be missing, nothing answered as failed may be
 * present, nothing is half-applied, and the ledger carries on once the database is back.
 */
class PgLedgerStoreFailureTest {
  static final int CLIENTS = 8;
  static final int TRANSFERS_PER_CLIENT = 400;
  static final long DEADLINE_SECONDS = 180;

  @TempDir
  static Path dataDir;
  static int port;
  static Database db;
  static Vertx vertx;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));

  @BeforeAll
  static void start() throws Exception {
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    db = Database.embedded(dataDir, port);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
    db.close();
  }

  enum Outcome { APPLIED, REFUSED, FAILED, UNKNOWN }

  record Fixture(ManagedLedger ledger, Account issuer, long[] customers) {
  }

  static Fixture fixture(String prefix, int customers) {
    ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
    Account issuer = Await.of(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    long[] ids = new long[customers];
    List<Transfer> funding = new ArrayList<>();
    for (int i = 0; i < customers; i++) {
      ids[i] = Await.of(ledger.openAccount(prefix + i, StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)).id();
      funding.add(Transfer.single(Transfer.idOf(prefix + "fund:" + i), issuer.id(), ids[i], 10_000, 0, ""));
    }
    Await.of(ledger.submit(funding));
    return new Fixture(ledger, issuer, ids);
  }

  @Test
  void aBatchTheDatabaseRefusesFailsWholeAndChangesNothing() throws Exception {
    Fixture f = fixture("refused:", 2);
    try (ManagedLedger ledger = f.ledger(); Connection c = LedgerAudit.connect(db)) {
      Account before = Await.of(ledger.account(f.customers()[0])).orElseThrow();
      c.createStatement().execute("ALTER TABLE ledger.transfer ADD CONSTRAINT test_poison CHECK (amount <> 777)");
      List<Transfer> request = List.of(
          Transfer.single(Transfer.idOf("refused:a"), f.customers()[0], f.customers()[1], 10, 0, ""),
          Transfer.single(Transfer.idOf("refused:b"), f.issuer().id(), f.customers()[0], 777, 0, ""));
      CompletionException failure = assertThrows(CompletionException.class,
          () -> ledger.submit(request).toCompletableFuture().join());
      LedgerException cause = assertInstanceOf(LedgerException.class, failure.getCause());
      assertEquals(LedgerException.Reason.STORE_FAILED, cause.reason());
      assertEquals(before, Await.of(ledger.account(f.customers()[0])).orElseThrow(), "nothing half-applied");
      assertEquals(0, present(request.stream().map(Transfer::id).toList()));
      assertTrue(ledger.stats().batchesFailed() >= 1);

      c.createStatement().execute("ALTER TABLE ledger.transfer DROP CONSTRAINT test_poison");
      assertEquals(List.of(OK, OK), Await.of(ledger.submit(request)), "the retry with the same ids applies once");
      assertEquals(before.available() - 10 + 777, Await.of(ledger.account(f.customers()[0])).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void connectionsKilledMidLoadLoseNothingAnsweredAndKeepNothingRefused() throws Exception {
    Fixture f = fixture("killed:", 50);
    Map<UUID, Outcome> outcomes = new ConcurrentHashMap<>();
    AtomicInteger answered = new AtomicInteger();
    try (ManagedLedger ledger = f.ledger()) {
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(pool.submit(() -> load(ledger, f.customers(), client, outcomes, answered)));
      }
      int kills = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      for (int target = 300; kills < 3 && System.nanoTime() < deadline; ) {
        if (answered.get() >= target) {
          terminateLedgerConnections();
          kills++;
          target += 600;
        }
        Thread.onSpinWait();
        if (clients.stream().allMatch(Future::isDone)) break;
      }
      for (Future<?> client : clients) client.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
      pool.shutdown();
      assertTrue(kills >= 1, "the connections were killed during the load");
      long failed = outcomes.values().stream().filter(o -> o == Outcome.FAILED || o == Outcome.UNKNOWN).count();
      assertTrue(failed > 0, "killing the connections failed some batches: " + outcomes.size());
      assertEquals(OK, Await.of(ledger.submit(Transfer.single(Transfer.idOf("killed:after"), f.customers()[0],
          f.customers()[1], 1, 0, ""))), "the ledger recovered");
    }
    checkOutcomes(outcomes);
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void aDatabaseThatStopsAndComesBackLosesNothing() throws Exception {
    Fixture f = fixture("stopped:", 2);
    try (ManagedLedger ledger = f.ledger()) {
      Account before = Await.of(ledger.account(f.customers()[0])).orElseThrow();
      Transfer t = Transfer.single(Transfer.idOf("stopped:t"), f.customers()[0], f.customers()[1], 5, 0, "");
      db.close();
      try {
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> ledger.submit(t).toCompletableFuture().get(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertInstanceOf(LedgerException.class, e.getCause());
        assertEquals(LedgerException.Reason.STORE_FAILED, ((LedgerException) e.getCause()).reason());
      } finally {
        db = Database.embedded(dataDir, port);
      }
      assertEquals(0, present(List.of(t.id())), "a failed stage left nothing behind");
      TransferResult retried = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (retried == null && System.nanoTime() < deadline) {
        try {
          retried = Await.of(ledger.submit(t));
        } catch (LedgerException e) {
          Thread.onSpinWait(); // the pool is still reconnecting
        }
      }
      assertEquals(OK, retried);
      assertEquals(before.available() - 5, Await.of(ledger.account(f.customers()[0])).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  private static void load(ManagedLedger ledger, long[] customers, int client, Map<UUID, Outcome> outcomes,
                           AtomicInteger answered) {
    Random random = new Random(client);
    List<CompletableFuture<?>> inFlight = new ArrayList<>();
    for (int i = 0; i < TRANSFERS_PER_CLIENT; i++) {
      long a = customers[random.nextInt(customers.length)];
      long b = customers[random.nextInt(customers.length)];
      if (a == b) continue;
      Transfer t = random.nextInt(4) == 0
          ? Transfer.reserve(Transfer.idOf("killed:" + client + ":" + i), a, b, 1 + random.nextInt(50), 3600, 0, "")
          : Transfer.single(Transfer.idOf("killed:" + client + ":" + i), a, b, 1 + random.nextInt(50), 0, "");
      inFlight.add(ledger.submit(t).handle((r, e) -> {
        Outcome o;
        if (e == null) {
          o = r.applied() ? Outcome.APPLIED : Outcome.REFUSED;
        } else {
          Throwable cause = e instanceof CompletionException ? e.getCause() : e;
          o = cause instanceof LedgerException le && le.reason() == LedgerException.Reason.OUTCOME_UNKNOWN
              ? Outcome.UNKNOWN : Outcome.FAILED;
        }
        outcomes.put(t.id(), o);
        answered.incrementAndGet();
        return o;
      }).toCompletableFuture());
      if (inFlight.size() >= 4) {
        inFlight.forEach(CompletableFuture::join);
        inFlight.clear();
      }
    }
    inFlight.forEach(CompletableFuture::join);
  }

  private static void checkOutcomes(Map<UUID, Outcome> outcomes) throws Exception {
    Set<UUID> stored = ConcurrentHashMap.newKeySet();
    try (Connection c = LedgerAudit.connect(db);
         PreparedStatement s = c.prepareStatement("SELECT id FROM ledger.transfer WHERE id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("uuid", outcomes.keySet().toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) stored.add((UUID) rs.getObject(1));
      }
    }
    outcomes.forEach((id, o) -> {
      switch (o) {
        case APPLIED -> assertTrue(stored.contains(id), "answered OK but missing: " + id);
        case REFUSED, FAILED -> assertTrue(!stored.contains(id), "answered " + o + " but present: " + id);
        case UNKNOWN -> { } // either: the caller retries with the same id
      }
    });
  }

  private static void terminateLedgerConnections() throws Exception {
    try (Connection c = LedgerAudit.connect(db)) {
      c.createStatement().executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
          + " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'");
    }
  }

  private static long present(List<UUID> ids) throws Exception {
    try (Connection c = LedgerAudit.connect(db);
         PreparedStatement s = c.prepareStatement("SELECT count(*) FROM ledger.transfer WHERE id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
