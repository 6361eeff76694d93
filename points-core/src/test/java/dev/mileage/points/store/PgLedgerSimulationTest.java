package dev.mileage.points.store;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.Auditor;
import dev.mileage.points.testing.MutableClock;
import dev.mileage.points.testing.Workload;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The simulation's workload through the durable ledger on a real PostgreSQL, checked against the
 * auditor after every batch; then the ledger is re-opened from the database alone and every balance
 * must equal the auditor's and the sum of the stored transfers.
 */
class PgLedgerSimulationTest {
  static final long SEED = 20261123;
  static final int BATCHES = 150;
  static final int BATCH_SIZE_MAX = 40;
  static final int TYPES = 2;
  static final int CUSTOMERS_PER_TYPE = 10;

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
  void theDurableLedgerAgreesWithTheAuditorAndSurvivesReopening() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
    LedgerOptions options = LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1));
    Auditor auditor = new Auditor();
    List<Account> all = new ArrayList<>();
    long[] issuers = new long[TYPES];
    long[][] customers = new long[TYPES][CUSTOMERS_PER_TYPE];
    try (ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, options, clock))) {
      for (int type = 0; type < TYPES; type++) {
        Account issuer = Await.of(ledger.openAccount("operator", StandardPointTypes.MILEAGE + type, AccountFlags.NONE));
        issuers[type] = issuer.id();
        all.add(issuer);
        for (int c = 0; c < CUSTOMERS_PER_TYPE; c++) {
          Account a = Await.of(ledger.openAccount("member:" + c, StandardPointTypes.MILEAGE + type,
              AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
          customers[type][c] = a.id();
          all.add(a);
        }
      }
      all.forEach(auditor::open);
      Workload workload = new Workload(SEED, customers, issuers, "pgsim");
      int ok = 0;
      for (int b = 0; b < BATCHES; b++) {
        if (workload.random().nextInt(4) == 0) clock.advance(Duration.ofMillis(workload.random().nextInt(3000)));
        if (workload.random().nextInt(10) == 0) {
          long now = dev.mileage.points.engine.Micros.of(clock.instant());
          List<java.util.UUID> open = auditor.open();
          int before = auditor.open().size();
          auditor.apply(List.of(), open, now);
          int expired = Await.of(ledger.expireDue());
          assertEquals(before - auditor.open().size(), expired, "batch " + b + ": the sweep released the due ones");
        }
        List<Transfer> batch = workload.batch(1 + workload.random().nextInt(BATCH_SIZE_MAX));
        long now = dev.mileage.points.engine.Micros.of(clock.instant());
        List<TransferResult> results = Await.of(ledger.submit(batch));
        List<TransferResult> expected = auditor.apply(batch, List.of(), now);
        if (!expected.equals(results)) {
          fail("seed " + SEED + " batch " + b + ": auditor " + expected + " ledger " + results + " for " + batch);
        }
        ok += (int) results.stream().filter(r -> r == TransferResult.OK).count();
        for (Account a : all) {
          Account current = Await.of(ledger.account(a.id())).orElseThrow();
          assertTrue(auditor.accounts.get(a.id()).matches(current), "batch " + b + ": " + current);
        }
      }
      assertTrue(ok > 1000, "the workload moved points: " + ok);
    }
    try (ManagedLedger reopened = Await.of(PgLedger.start(vertx, db, options, clock))) {
      for (Account a : all) {
        Account current = Await.of(reopened.account(a.id())).orElseThrow();
        assertTrue(auditor.accounts.get(a.id()).matches(current), "after re-opening: " + current);
      }
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }
}
