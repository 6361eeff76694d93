package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Committed state in plain java.util maps, with none of the in-memory state's structures or hints: the
 * reference the engine's results over {@link MemoryState} are compared with, and a view whose account ids
 * can be anything.
 */
final class MapView implements LedgerView {
  final Map<Long, Account> accounts = new HashMap<>();
  final Map<UUID, TransferRecord> transfers = new HashMap<>();
  final Map<UUID, PendingState> pendings = new HashMap<>();

  @Override
  public Account account(long accountId) {
    return accounts.get(accountId);
  }

  @Override
  public TransferRecord transfer(UUID transferId) {
    return transfers.get(transferId);
  }

  @Override
  public PendingState pending(UUID pendingId) {
    return pendings.get(pendingId);
  }

  /** Verifies the outcome and makes it the committed state, as the store does after COMMIT. */
  void commit(BatchOutcome o) {
    o.verify();
    for (AccountChange c : o.accounts()) {
      assertSame(accounts.get(c.after().id()), c.before(), "the batch read the committed account");
      accounts.put(c.after().id(), c.after());
    }
    for (TransferRecord r : o.inserted()) transfers.put(r.transfer().id(), r);
    for (PendingState p : o.pendings()) pendings.put(p.id(), p);
  }
}
