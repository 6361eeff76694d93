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

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A commit the database made but whose answer never came back, with the database out of reach for longer than the
 * writer asks (so the transfer is answered OUTCOME_UNKNOWN): once the database is back, the ledger shows that
 * transfer as applied, reads balances with it, and a retry with its id answers EXISTS, never applying it twice.
 */
class PgLedgerUnknownOutcomeTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:00:00Z"));

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
  void aCommitWhoseAnswerWasLostIsShownAppliedOnceTheDatabaseIsBack() throws Exception {
    Database.ConnectionInfo direct = db.connection();
    try (CuttableProxy proxy = new CuttableProxy(direct.port())) {
      Database viaProxy = Database.external("postgres://" + direct.user() + "@127.0.0.1:" + proxy.port() + "/"
          + direct.database());
      try (ManagedLedger ledger = Await.of(PgLedger.start(vertx, viaProxy, LedgerOptions.DEFAULTS, clock))) {
        Account issuer = Await.of(ledger.openAccount("lost:issuer", StandardPointTypes.MILEAGE, AccountFlags.NONE));
        Account customer = Await.of(ledger.openAccount("lost:customer", StandardPointTypes.MILEAGE,
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
        assertEquals(TransferResult.OK, Await.of(ledger.submit(
            Transfer.single(Transfer.idOf("lost:fund"), issuer.id(), customer.id(), 100, 0, ""))));
        Await.of(((PgLedger) ledger).awaitProjected());
        long before = writerSeq();

        // the database commits the debit, and its answer is held back
        proxy.hold();
        Transfer lost = Transfer.single(Transfer.idOf("lost:debit"), customer.id(), issuer.id(), 30, 0, "");
        CompletableFuture<TransferResult> answer = ledger.submit(lost).toCompletableFuture();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
        while (writerSeq() == before) {
          assertTrue(System.nanoTime() < deadline, "the database committed the batch");
          TimeUnit.MILLISECONDS.sleep(10);
        }
        assertTrue(!answer.isDone(), "not answered while the commit's answer is held back");
        // then the link drops, and the database stays out of reach while the writer asks whether it committed
        proxy.cut();
        ExecutionException unknown = assertThrows(ExecutionException.class,
            () -> answer.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        assertEquals(LedgerException.Reason.OUTCOME_UNKNOWN,
            assertInstanceOf(LedgerException.class, unknown.getCause()).reason());
        proxy.open();

        // the next write finds the batch committed in the writer's name and takes it in
        Transfer next = Transfer.single(Transfer.idOf("lost:next"), customer.id(), issuer.id(), 10, 0, "");
        TransferResult nextResult = null;
        while (nextResult == null) {
          assertTrue(System.nanoTime() < deadline,
              "the ledger writes again once the database is back");
          try {
            nextResult = Await.of(ledger.submit(next));
          } catch (LedgerException e) {
            assertTrue(e.reason() == LedgerException.Reason.STORE_FAILED, "reconnecting: " + e);
            TimeUnit.MILLISECONDS.sleep(50);
          }
        }
        assertEquals(TransferResult.OK, nextResult);
        assertTrue(Await.of(ledger.transfer(lost.id())).isPresent(), "the committed transfer is shown");
        assertEquals(TransferResult.EXISTS, Await.of(ledger.submit(lost)), "a retry never applies it twice");
        assertEquals(60, Await.of(ledger.account(customer.id())).orElseThrow().available());
        assertTrue(ledger.writing());
      }
      try (Connection c = LedgerAudit.connect(db)) {
        assertEquals(1, LedgerAudit.single(c, "SELECT count(*) FROM ledger.transfer WHERE id = '"
            + Transfer.idOf("lost:debit") + "'"));
      }
      LedgerAudit.assertBalancesEqualTheirTransfers(db);
    }
  }

  private static long writerSeq() throws Exception {
    try (Connection c = LedgerAudit.connect(db)) {
      return LedgerAudit.single(c, "SELECT batch_seq FROM ledger.writer WHERE id = 1");
    }
  }
}
