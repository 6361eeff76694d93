package dev.mileage.points.store;

import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.testing.MutableClock;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A restricted point type's product list is replaced in the database; unrestricted types and empty lists are refused. */
class PointTypeProductsTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));

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

  private static Throwable failure(java.util.concurrent.CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get());
    return e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
  }

  @Test
  void restrictedListIsReplacedDurably() {
    int id;
    try (ManagedLedger ledger = open()) {
      PointType maker = Await.of(ledger.definePointType("TOKEN_MAKER", PointKind.VENDOR_TOKEN, "vendor:9", 1_000_000,
          Set.of("1:a", "2:b")));
      PointType changed = Await.of(ledger.setAllowedProducts(maker.id(), Set.of("2:b", "3:c")));
      assertEquals(Set.of("2:b", "3:c"), changed.allowedProducts());
      assertEquals(maker.cashMicrosPerUnit(), changed.cashMicrosPerUnit(), "only the list changes");
      id = maker.id();
    }
    try (ManagedLedger reopened = open()) {
      PointType read = Await.of(reopened.pointTypes()).stream().filter(t -> t.id() == id).findFirst().orElseThrow();
      assertEquals(Set.of("2:b", "3:c"), read.allowedProducts(), "the new list is what the database holds");
    }
  }

  @Test
  void emptyListsUnrestrictedAndUnknownTypesAreRefusedAndChangeNothing() {
    try (ManagedLedger ledger = open()) {
      PointType maker = Await.of(ledger.definePointType("TOKEN_MAKER2", PointKind.VENDOR_TOKEN, "vendor:8", 1_000_000,
          Set.of("1:a")));
      assertInstanceOf(IllegalArgumentException.class, failure(ledger.setAllowedProducts(maker.id(), Set.of())),
          "an empty list would make the token unrestricted");
      assertInstanceOf(IllegalArgumentException.class,
          failure(ledger.setAllowedProducts(StandardPointTypes.MILEAGE, Set.of("1:a"))), "an unrestricted type stays so");
      assertInstanceOf(IllegalArgumentException.class, failure(ledger.setAllowedProducts(99_999, Set.of("1:a"))));
      var types = Await.of(ledger.pointTypes());
      assertEquals(Set.of("1:a"), types.stream().filter(t -> t.id() == maker.id()).findFirst().orElseThrow().allowedProducts());
      assertTrue(types.stream().filter(t -> t.id() == StandardPointTypes.MILEAGE).findFirst().orElseThrow().allowedProducts().isEmpty());
    }
  }
}
