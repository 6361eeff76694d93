package dev.mileage.points.ledger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The one way points move. Every feature reaches the ledger through this interface (and, across
 * nodes later, through a proxy of it), never through its tables.
 *
 * <p>Answers come only after the batch holding the request has been committed to the database: an
 * {@code OK} is durable. A stage that completes exceptionally means the store failed and nothing of
 * that request was applied; the caller retries with the same transfer ids. Implementations are thread
 * safe; completions may run on an internal thread, so callers hop to their own context.
 */
public interface Ledger {
  /** Transfers in a single call at most; more is a programming error. */
  int BATCH_MAX = 8190;

  /** Applies the transfers in order; one result per transfer, in the same order. */
  CompletionStage<List<TransferResult>> submit(List<Transfer> transfers);

  default CompletionStage<TransferResult> submit(Transfer transfer) {
    return submit(List.of(transfer)).thenApply(results -> results.get(0));
  }

  /**
   * The account of {@code owner} for {@code pointType}, created with {@code flags} if it does not exist.
   * Idempotent: a second call answers the same account (its flags as first created).
   */
  CompletionStage<Account> openAccount(String owner, int pointType, int flags);

  CompletionStage<Optional<Account>> account(long accountId);

  CompletionStage<Optional<Account>> accountOf(String owner, int pointType);

  /** All accounts of an owner, by point type. */
  CompletionStage<List<Account>> accountsOf(String owner);

  CompletionStage<Optional<TransferRecord>> transfer(UUID transferId);

  /** Ids one {@link #transfers} call takes at most. */
  int TRANSFERS_MAX = 1_000;

  /**
   * Of {@code transferIds} (at most {@link #TRANSFERS_MAX}), the transfers that exist, by id, in one read: what a
   * caller checking many ids (a settlement run, a reconciliation) asks instead of one {@link #transfer} each.
   */
  CompletionStage<Map<UUID, TransferRecord>> transfers(Collection<UUID> transferIds);

  /** Transfers that debit or credit the account, newest first, strictly before {@code before} (null: now). */
  CompletionStage<HistoryPage> history(long accountId, Instant before, int limit);

  CompletionStage<List<PointType>> pointTypes();

  /** Defines a new point type (vendor tokens and the like); idempotent by code. */
  CompletionStage<PointType> definePointType(String code, PointKind kind, String issuer, long cashMicrosPerUnit,
                                             java.util.Set<String> allowedProducts);

  /** Changes the cash value of a point type from now on; earlier transfers keep theirs. */
  CompletionStage<PointType> setCashValue(int pointType, long cashMicrosPerUnit);

  /**
   * Replaces the product list of a restricted point type (a manufacturer's token) from now on: transfers
   * already made are untouched, and the list is read afresh by whoever enforces it. The list must not be
   * empty (empty means unrestricted, which a restricted type never becomes) and an unrestricted type never
   * gets one: both are programming errors (the stage fails with IllegalArgumentException).
   */
  CompletionStage<PointType> setAllowedProducts(int pointType, java.util.Set<String> allowedProducts);
}
