package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.store.Database;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Starts the ledger engine the gateway runs on (PostgreSQL-backed, from points-core). */
public final class Ledgers {
  private Ledgers() {
  }

  public static CompletionStage<LedgerRuntime> start(Vertx vertx, Database database, Clock clock) {
    return dev.mileage.points.store.PgLedger.start(vertx, database, dev.mileage.points.ledger.LedgerOptions.DEFAULTS, clock)
        .thenApply(managed -> new LedgerRuntime() {
          @Override public Ledger ledger() { return managed; }
          @Override public long queueDepth() { return managed.stats().queueDepth(); }
          @Override public CompletionStage<Void> close() {
            managed.close();
            return CompletableFuture.completedFuture(null);
          }
        });
  }

  private static final class Unavailable implements LedgerRuntime, Ledger {
    private static <T> CompletionStage<T> no() {
      return CompletableFuture.failedFuture(new IllegalStateException("ledger engine not merged yet"));
    }

    @Override public Ledger ledger() { return this; }
    @Override public long queueDepth() { return 0; }
    @Override public CompletionStage<Void> close() { return CompletableFuture.completedFuture(null); }
    @Override public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) { return no(); }
    @Override public CompletionStage<Account> openAccount(String owner, int pointType, int flags) { return no(); }
    @Override public CompletionStage<Optional<Account>> account(long accountId) { return no(); }
    @Override public CompletionStage<Optional<Account>> accountOf(String owner, int pointType) { return no(); }
    @Override public CompletionStage<List<Account>> accountsOf(String owner) { return no(); }
    @Override public CompletionStage<Optional<TransferRecord>> transfer(UUID transferId) { return no(); }
    @Override public CompletionStage<HistoryPage> history(long accountId, Instant before, int limit) { return no(); }
    @Override public CompletionStage<List<PointType>> pointTypes() { return no(); }
    @Override public CompletionStage<PointType> definePointType(String code, PointKind kind, String issuer,
                                                                long cashMicrosPerUnit, Set<String> allowedProducts) {
      return no();
    }
    @Override public CompletionStage<PointType> setCashValue(int pointType, long cashMicrosPerUnit) { return no(); }
  }
}
