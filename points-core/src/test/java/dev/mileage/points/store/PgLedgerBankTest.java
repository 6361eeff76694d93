package dev.mileage.points.store;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bank test on real PostgreSQL: many customers, many concurrent clients moving points between them
 * (singles, linked pairs, reservations posted or voided), the same transfers submitted concurrently by
 * every client. Total conserved, nobody below zero at any time, every OK durable, duplicates once.
 */
class PgLedgerBankTest {
  static final int CUSTOMERS = 200;
  static final long OPENING_BALANCE = 1_000;
  static final int CLIENTS = 12;
  static final int OPERATIONS_PER_CLIENT = 300;
  static final long DEADLINE_SECONDS = 180;

  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    db = Database.embedded(dataDir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
    db.close();
  }

  @Test
  void concurrentClientsConserveTheTotalAndNeverOverdraw() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
    try (ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock))) {
      Account bank = Await.of(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
      long[] customers = new long[CUSTOMERS];
      List<Transfer> funding = new ArrayList<>();
      for (int i = 0; i < CUSTOMERS; i++) {
        customers[i] = Await.of(ledger.openAccount("member:" + i, StandardPointTypes.MILEAGE,
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)).id();
        funding.add(Transfer.single(Transfer.idOf("bank:fund:" + i), bank.id(), customers[i], OPENING_BALANCE, 0, ""));
      }
      assertTrue(Await.of(ledger.submit(funding)).stream().allMatch(r -> r == OK));

      Set<UUID> applied = ConcurrentHashMap.newKeySet();
      Map<UUID, List<TransferResult>> duplicates = new ConcurrentHashMap<>();
      AtomicBoolean running = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        clients.add(pool.submit(() -> runClient(ledger, customers, client, applied, duplicates)));
      }
      Future<Integer> watcher = pool.submit(() -> {
        int checks = 0;
        Random random = new Random(7);
        while (running.get()) {
          Account a = Await.of(ledger.account(customers[random.nextInt(CUSTOMERS)])).orElseThrow();
          assertTrue(a.available() >= 0 && a.debitsPending() + a.debitsPosted() <= a.creditsPosted(), a.toString());
          checks++;
        }
        return checks;
      });
      for (Future<?> client : clients) client.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
      running.set(false);
      assertTrue(watcher.get(DEADLINE_SECONDS, TimeUnit.SECONDS) > 0);
      pool.shutdown();

      long total = 0;
      for (long id : customers) {
        Account a = Await.of(ledger.account(id)).orElseThrow();
        assertTrue(a.available() >= 0);
        assertEquals(0, a.debitsPending(), "every reservation was settled");
        total += a.available();
      }
      assertEquals(CUSTOMERS * OPENING_BALANCE, total, "points only moved between customers");
      assertTrue(applied.size() > CLIENTS * OPERATIONS_PER_CLIENT / 3, "the load moved points: " + applied.size());
      for (var e : duplicates.entrySet()) {
        long ok = e.getValue().stream().filter(r -> r == OK).count();
        long exists = e.getValue().stream().filter(r -> r == EXISTS).count();
        assertEquals(CLIENTS, e.getValue().size());
        assertTrue(ok <= 1 && (exists == 0 || ok == 1), "applied once: " + e.getKey() + " " + e.getValue());
      }
      assertTrue(ledger.stats().batchesCommitted() > 0);
      assertAllPresent(applied);
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  private static void runClient(ManagedLedger ledger, long[] customers, int client, Set<UUID> applied,
                                Map<UUID, List<TransferResult>> duplicates) {
    Random random = new Random(1000 + client);
    for (int op = 0; op < OPERATIONS_PER_CLIENT; op++) {
      long a = customers[random.nextInt(CUSTOMERS)];
      long b = customers[random.nextInt(CUSTOMERS)];
      long c = customers[random.nextInt(CUSTOMERS)];
      String key = "bank:" + client + ":" + op;
      int p = random.nextInt(100);
      if (op % 10 == 0) {
        // every client submits the same transfer at about the same step
        Transfer dup = Transfer.single(Transfer.idOf("bank:dup:" + op), customers[op % CUSTOMERS],
            customers[(op + 1) % CUSTOMERS], 1, 0, "dup");
        TransferResult r = Await.of(ledger.submit(dup));
        duplicates.computeIfAbsent(dup.id(), k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(r);
        if (r == OK) applied.add(dup.id());
      } else if (a == b || b == c) {
        continue;
      } else if (p < 55) {
        Transfer t = Transfer.single(Transfer.idOf(key), a, b, 1 + random.nextInt(300), 0, "pay");
        if (Await.of(ledger.submit(t)) == OK) applied.add(t.id());
      } else if (p < 75) {
        long amount = 1 + random.nextInt(200);
        List<Transfer> chain = List.of(Transfer.single(Transfer.idOf(key + ":1"), a, b, amount, 0, "").linked(),
            Transfer.single(Transfer.idOf(key + ":2"), b, c, amount, 0, ""));
        List<TransferResult> rs = Await.of(ledger.submit(chain));
        assertTrue(rs.equals(List.of(OK, OK)) || !rs.contains(OK), "a chain is all or nothing: " + rs);
        if (rs.get(0) == OK) chain.forEach(t -> applied.add(t.id()));
      } else {
        UUID hold = Transfer.idOf(key + ":hold");
        long amount = 1 + random.nextInt(200);
        if (Await.of(ledger.submit(Transfer.reserve(hold, a, b, amount, 3600, 0, ""))) != OK) continue;
        applied.add(hold);
        Transfer settle = random.nextBoolean()
            ? Transfer.post(Transfer.idOf(key + ":post"), hold, 1 + random.nextInt((int) amount), 0, "")
            : Transfer.voidPending(Transfer.idOf(key + ":void"), hold, 0, "");
        assertEquals(OK, Await.of(ledger.submit(settle)), "settling our own reservation");
        applied.add(settle.id());
      }
    }
  }

  private static void assertAllPresent(Set<UUID> ids) throws Exception {
    try (Connection c = LedgerAudit.connect(db)) {
      assertEquals(ids.size(), LedgerAudit.storedTransferIds(c, ids).size(),
          "every transfer answered OK is in the database");
    }
  }
}
