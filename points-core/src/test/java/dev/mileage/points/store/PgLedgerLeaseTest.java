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
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One ledger writes to a database at a time (the writer lease): a second ledger on the same database waits for
 * the first to let go, refuses to start if it does not, and changes nothing; a ledger whose lease another writer
 * took while it was disconnected writes nothing more.
 */
class PgLedgerLeaseTest {
  static final Duration SHORT_WAIT = Duration.ofSeconds(1);

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
  void aSecondLedgerOnTheSameDatabaseIsRefusedNamingTheHolderAndChangesNothing() throws Exception {
    try (ManagedLedger first = Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock))) {
      Pair p = pair(first, "refused");
      assertEquals(TransferResult.OK, Await.of(first.submit(fund(p, "refused:1", 10))));
      long writerPid;
      long seqBefore;
      try (Connection c = LedgerAudit.connect(db)) {
        writerPid = LedgerAudit.single(c, "SELECT pid FROM pg_stat_activity WHERE application_name = '"
            + PgLedger.WRITER_APPLICATION_NAME + "' AND datname = current_database()");
        seqBefore = LedgerAudit.single(c, "SELECT batch_seq FROM ledger.writer WHERE id = 1");
      }

      long started = System.nanoTime();
      LedgerException refused = assertThrows(LedgerException.class,
          () -> Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS.withLeaseWait(SHORT_WAIT), clock)));
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertEquals(LedgerException.Reason.STORE_FAILED, refused.reason());
      assertTrue(refused.getMessage().contains("writer lease"), refused.getMessage());
      assertTrue(refused.getMessage().contains("backend " + writerPid + " "),
          "names the holder: " + refused.getMessage());
      assertTrue(waitedMs >= SHORT_WAIT.toMillis() - 250, "waited for the lease first: " + waitedMs + " ms");

      try (Connection c = LedgerAudit.connect(db)) {
        assertEquals(seqBefore, LedgerAudit.single(c, "SELECT batch_seq FROM ledger.writer WHERE id = 1"));
        assertEquals(0, LedgerAudit.single(c, "SELECT count(*) FROM ledger.journal WHERE batch_seq > " + seqBefore));
        assertEquals(0, LedgerAudit.single(c, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            + " WHERE l.locktype = 'advisory' AND a.pid <> " + writerPid + " AND a.application_name = '"
            + PgLedger.WRITER_APPLICATION_NAME + "'"), "the refused ledger holds no lock");
        assertEquals(1, LedgerAudit.single(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
            + PgLedger.WRITER_APPLICATION_NAME + "' AND datname = current_database()"),
            "the refused ledger left no writer connection behind");
      }
      // the first goes on as before
      assertEquals(TransferResult.OK, Await.of(first.submit(fund(p, "refused:2", 5))));
      assertEquals(15, Await.of(first.account(p.customer.id())).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void aRestartThatOverlapsTheOldLedgerWaitsForItAndReadsWhatItWrote() throws Exception {
    ManagedLedger first = Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
    Pair p = pair(first, "overlap");
    assertEquals(TransferResult.OK, Await.of(first.submit(fund(p, "overlap:1", 7))));
    CompletableFuture<ManagedLedger> second = PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock)
        .toCompletableFuture();
    // the new one waits while the old one still holds the database
    TimeUnit.MILLISECONDS.sleep(3 * LedgerWriter.LEASE_RETRY_MS);
    assertTrue(!second.isDone(), "started while the old ledger still held the lease");
    assertEquals(TransferResult.OK, Await.of(first.submit(fund(p, "overlap:2", 3))));
    first.close();
    try (ManagedLedger next = Await.of(second)) {
      assertEquals(10, Await.of(next.account(p.customer.id())).orElseThrow().available());
      assertEquals(TransferResult.OK, Await.of(next.submit(fund(p, "overlap:3", 1))));
      assertEquals(TransferResult.EXISTS, Await.of(next.submit(fund(p, "overlap:2", 3))), "idempotent across writers");
      assertEquals(11, Await.of(next.account(p.customer.id())).orElseThrow().available());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void aLedgerWhoseLeaseAnotherWriterTookWritesNothingMore() throws Exception {
    LedgerOptions options = LedgerOptions.DEFAULTS.withLeaseWait(SHORT_WAIT);
    try (ManagedLedger deposed = Await.of(PgLedger.start(vertx, db, options, clock))) {
      Pair p = pair(deposed, "deposed");
      assertEquals(TransferResult.OK, Await.of(deposed.submit(fund(p, "deposed:1", 20))));
      assertEquals(20, Await.of(deposed.account(p.customer.id())).orElseThrow().available()); // now in its memory
      Await.of(((PgLedger) deposed).awaitProjected()); // its own projection is done: only the writer row speaks below
      // its connection is lost, and another ledger starts on the database meanwhile
      terminateWriters();
      try (ManagedLedger taker = Await.of(PgLedger.start(vertx, db, options, clock))) {
        // the cut-off ledger learns of its lost connection: that batch was not committed
        LedgerException lost = assertThrows(LedgerException.class,
            () -> Await.of(deposed.submit(debit(p, "deposed:lost", 10))));
        assertEquals(LedgerException.Reason.STORE_FAILED, lost.reason(), messages(lost));
        // and cannot take the lease back while the other holds it
        LedgerException blocked = assertThrows(LedgerException.class,
            () -> Await.of(deposed.submit(debit(p, "deposed:blocked", 10))));
        assertEquals(LedgerException.Reason.STORE_FAILED, blocked.reason());
        assertTrue(messages(blocked).contains("writer lease"), messages(blocked));
        // and, knowing another ledger holds the database, answers no read from its memory either
        LedgerException unread = assertThrows(LedgerException.class, () -> Await.of(deposed.account(p.customer.id())));
        assertEquals(LedgerException.Reason.STORE_FAILED, unread.reason());
        assertTrue(messages(unread).contains("writer lease"), messages(unread));
        assertEquals(TransferResult.OK, Await.of(taker.submit(debit(p, "deposed:taker", 15))));
      }
      // the other let go: the cut-off ledger's memory says 20 available, the database 5. It must not write on
      // that (a 10-point debit would overdraw the customer): it writes nothing more
      for (String id : new String[] {"deposed:after:1", "deposed:after:2"}) {
        LedgerException stale = assertThrows(LedgerException.class, () -> Await.of(deposed.submit(debit(p, id, 10))));
        assertEquals(LedgerException.Reason.STOPPED, stale.reason());
        assertTrue(messages(stale).contains("one writer per ledger"), messages(stale));
      }
      // nor does it answer reads: its memory says 20 available where the database holds 5
      List<Executable> reads = List.of(
          () -> Await.of(deposed.account(p.customer.id())),
          () -> Await.of(deposed.accountOf("deposed:customer", StandardPointTypes.MILEAGE)),
          () -> Await.of(deposed.accountsOf("deposed:customer")),
          () -> Await.of(deposed.transfer(Transfer.idOf("deposed:1"))),
          () -> Await.of(deposed.transfers(List.of(Transfer.idOf("deposed:1")))),
          () -> Await.of(deposed.history(p.customer.id(), null, 10)));
      for (Executable read : reads) {
        LedgerException refused = assertThrows(LedgerException.class, read);
        assertEquals(LedgerException.Reason.STOPPED, refused.reason());
        assertTrue(messages(refused).contains("one writer per ledger"), messages(refused));
      }
      // nor opens an account: refused before anything is written
      LedgerException opening = assertThrows(LedgerException.class,
          () -> Await.of(deposed.openAccount("deposed:late", StandardPointTypes.MILEAGE, AccountFlags.NONE)));
      assertEquals(LedgerException.Reason.STOPPED, opening.reason());
      try (Connection c = LedgerAudit.connect(db)) {
        assertEquals(0, LedgerAudit.single(c, "SELECT count(*) FROM ledger.account WHERE owner = 'deposed:late'"));
      }
      assertNoneStored("deposed:lost", "deposed:blocked", "deposed:after:1", "deposed:after:2");
    }
    try (ManagedLedger fresh = Await.of(PgLedger.start(vertx, db, options, clock))) {
      Pair p = pair(fresh, "deposed"); // opening is idempotent by owner and type
      assertEquals(5, Await.of(fresh.account(p.customer.id())).orElseThrow().available());
      assertEquals(TransferResult.EXCEEDS_CREDITS, Await.of(fresh.submit(debit(p, "deposed:after:1", 10))));
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * A ledger cut off unawares while another writer starts and writes: its next batch fails on the dead connection,
   * and the writer row then shows the other's batch under the number this one had just sent. It must not take that
   * batch for its own (answered OK, never stored), and it writes nothing more.
   */
  @Test
  void aLedgerCutOffWhileAnotherWroteNeverTakesTheOthersBatchForItsOwn() throws Exception {
    LedgerOptions options = LedgerOptions.DEFAULTS.withLeaseWait(SHORT_WAIT);
    try (ManagedLedger cutOff = Await.of(PgLedger.start(vertx, db, options, clock))) {
      Pair p = pair(cutOff, "cut");
      assertEquals(TransferResult.OK, Await.of(cutOff.submit(fund(p, "cut:1", 20))));
      Await.of(((PgLedger) cutOff).awaitProjected());
      terminateWriters();
      try (ManagedLedger taker = Await.of(PgLedger.start(vertx, db, options, clock))) {
        assertEquals(TransferResult.OK, Await.of(taker.submit(debit(p, "cut:taker", 15))));
        LedgerException unknown = assertThrows(LedgerException.class,
            () -> Await.of(cutOff.submit(debit(p, "cut:mine", 10))));
        assertTrue(messages(unknown).contains("one writer per ledger"), messages(unknown));
        LedgerException after = assertThrows(LedgerException.class,
            () -> Await.of(cutOff.submit(debit(p, "cut:after", 1))));
        assertEquals(LedgerException.Reason.STOPPED, after.reason());
        assertTrue(messages(after).contains("one writer per ledger"), messages(after));
        assertNoneStored("cut:mine", "cut:after");
        assertEquals(5, Await.of(taker.account(p.customer.id())).orElseThrow().available());
      }
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /** The other ledger held the lease but wrote nothing: once it lets go, the cut-off one reads and writes again. */
  @Test
  void aLedgerAnswersReadsAgainOnceItHoldsTheLeaseAndFindsNoOtherWriter() throws Exception {
    LedgerOptions options = LedgerOptions.DEFAULTS.withLeaseWait(SHORT_WAIT);
    try (ManagedLedger cut = Await.of(PgLedger.start(vertx, db, options, clock))) {
      Pair p = pair(cut, "back");
      assertEquals(TransferResult.OK, Await.of(cut.submit(fund(p, "back:1", 8))));
      Await.of(((PgLedger) cut).awaitProjected());
      terminateWriters();
      try (ManagedLedger other = Await.of(PgLedger.start(vertx, db, options, clock))) {
        assertThrows(LedgerException.class, () -> Await.of(cut.submit(debit(p, "back:lost", 1))));
        LedgerException blocked = assertThrows(LedgerException.class,
            () -> Await.of(cut.submit(debit(p, "back:blocked", 1))));
        assertTrue(messages(blocked).contains("writer lease"), messages(blocked));
        LedgerException unread = assertThrows(LedgerException.class, () -> Await.of(cut.account(p.customer.id())));
        assertEquals(LedgerException.Reason.STORE_FAILED, unread.reason());
        assertEquals(8, Await.of(other.account(p.customer.id())).orElseThrow().available());
      }
      // the writer row is as the cut-off ledger left it: it takes the lease back and goes on from its memory
      assertEquals(TransferResult.OK, Await.of(cut.submit(fund(p, "back:2", 2))));
      assertEquals(10, Await.of(cut.account(p.customer.id())).orElseThrow().available());
      assertNoneStored("back:lost", "back:blocked");
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  /**
   * A process killed while its projection statement runs: the server finishes that statement after the lease has
   * passed to the next ledger, whose recovery may then find the fence moved under it. It reads again and starts.
   */
  @Test
  void aRestartWhileTheOldProjectionStatementStillRunsRecoversAgain() throws Exception {
    LedgerOptions options = LedgerOptions.DEFAULTS.withLeaseWait(SHORT_WAIT);
    try (ManagedLedger old = Await.of(PgLedger.start(vertx, db, options, clock));
         Connection lock = LedgerAudit.connect(db)) {
      Pair p = pair(old, "late");
      assertEquals(TransferResult.OK, Await.of(old.submit(fund(p, "late:1", 20))));
      Await.of(((PgLedger) old).awaitProjected());
      // the old ledger's next state statement will wait for the projection row
      lock.setAutoCommit(false);
      lock.createStatement().executeQuery("SELECT * FROM ledger.projection WHERE id = 1 FOR UPDATE").close();
      assertEquals(TransferResult.OK, Await.of(old.submit(fund(p, "late:2", 5))));
      awaitProjectionStatementsWaiting(1);
      terminateWriters(); // the old process is gone but for that statement
      CompletableFuture<ManagedLedger> next = PgLedger.start(vertx, db, options, clock).toCompletableFuture();
      awaitProjectionStatementsWaiting(2); // the new one's recovery waits behind it
      lock.rollback(); // the old statement commits first and moves the fence
      try (ManagedLedger restarted = next.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        assertEquals(25, Await.of(restarted.account(p.customer.id())).orElseThrow().available());
        assertEquals(TransferResult.OK, Await.of(restarted.submit(fund(p, "late:3", 1))));
        assertEquals(TransferResult.EXISTS, Await.of(restarted.submit(fund(p, "late:2", 5))));
      }
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  private static void awaitProjectionStatementsWaiting(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
    try (Connection c = LedgerAudit.connect(db)) {
      while (LedgerAudit.single(c, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
          + PgLedger.PROJECTION_APPLICATION_NAME + "' AND wait_event_type = 'Lock'") < n) {
        assertTrue(System.nanoTime() < deadline, n + " projection statements wait for the projection row");
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
  }

  private static void assertNoneStored(String... ids) throws Exception {
    List<UUID> all = new ArrayList<>();
    for (String id : ids) all.add(Transfer.idOf(id));
    try (Connection c = LedgerAudit.connect(db)) {
      assertEquals(Set.of(), LedgerAudit.storedTransferIds(c, all), "in the table or the journal");
    }
  }

  record Pair(Account issuer, Account customer) {
  }

  private static Pair pair(ManagedLedger ledger, String prefix) {
    return new Pair(Await.of(ledger.openAccount(prefix + ":issuer", StandardPointTypes.MILEAGE, AccountFlags.NONE)),
        Await.of(ledger.openAccount(prefix + ":customer", StandardPointTypes.MILEAGE,
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)));
  }

  private static Transfer fund(Pair p, String id, long amount) {
    return Transfer.single(Transfer.idOf(id), p.issuer.id(), p.customer.id(), amount, 0, "");
  }

  private static Transfer debit(Pair p, String id, long amount) {
    return Transfer.single(Transfer.idOf(id), p.customer.id(), p.issuer.id(), amount, 0, "");
  }

  private static String messages(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(" / ");
    return all.toString();
  }

  /** Ends every ledger writer connection on the database (the lease goes with it), and waits until they are gone. */
  private static void terminateWriters() throws Exception {
    String writers = "FROM pg_stat_activity WHERE application_name = '" + PgLedger.WRITER_APPLICATION_NAME
        + "' AND datname = current_database()";
    try (Connection c = LedgerAudit.connect(db)) {
      c.createStatement().executeQuery("SELECT pg_terminate_backend(pid) " + writers).close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
      while (LedgerAudit.single(c, "SELECT count(*) " + writers) > 0) {
        assertTrue(System.nanoTime() < deadline, "the writer backends ended");
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }
  }
}
