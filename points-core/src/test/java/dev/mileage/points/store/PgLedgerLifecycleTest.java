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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bounds and shutdown: a full queue refuses at once, closing answers everything, and nothing refused is stored. */
class PgLedgerLifecycleTest {
  static final int REQUESTS = 200;
  static final int TRANSFERS_PER_REQUEST = 50;

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

  @Test
  void aFullQueueRefusesAtOnceAndStoresNothingOfWhatItRefused() throws Exception {
    LedgerOptions small = LedgerOptions.DEFAULTS.withQueueTransfersMax(TRANSFERS_PER_REQUEST * 3);
    try (ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, small, clock))) {
      List<Outcome> outcomes = flood(ledger, "full");
      long refused = outcomes.stream().filter(o -> o.failure() instanceof LedgerException le
          && le.reason() == LedgerException.Reason.QUEUE_FULL).count();
      assertTrue(refused > 0, "the queue filled up");
      assertTrue(ledger.stats().rejectedQueueFull() >= refused);
      check(outcomes);
      assertEquals(0, ledger.stats().queueDepth());
    }
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  @Test
  void closingFromAnEventLoopAnswersEveryStageAndKeepsOnlyWhatWasAnsweredOk() throws Exception {
    ManagedLedger ledger = Await.of(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock));
    // closed from an event loop, which must not block: closing goes on by itself
    List<Outcome> outcomes = flood(ledger, "close", () -> vertx.runOnContext(v -> ledger.close()));
    check(outcomes);
    assertTrue(outcomes.stream().anyMatch(o -> o.results() != null), "some work finished before closing");
    // the close runs on the event loop: poll (bounded) until a late submit is refused as CLOSED
    Throwable late = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (late == null && System.nanoTime() < deadline) {
      late = ledger.submit(Transfer.single(Transfer.idOf("close:late"), 999_999, 999_998, 1, 0, ""))
          .handle((r, e) -> e).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    assertInstanceOf(CompletionException.class, late);
    assertEquals(LedgerException.Reason.CLOSED, assertInstanceOf(LedgerException.class, late.getCause()).reason());
    ledger.close(); // idempotent
    LedgerAudit.assertBalancesEqualTheirTransfers(db);
  }

  record Outcome(List<Transfer> request, List<TransferResult> results, Throwable failure) {
  }

  private static List<Outcome> flood(ManagedLedger ledger, String prefix, Runnable... midway) throws Exception {
    Account issuer = Await.of(ledger.openAccount(prefix + ":issuer", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    Account customer = Await.of(ledger.openAccount(prefix + ":customer", StandardPointTypes.MILEAGE,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (int r = 0; r < REQUESTS; r++) {
      List<Transfer> request = new ArrayList<>();
      for (int i = 0; i < TRANSFERS_PER_REQUEST; i++) {
        request.add(Transfer.single(Transfer.idOf(prefix + ":" + r + ":" + i), issuer.id(), customer.id(), 1, 0, ""));
      }
      futures.add(ledger.submit(request).handle((results, e) -> new Outcome(request, results,
          e instanceof CompletionException ? e.getCause() : e)).toCompletableFuture());
      if (r == REQUESTS / 2) for (Runnable action : midway) action.run();
    }
    List<Outcome> outcomes = new ArrayList<>();
    for (CompletableFuture<Outcome> f : futures) outcomes.add(f.get(60, TimeUnit.SECONDS));
    return outcomes;
  }

  /** Answered OK: stored. Failed: nothing of the request stored. */
  private static void check(List<Outcome> outcomes) throws Exception {
    Set<UUID> stored;
    List<UUID> all = outcomes.stream().flatMap(o -> o.request().stream()).map(Transfer::id).toList();
    try (Connection c = LedgerAudit.connect(db)) {
      stored = LedgerAudit.storedTransferIds(c, new HashSet<>(all));
    }
    for (Outcome o : outcomes) {
      for (int i = 0; i < o.request().size(); i++) {
        UUID id = o.request().get(i).id();
        if (o.failure() != null) {
          assertInstanceOf(LedgerException.class, o.failure());
          assertTrue(!stored.contains(id), "failed but stored: " + id);
        } else {
          assertEquals(TransferResult.OK, o.results().get(i));
          assertTrue(stored.contains(id), "answered OK but missing: " + id);
        }
      }
    }
  }
}
