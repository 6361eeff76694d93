package dev.mileage.points.store;

import dev.mileage.points.engine.LedgerView;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.TransferRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Exactly the committed state one batch needs, loaded before the engine runs (cache hits and batched
 * misses). A key maps to null when it is known not to exist; asking for a key never loaded is a bug.
 */
final class Prefetched implements LedgerView {
  final Map<Long, Account> accounts = new HashMap<>();
  final Map<UUID, TransferRecord> transfers = new HashMap<>();
  final Map<UUID, PendingState> pendings = new HashMap<>();

  @Override
  public Account account(long accountId) {
    Checks.invariant(accounts.containsKey(accountId), "account was prefetched", accountId);
    return accounts.get(accountId);
  }

  @Override
  public TransferRecord transfer(UUID transferId) {
    Checks.invariant(transfers.containsKey(transferId), "transfer was prefetched", transferId);
    return transfers.get(transferId);
  }

  @Override
  public PendingState pending(UUID pendingId) {
    Checks.invariant(pendings.containsKey(pendingId), "reservation was prefetched", pendingId);
    return pendings.get(pendingId);
  }
}
