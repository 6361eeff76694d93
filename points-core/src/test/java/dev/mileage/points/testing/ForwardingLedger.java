package dev.mileage.points.testing;

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
import java.util.concurrent.CompletionStage;

/**
 * A ledger that hands every call to a real one; tests extend it to disturb only what they study (late or
 * lost answers of {@link #submit(List)}), so every answer they pass on is the real ledger's.
 */
public abstract class ForwardingLedger implements Ledger {
  protected final Ledger real;

  protected ForwardingLedger(Ledger real) {
    this.real = real;
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    return real.submit(transfers);
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
  public CompletionStage<java.util.Map<UUID, TransferRecord>> transfers(java.util.Collection<UUID> transferIds) {
    return real.transfers(transferIds);
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

  @Override
  public CompletionStage<PointType> setAllowedProducts(int pointType, Set<String> allowedProducts) {
    return real.setAllowedProducts(pointType, allowedProducts);
  }
}
