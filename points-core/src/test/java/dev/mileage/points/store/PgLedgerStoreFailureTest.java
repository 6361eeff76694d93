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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
      // the commit is the journal record: refuse any record holding the 8-byte amount 777 (nothing else in
      // this test's records is 777: the counters are in the thousands)
      c.createStatement().execute("ALTER TABLE ledger.journal ADD CONSTRAINT test_poison"
          + " CHECK (position('\\x0000000000000309'::bytea IN body) = 0)");
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

      c.createStatement().execute("ALTER TABLE ledger.journal DROP CONSTRAINT test_poison");
      assertEquals(List.of(OK, OK), Await.of(ledger.submit(request)), "the retry with the same ids applies once");
      assertEquals(before.available() - 10 + 777, Await.of(ledger.account(f.customers()[0])).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * The projection (journal to tables) is refused after the commit: the transfers were answered OK and stay
   * so. Reads answer the committed state from memory meanwhile, history waits for the tables, the writer
   * keeps taking batches, and once the tables accept the rows again everything is projected exactly once.
   */
  @Test
  void aProjectionTheDatabaseRefusesIsRetriedAndNothingAnsweredIsLost() throws Exception {
    Fixture f = fixture("unprojected:", 2);
    PgLedger ledger = (PgLedger) f.ledger();
    try (ledger; Connection c = LedgerAudit.connect(db)) {
      Await.of(ledger.awaitProjected());
      Account before = Await.of(ledger.account(f.customers()[0])).orElseThrow();
      c.createStatement().execute("ALTER TABLE ledger.transfer ADD CONSTRAINT test_poison CHECK (amount <> 7771)");
      Transfer poisoned = Transfer.single(Transfer.idOf("unprojected:a"), f.issuer().id(), f.customers()[0], 7771, 0, "");
      assertEquals(OK, Await.of(ledger.submit(poisoned)), "durable once its journal record committed");
      CompletableFuture<dev.mileage.points.ledger.HistoryPage> history =
          ledger.history(f.customers()[0], null, 10).toCompletableFuture();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
      while (failedProjections(ledger) == 0) {
        assertTrue(System.nanoTime() < deadline, "the projection was tried and refused");
        Thread.sleep(10);
      }
      assertFalse(history.isDone(), "history waits until the tables hold what was answered");
      assertEquals(before.available() + 7771, Await.of(ledger.account(f.customers()[0])).orElseThrow().available(),
          "the balance is the committed one");
      assertEquals(7771, Await.of(ledger.transfer(poisoned.id())).orElseThrow().transfer().amount());
      assertEquals(before.available() + 7771, Await.of(ledger.accountOf("unprojected:0",
          dev.mileage.points.ledger.StandardPointTypes.MILEAGE)).orElseThrow().available());
      assertEquals(before.available() + 7771, Await.of(ledger.openAccount("unprojected:0",
          dev.mileage.points.ledger.StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)).available(),
          "opening an existing account answers its committed state too");
      Transfer next = Transfer.single(Transfer.idOf("unprojected:b"), f.customers()[0], f.customers()[1], 7, 0, "");
      assertEquals(OK, Await.of(ledger.submit(next)), "the writer goes on while the projection waits");
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + poisoned.id() + "'"));
      assertEquals(before.creditsPosted(), countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = "
          + f.customers()[0]), "no state is written past a refused row");

      c.createStatement().execute("ALTER TABLE ledger.transfer DROP CONSTRAINT test_poison");
      var page = history.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
      assertTrue(page.transfers().stream().anyMatch(r -> r.transfer().id().equals(poisoned.id())), "projected");
      Await.of(ledger.awaitProjected());
      assertEquals(2, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id IN ('" + poisoned.id() + "', '" + next.id() + "')"), "exactly once");
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected records are deleted");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * A ledger that stops (or dies) with committed batches not yet projected leaves them in the journal; the
   * next start projects them before it takes any work, exactly once.
   */
  @Test
  void batchesLeftInTheJournalAreProjectedAtTheNextStart() throws Exception {
    Fixture f = fixture("restart:", 2);
    Transfer stranded = Transfer.single(Transfer.idOf("restart:a"), f.issuer().id(), f.customers()[0], 7772, 0, "");
    Account before;
    try (Connection c = LedgerAudit.connect(db)) {
      PgLedger ledger = (PgLedger) f.ledger();
      Await.of(ledger.awaitProjected());
      before = Await.of(ledger.account(f.customers()[0])).orElseThrow();
      c.createStatement().execute("ALTER TABLE ledger.transfer ADD CONSTRAINT test_poison CHECK (amount <> 7772)");
      try {
        assertEquals(OK, Await.of(ledger.submit(stranded)));
        awaitRefused(ledger, "the projection was tried and refused");
        ledger.close(); // gives up projecting: the journal keeps the batch
        assertTrue(countRows(c, "SELECT count(*) FROM ledger.journal") >= 1, "left in the journal");
        assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + stranded.id() + "'"));
        LedgerAudit.assertBalancesEqualTheirTransfers(db); // the tables are consistent, only behind
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.transfer DROP CONSTRAINT test_poison");
      }
    }
    try (PgLedger again = (PgLedger) Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
         Connection c = LedgerAudit.connect(db)) {
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected at start");
      assertEquals(1, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + stranded.id() + "'"));
      assertEquals(before.available() + 7772, Await.of(again.account(f.customers()[0])).orElseThrow().available());
      assertEquals(TransferResult.EXISTS, Await.of(again.submit(stranded)), "the same id is known, not applied twice");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * The projection's state lane (accounts, reservations) is refused while its transfer lane is not: the
   * transfer rows go ahead, tagged with their batch, and the tables stay consistent as of the state fence (the
   * audit sums the rows up to it). Closing leaves the batch in the journal; the next start projects it, its row
   * exactly once (the row is there already and stays as it is).
   */
  @Test
  void theTransferLaneRunsAheadOfARefusedStateLaneAndTheStartFinishesTheState() throws Exception {
    Fixture f = fixture("lanes:", 2);
    long customer = f.customers()[0];
    Transfer ahead = Transfer.single(Transfer.idOf("lanes:a"), f.issuer().id(), customer, 7773, 0, "");
    Account before;
    try (Connection c = LedgerAudit.connect(db)) {
      PgLedger ledger = (PgLedger) f.ledger();
      Await.of(ledger.awaitProjected());
      before = Await.of(ledger.account(customer)).orElseThrow();
      long stored = before.creditsPosted() + 7773;
      c.createStatement().execute("ALTER TABLE ledger.account ADD CONSTRAINT test_poison CHECK (credits_posted <> "
          + stored + ")");
      try {
        assertEquals(OK, Await.of(ledger.submit(ahead)), "durable once its journal record committed");
        awaitRefused(ledger, "the state lane was tried and refused");
        assertEquals(1, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + ahead.id() + "'"
            + " AND batch_seq > (SELECT batch_seq FROM ledger.projection WHERE id = 1)"), "the row went ahead");
        assertEquals(before.creditsPosted(), countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = "
            + customer), "the table's account is not changed yet");
        assertEquals(stored, Await.of(ledger.account(customer)).orElseThrow().creditsPosted(), "reads answer the committed state");
        LedgerAudit.assertBalancesEqualTheirTransfers(db); // consistent as of the state fence
        ledger.close(); // gives up projecting: the journal keeps the batch
        assertTrue(countRows(c, "SELECT count(*) FROM ledger.journal") >= 1, "left in the journal");
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.account DROP CONSTRAINT test_poison");
      }
    }
    try (PgLedger again = (PgLedger) Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
         Connection c = LedgerAudit.connect(db)) {
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected at start");
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.projection p, ledger.writer w"
          + " WHERE p.batch_seq <> w.batch_seq"), "the projection caught up with the journal");
      assertEquals(1, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + ahead.id() + "'"));
      assertEquals(before.creditsPosted() + 7773, countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = "
          + customer));
      assertEquals(before.available() + 7773, Await.of(again.account(customer)).orElseThrow().available());
      assertEquals(TransferResult.EXISTS, Await.of(again.submit(ahead)), "the same id is known, not applied twice");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * One batch that fills a transfer-lane statement: {@link LedgerWriter#PROJECTION_TRANSFERS_MAX} single credits of 1
   * to {@code customer}, the first of {@code firstAmount}, with ids {@code prefix + i}.
   */
  private static List<Transfer> fullBatch(Fixture f, long customer, String prefix, long firstAmount) {
    List<Transfer> batch = new ArrayList<>(LedgerWriter.PROJECTION_TRANSFERS_MAX);
    for (int i = 0; i < LedgerWriter.PROJECTION_TRANSFERS_MAX; i++) {
      batch.add(Transfer.single(Transfer.idOf(prefix + i), f.issuer().id(), customer, i == 0 ? firstAmount : 1, 0, ""));
    }
    return batch;
  }

  /**
   * The transfer lane writes on two connections: a statement the database refuses does not hold the next one, whose
   * rows are written on the other connection meanwhile; the state waits for both, and once the first is accepted
   * every row is there exactly once (everything from the refused statement on goes again, and rows already written
   * stay as they are).
   */
  @Test
  void aRefusedTransferStatementDoesNotHoldTheNextAndEveryRowIsWrittenOnce() throws Exception {
    Fixture f = fixture("parallel:", 2);
    long customer = f.customers()[0];
    PgLedger ledger = (PgLedger) f.ledger();
    int perBatch = LedgerWriter.PROJECTION_TRANSFERS_MAX;
    try (ledger; Connection c = LedgerAudit.connect(db)) {
      Await.of(ledger.awaitProjected());
      long credits = Await.of(ledger.account(customer)).orElseThrow().creditsPosted();
      c.createStatement().execute("ALTER TABLE ledger.transfer ADD CONSTRAINT test_poison CHECK (amount <> 7774)");
      List<UUID> ids = new ArrayList<>();
      UUID refused;
      UUID later;
      try {
        List<Transfer> first = fullBatch(f, customer, "parallel:a:", 7774);
        Await.of(ledger.submit(first)).forEach(r -> assertEquals(OK, r));
        awaitRefused(ledger, "the first statement was refused");
        List<Transfer> second = fullBatch(f, customer, "parallel:b:", 1);
        Await.of(ledger.submit(second)).forEach(r -> assertEquals(OK, r));
        first.forEach(t -> ids.add(t.id()));
        second.forEach(t -> ids.add(t.id()));
        refused = first.get(0).id();
        later = second.get(perBatch - 1).id();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + later + "'") == 0) {
          assertTrue(System.nanoTime() < deadline, "the next statement was written while the first was refused");
          Thread.sleep(10);
        }
        assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + refused + "'"));
        assertEquals(credits, countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = " + customer),
            "the state waits for the refused rows");
        assertEquals(credits + 7773 + 2L * perBatch, Await.of(ledger.account(customer)).orElseThrow().creditsPosted(),
            "reads answer the committed state");
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.transfer DROP CONSTRAINT test_poison");
      }
      Await.of(ledger.awaitProjected());
      assertEquals(ids.size(), countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id IN (SELECT unnest(ARRAY['"
          + ids.stream().map(UUID::toString).collect(java.util.stream.Collectors.joining("','")) + "']::uuid[]))"),
          "every row, once (the key holds at most one)");
      assertEquals(credits + 7773 + 2L * perBatch, countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = "
          + customer));
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected records are deleted");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * While the state lane is refused, the transfer lane writes the rows of every batch and their projections
   * wait for the state lane; once it accepts again they go as one statement (an account they all change is
   * updated once), not one statement each.
   */
  @Test
  void projectionsWaitingForTheStateLaneAreWrittenTogether() throws Exception {
    Fixture f = fixture("merge:", 2);
    long customer = f.customers()[0];
    PgLedger ledger = (PgLedger) f.ledger();
    try (ledger; Connection c = LedgerAudit.connect(db)) {
      long credits = refuseCreditChanges(c, ledger, customer);
      List<UUID> ids = new ArrayList<>();
      long projectionsBefore;
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        for (int i = 0; i < 6; i++) {
          // one batch and one transfer-lane statement each: the next goes once this one's row is written
          Transfer t = Transfer.single(Transfer.idOf("merge:" + i), f.issuer().id(), customer, 1, 0, "");
          assertEquals(OK, Await.of(ledger.submit(t)));
          ids.add(t.id());
          while (countRows(c, "SELECT count(*) FROM ledger.transfer WHERE id = '" + t.id() + "'") == 0) {
            assertTrue(System.nanoTime() < deadline, "the transfer lane went on while the state lane was refused");
            Thread.sleep(5);
          }
        }
        awaitRefused(ledger, "the state lane was refused");
        // read while the state lane is still refused: a retry (every 500 ms) may commit as soon as the constraint
        // is dropped, before a read after the drop, and would not be counted
        projectionsBefore = ledger.stats().projections();
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.account DROP CONSTRAINT test_poison");
      }
      Await.of(ledger.awaitProjected());
      long statements = ledger.stats().projections() - projectionsBefore;
      assertTrue(statements >= 1 && statements < ids.size(), "merged into fewer statements: " + statements);
      assertEquals(credits + ids.size(), countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = " + customer));
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected records are deleted");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * While the state lane is refused, the transfer lane writes three batches of a full statement each; their rows
   * then leave memory (reads by id find them in the table), while the account they change stays there. Once the
   * state lane accepts, what waited goes as one statement, larger than a transfer-lane statement may be.
   */
  @Test
  void theStateLaneWritesWhatWaitedInOneStatementAndTheRowsLeaveMemoryFirst() throws Exception {
    Fixture f = fixture("window:", 2);
    long customer = f.customers()[0];
    PgLedger ledger = (PgLedger) f.ledger();
    int perBatch = LedgerWriter.PROJECTION_TRANSFERS_MAX;
    int batches = 3;
    try (ledger; Connection c = LedgerAudit.connect(db)) {
      long credits = refuseCreditChanges(c, ledger, customer);
      List<UUID> ids = new ArrayList<>();
      long projectionsBefore;
      try {
        for (int b = 0; b < batches; b++) {
          List<Transfer> batch = fullBatch(f, customer, "window:" + b + ":", 1);
          Await.of(ledger.submit(batch)).forEach(r -> assertEquals(OK, r));
          batch.forEach(t -> ids.add(t.id()));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (ledger.unprojectedEntries()[0] > 0) {
          assertTrue(System.nanoTime() < deadline, "the transfer lane wrote every row while the state lane was refused");
          Thread.sleep(10);
        }
        awaitRefused(ledger, "the state lane was refused");
        assertEquals(batches * perBatch, countRows(c, "SELECT count(*) FROM ledger.transfer WHERE batch_seq >"
            + " (SELECT batch_seq FROM ledger.projection WHERE id = 1)"), "the rows are in the table");
        assertEquals(batches * perBatch, ledger.unprojectedTransfers(), "and their state is not");
        assertTrue(ledger.unprojectedEntries()[1] >= 2, "the accounts stay in memory: " + ledger.unprojectedEntries()[1]);
        for (UUID id : List.of(ids.get(0), ids.get(ids.size() / 2), ids.get(ids.size() - 1))) {
          assertTrue(Await.of(ledger.transfer(id)).isPresent(), "read from the table: " + id);
        }
        assertEquals(credits + ids.size(), Await.of(ledger.account(customer)).orElseThrow().creditsPosted(),
            "reads answer the committed state");
        // read while the state lane is still refused: a retry (every 500 ms) may commit as soon as the constraint
        // is dropped, before a read after the drop, and would not be counted
        projectionsBefore = ledger.stats().projections();
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.account DROP CONSTRAINT test_poison");
      }
      Await.of(ledger.awaitProjected());
      assertEquals(1, ledger.stats().projections() - projectionsBefore,
          "one state statement for " + batches + " transfer-lane statements");
      assertEquals(credits + ids.size(), countRows(c, "SELECT credits_posted FROM ledger.account WHERE id = " + customer));
      assertArrayEquals(new int[] {0, 0, 0}, ledger.unprojectedEntries(), "nothing left in memory");
      assertEquals(0, countRows(c, "SELECT count(*) FROM ledger.journal"), "projected records are deleted");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * An account whose later state equals an earlier one (a reservation voided back to the same counters) while
   * the projection waits: the projected change leaves memory and is cached with the equal later state, not
   * dropped from memory while the cache keeps the state from before both (the reader then saw the account as
   * it was before the debit). The changes are cached when projected, so the cache holds the first state here.
   */
  @Test
  void anAccountBackToAnEarlierStateWhileTheProjectionWaitsIsReadAsItIs() throws Exception {
    Fixture f = fixture("equal:", 2);
    long customer = f.customers()[0];
    PgLedger ledger = (PgLedger) f.ledger();
    try (ledger; Connection c = LedgerAudit.connect(db)) {
      Await.of(ledger.awaitProjected());
      Account before = Await.of(ledger.account(customer)).orElseThrow();
      assertEquals(0, before.debitsPosted());
      // refuses any change of the customer's posted debits, however many batches one statement holds
      c.createStatement().execute("ALTER TABLE ledger.account ADD CONSTRAINT test_poison CHECK (id <> " + customer
          + " OR debits_posted = 0)");
      Transfer reserve = Transfer.reserve(Transfer.idOf("equal:reserve"), customer, f.issuer().id(), 5, 60, 0, "");
      try {
        assertEquals(OK, Await.of(ledger.submit(Transfer.single(Transfer.idOf("equal:debit"), customer,
            f.issuer().id(), 10, 0, ""))));
        assertEquals(OK, Await.of(ledger.submit(reserve)));
        assertEquals(5, Await.of(ledger.account(customer)).orElseThrow().debitsPending());
        assertEquals(OK, Await.of(ledger.submit(Transfer.voidPending(Transfer.idOf("equal:void"), reserve.id(), 0, ""))));
        awaitRefused(ledger, "the state lane was refused");
      } finally {
        c.createStatement().execute("ALTER TABLE ledger.account DROP CONSTRAINT test_poison");
      }
      Await.of(ledger.awaitProjected());
      Account after = Await.of(ledger.account(customer)).orElseThrow();
      assertEquals(10, after.debitsPosted(), "the debit: " + after);
      assertEquals(0, after.debitsPending(), "the voided reservation: " + after);
      assertEquals(before.available() - 10, after.available());
      assertEquals(10, countRows(c, "SELECT debits_posted FROM ledger.account WHERE id = " + customer));
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * Once the tables are current, makes the database refuse any change of {@code account}'s posted credits, however
   * many batches one statement holds (dropped as {@code test_poison}); answers those credits.
   */
  private static long refuseCreditChanges(Connection c, PgLedger ledger, long account) throws Exception {
    Await.of(ledger.awaitProjected());
    long credits = Await.of(ledger.account(account)).orElseThrow().creditsPosted();
    c.createStatement().execute("ALTER TABLE ledger.account ADD CONSTRAINT test_poison CHECK (id <> " + account
        + " OR credits_posted = " + credits + ")");
    return credits;
  }

  /** Waits, bounded, until the database has refused a projection statement. */
  private static void awaitRefused(PgLedger ledger, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
    while (ledger.projectionsFailed() == 0) {
      assertTrue(System.nanoTime() < deadline, what);
      Thread.sleep(10);
    }
  }

  private static long failedProjections(PgLedger ledger) {
    return ledger.projectionsFailed();
  }

  private static long countRows(Connection c, String sql) throws Exception {
    return LedgerAudit.single(c, sql);
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
  void aCommitCutOffMidStatementIsResolvedBeforeAnswering() throws Exception {
    Fixture f = fixture("cut:", 2);
    try (ManagedLedger ledger = f.ledger(); Connection lock = LedgerAudit.connect(db)) {
      Account before = Await.of(ledger.account(f.customers()[0])).orElseThrow();
      Transfer t = Transfer.single(Transfer.idOf("cut:t"), f.customers()[0], f.customers()[1], 5, 0, "");
      lock.setAutoCommit(false);
      lock.createStatement().executeQuery("SELECT * FROM ledger.writer WHERE id = 1 FOR UPDATE").close();
      CompletableFuture<TransferResult> answer = ledger.submit(t).toCompletableFuture();
      long writer = waitForWriterBlockedOnTheLock();
      assertTrue(!answer.isDone(), "no answer while the commit is undecided");
      try (Connection admin = LedgerAudit.connect(db)) {
        admin.createStatement().executeQuery("SELECT pg_terminate_backend(" + writer + ")").close();
      }
      ExecutionException e = assertThrows(ExecutionException.class, () -> answer.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
      assertEquals(LedgerException.Reason.STORE_FAILED, assertInstanceOf(LedgerException.class, e.getCause()).reason(),
          "the writer learned that the cut-off statement did not commit");
      lock.rollback();
      assertEquals(0, present(List.of(t.id())));
      assertEquals(before, Await.of(ledger.account(f.customers()[0])).orElseThrow());
      assertEquals(OK, Await.of(ledger.submit(t)), "the writer reconnected");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
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
    Set<UUID> stored;
    try (Connection c = LedgerAudit.connect(db)) {
      stored = LedgerAudit.storedTransferIds(c, outcomes.keySet());
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
    try (Connection c = LedgerAudit.connect(db)) {
      return LedgerAudit.storedTransferIds(c, ids).size();
    }
  }
}
