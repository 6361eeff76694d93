package dev.mileage.points.store;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerOptions;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static dev.mileage.points.ledger.TransferResult.EXCEEDS_CREDITS;
import static dev.mileage.points.ledger.TransferResult.OK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer pipelines: a batch is applied on top of the one still committing and its statement queued
 * behind it. The database is held still by a test transaction that locks the writer row, so the first
 * batch's statement waits inside the server while the second one, which spends what the first one
 * credits, is applied and sent. Answers must follow their own commit; a first commit that fails must
 * fail the second too and leave the balances as if neither had been applied.
 */
class PgLedgerPipelineTest {
  static final long DEADLINE_SECONDS = 60;

  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));

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

  /** An issuer and two empty customer accounts: {@code a} can only pay {@code b} once it has been credited. */
  record Fixture(PgLedger ledger, long issuer, long a, long b) {
    Transfer credit(String name) {
      return Transfer.single(Transfer.idOf(name + ":credit"), issuer, a, 500, 0, "");
    }

    Transfer spend(String name) {
      return Transfer.single(Transfer.idOf(name + ":spend"), a, b, 300, 0, "");
    }
  }

  /**
   * No periodic expiry sweep during a test (the default runs one every second of real time): a sweep is a batch, an
   * empty one too, and taken while the first batch is held it fills the pipeline's second place, so the count of two
   * in flight is reached while the second batch still waits in the queue; it then runs only after the first batch's
   * fate is known, on committed state.
   */
  static final LedgerOptions OPTIONS = LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1));

  static Fixture fixture(String prefix) {
    PgLedger ledger = (PgLedger) Await.of(PgLedger.start(vertx, db, OPTIONS, clock));
    long issuer = Await.of(ledger.openAccount(prefix + "issuer", StandardPointTypes.MILEAGE, AccountFlags.NONE)).id();
    int customer = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;
    long a = Await.of(ledger.openAccount(prefix + "a", StandardPointTypes.MILEAGE, customer)).id();
    long b = Await.of(ledger.openAccount(prefix + "b", StandardPointTypes.MILEAGE, customer)).id();
    return new Fixture(ledger, issuer, a, b);
  }

  @Test
  void aBatchAppliedOnAnUncommittedOneIsAnsweredOnlyAfterBothCommit() throws Exception {
    Fixture f = fixture("follow:");
    try (PgLedger ledger = f.ledger(); Connection lock = LedgerAudit.connect(db)) {
      holdWriterRow(lock);
      CompletableFuture<TransferResult> credit = ledger.submit(f.credit("follow")).toCompletableFuture();
      waitForWriterBlockedOnTheLock();
      CompletableFuture<TransferResult> spend = ledger.submit(f.spend("follow")).toCompletableFuture();
      waitForBatchesInFlight(ledger, 2);
      assertFalse(credit.isDone(), "no answer before its commit");
      assertFalse(spend.isDone(), "no answer before its commit");
      assertEquals(0, Await.of(ledger.account(f.a())).orElseThrow().creditsPosted(),
          "reads see committed state only, never the batches in flight");

      lock.rollback(); // the first statement takes the writer row, commits; the second follows it
      assertEquals(OK, credit.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
      assertEquals(OK, spend.get(DEADLINE_SECONDS, TimeUnit.SECONDS), "applied on top of the uncommitted credit");
      assertEquals(2, present(List.of(f.credit("follow").id(), f.spend("follow").id())));
      assertEquals(200, Await.of(ledger.account(f.a())).orElseThrow().available());
      assertEquals(300, Await.of(ledger.account(f.b())).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * A reservation created by a batch that is still committing, and posted by the next batch: the post's
   * update of the reservation row must see the row its predecessor inserted, which it does because the
   * server runs the second statement only after the first one committed.
   */
  @Test
  void aReservationIsPostedByTheBatchBehindTheOneCreatingIt() throws Exception {
    Fixture f = fixture("hold:");
    try (PgLedger ledger = f.ledger(); Connection lock = LedgerAudit.connect(db)) {
      assertEquals(OK, Await.of(ledger.submit(f.credit("hold"))));
      UUID hold = Transfer.idOf("hold:reserve");
      holdWriterRow(lock);
      CompletableFuture<TransferResult> reserve = ledger.submit(Transfer.reserve(hold, f.a(), f.b(), 400, 60, 0, ""))
          .toCompletableFuture();
      waitForWriterBlockedOnTheLock();
      CompletableFuture<TransferResult> post = ledger.submit(Transfer.post(Transfer.idOf("hold:post"), hold, 250, 0, ""))
          .toCompletableFuture();
      waitForBatchesInFlight(ledger, 2);
      lock.rollback();
      assertEquals(OK, reserve.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
      assertEquals(OK, post.get(DEADLINE_SECONDS, TimeUnit.SECONDS), "posted on top of the uncommitted reservation");
      Await.of(ledger.awaitProjected());
      try (Connection c = LedgerAudit.connect(db);
           PreparedStatement s = c.prepareStatement("SELECT status FROM ledger.pending WHERE id = ?")) {
        s.setObject(1, hold);
        try (ResultSet rs = s.executeQuery()) {
          assertTrue(rs.next());
          assertEquals(1, rs.getInt(1), "stored as posted");
        }
      }
      Account a = Await.of(ledger.account(f.a())).orElseThrow();
      assertEquals(250, a.debitsPosted());
      assertEquals(0, a.debitsPending());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void aCommitTheServerRefusesFailsItsDependentAndRollsItBack() throws Exception {
    Fixture f = fixture("refused:");
    try (PgLedger ledger = f.ledger(); Connection lock = LedgerAudit.connect(db)) {
      holdWriterRow(lock);
      CompletableFuture<TransferResult> credit = ledger.submit(f.credit("refused")).toCompletableFuture();
      long writer = waitForWriterBlockedOnTheLock();
      CompletableFuture<TransferResult> spend = ledger.submit(f.spend("refused")).toCompletableFuture();
      waitForBatchesInFlight(ledger, 2);
      try (Connection admin = LedgerAudit.connect(db)) {
        // an ERROR for the first statement: it rolls back, the connection stays
        admin.createStatement().executeQuery("SELECT pg_cancel_backend(" + writer + ")").close();
      }
      assertFailed(credit);
      assertFailed(spend);
      lock.rollback();
      assertRolledBack(f, "refused");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void aConnectionCutUnderTwoBatchesFailsBothAndRollsThemBack() throws Exception {
    Fixture f = fixture("cut:");
    try (PgLedger ledger = f.ledger(); Connection lock = LedgerAudit.connect(db)) {
      holdWriterRow(lock);
      CompletableFuture<TransferResult> credit = ledger.submit(f.credit("cut")).toCompletableFuture();
      long writer = waitForWriterBlockedOnTheLock();
      CompletableFuture<TransferResult> spend = ledger.submit(f.spend("cut")).toCompletableFuture();
      waitForBatchesInFlight(ledger, 2);
      try (Connection admin = LedgerAudit.connect(db)) {
        // no answer for either statement: the writer must find out from the writer row that neither committed
        admin.createStatement().executeQuery("SELECT pg_terminate_backend(" + writer + ")").close();
      }
      assertFailed(credit);
      assertFailed(spend);
      lock.rollback();
      assertRolledBack(f, "cut");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * Neither transfer is stored, the balances are the committed ones, and the spend retried alone is
   * refused: had the failed credit stayed in the writer's memory, it would have been accepted. Retried in
   * order, both apply once.
   */
  private static void assertRolledBack(Fixture f, String name) throws Exception {
    PgLedger ledger = f.ledger();
    assertEquals(0, present(List.of(f.credit(name).id(), f.spend(name).id())), "nothing of either batch stored");
    assertEquals(0, Await.of(ledger.account(f.a())).orElseThrow().creditsPosted());
    assertEquals(0, Await.of(ledger.account(f.b())).orElseThrow().creditsPosted());
    assertEquals(EXCEEDS_CREDITS, Await.of(ledger.submit(f.spend(name))), "the failed credit left no trace in memory");
    assertEquals(OK, Await.of(ledger.submit(f.credit(name))));
    assertEquals(OK, Await.of(ledger.submit(f.spend(name))));
    Account a = Await.of(ledger.account(f.a())).orElseThrow();
    assertEquals(200, a.available());
  }

  private static void assertFailed(CompletableFuture<TransferResult> answer) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    LedgerException failure = assertInstanceOf(LedgerException.class, e.getCause());
    assertEquals(LedgerException.Reason.STORE_FAILED, failure.reason(), "known not committed: " + failure);
  }

  private static void holdWriterRow(Connection lock) throws Exception {
    lock.setAutoCommit(false);
    lock.createStatement().executeQuery("SELECT * FROM ledger.writer WHERE id = 1 FOR UPDATE").close();
  }

  private static void waitForBatchesInFlight(PgLedger ledger, int batches) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (ledger.batchesInFlight() < batches) {
      assertTrue(System.nanoTime() < deadline, "the second batch was never sent behind the first");
      Thread.onSpinWait();
    }
  }

  /** The pid of the ledger's write statement once it waits for the writer row lock the test holds. */
  private static long waitForWriterBlockedOnTheLock() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    try (Connection c = LedgerAudit.connect(db)) {
      while (System.nanoTime() < deadline) {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT pid FROM pg_stat_activity"
            + " WHERE wait_event_type = 'Lock' AND query LIKE '%INSERT INTO ledger.journal%'")) {
          if (rs.next()) return rs.getLong(1);
        }
        Thread.onSpinWait();
      }
    }
    throw new AssertionError("the write never blocked on the writer row");
  }

  private static long present(List<UUID> ids) throws Exception {
    try (Connection c = LedgerAudit.connect(db)) {
      return LedgerAudit.storedTransferIds(c, ids).size();
    }
  }
}
