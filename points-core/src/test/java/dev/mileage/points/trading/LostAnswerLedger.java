package dev.mileage.points.trading;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.HistoryPage;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real ledger whose every {@code every}-th submit is applied and committed but its answer lost (the
 * caller sees a failure), as after a network cut: the desk's retry must answer EXISTS, never settle twice.
 */
final class LostAnswerLedger implements Ledger {
  private final Ledger real;
  private final int every;
  private final AtomicInteger submits = new AtomicInteger();
  final AtomicInteger lost = new AtomicInteger();

  LostAnswerLedger(Ledger real, int every) {
    this.real = real;
    this.every = every;
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    boolean lose = submits.incrementAndGet() % every == 0;
    return real.submit(transfers).thenCompose(results -> {
      if (!lose) return CompletableFuture.completedFuture(results);
      lost.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("test: answer lost after commit"));
    });
  }

  @Override
  public CompletionStage<Account> openAccount(String owner, int pointType, int flags) {
    return real.openAccount(owner, pointType, flags);
  }

  @Override
  public CompletionStage<Optional<Account>> account(long accountId) {
    return real.account(accountId);
  }

  @Override
  public CompletionStage<Optional<Account>> accountOf(String owner, int pointType) {
    return real.accountOf(owner, pointType);
  }

  @Override
  public CompletionStage<List<Account>> accountsOf(String owner) {
    return real.accountsOf(owner);
  }

  @Override
  public CompletionStage<Optional<TransferRecord>> transfer(UUID transferId) {
    return real.transfer(transferId);
  }

  @Override
  public CompletionStage<HistoryPage> history(long accountId, Instant before, int limit) {
    return real.history(accountId, before, limit);
  }

  @Override
  public CompletionStage<List<PointType>> pointTypes() {
    return real.pointTypes();
  }

  @Override
  public CompletionStage<PointType> definePointType(String code, PointKind kind, String issuer, long cashMicrosPerUnit,
                                                    Set<String> allowedProducts) {
    return real.definePointType(code, kind, issuer, cashMicrosPerUnit, allowedProducts);
  }

  @Override
  public CompletionStage<PointType> setCashValue(int pointType, long cashMicrosPerUnit) {
    return real.setCashValue(pointType, cashMicrosPerUnit);
  }
}
