package dev.mileage.points.store;

import dev.mileage.points.engine.LedgerView;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Exactly the committed state one batch needs, loaded before the engine runs (cache hits and batched
 * misses). A key maps to null when it is known not to exist; asking for a key never loaded is a bug.
 * Each read is one map lookup: a key never loaded answers a sentinel instead of needing containsKey first.
 */
final class Prefetched implements LedgerView {
  private static final Account NOT_LOADED_ACCOUNT =
      new Account(Long.MAX_VALUE, "not loaded", 1, AccountFlags.NONE, 0, 0, 0, 0);
  private static final TransferRecord NOT_LOADED_TRANSFER =
      new TransferRecord(Transfer.single(new UUID(0, 0), 1, 2, 1, 0, "not loaded"), Instant.EPOCH);
  private static final PendingState NOT_LOADED_PENDING =
      new PendingState(new UUID(0, 0), 1, 2, 1, 1, 0, PendingStatus.PENDING);

  final Map<Long, Account> accounts;
  final Map<UUID, TransferRecord> transfers;
  final Map<UUID, PendingState> pendings;
  /** What was read from the database (not the caches, not the batches in flight): cached after the commit. */
  final List<Account> loadedAccounts = new ArrayList<>();
  final List<PendingState> loadedPendings = new ArrayList<>();

  /** Sized for a batch of {@code expectedTransfers} so loading never rehashes. */
  Prefetched(int expectedTransfers) {
    int capacity = Math.max(16, (int) Math.min(1 << 24, expectedTransfers * 2L + 16) * 4 / 3);
    accounts = new HashMap<>(capacity * 2);
    transfers = new HashMap<>(capacity);
    pendings = new HashMap<>(capacity);
  }

  @Override
  public Account account(long accountId) {
    Account a = accounts.getOrDefault(accountId, NOT_LOADED_ACCOUNT);
    if (a == NOT_LOADED_ACCOUNT) Checks.invariant(false, "account was prefetched", accountId);
    return a;
  }

  @Override
  public TransferRecord transfer(UUID transferId) {
    TransferRecord r = transfers.getOrDefault(transferId, NOT_LOADED_TRANSFER);
    if (r == NOT_LOADED_TRANSFER) Checks.invariant(false, "transfer was prefetched", transferId);
    return r;
  }

  @Override
  public PendingState pending(UUID pendingId) {
    PendingState p = pendings.getOrDefault(pendingId, NOT_LOADED_PENDING);
    if (p == NOT_LOADED_PENDING) Checks.invariant(false, "reservation was prefetched", pendingId);
    return p;
  }
}
