package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What the batches in flight (applied, written, not yet committed) changed: the state the next batch
 * must be applied on top of. It is never read by anything that answers callers (reads and the caches
 * stay committed-only), only by the writer's prefetch, and it takes precedence over the caches and the
 * database there. A commit takes a batch's entries out (unless a later batch changed them again);
 * a failure clears it entirely, because every batch in flight depended on the one that failed.
 */
final class Uncommitted {
  final Map<Long, Account> accounts = new HashMap<>();
  final Map<UUID, PendingState> pendings = new HashMap<>();
  final Map<UUID, TransferRecord> transfers = new HashMap<>();

  void add(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.put(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.put(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.put(r.transfer().id(), r);
  }

  /** The batch committed: its entries are committed state now, unless a later batch in flight replaced them. */
  void committed(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.remove(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.remove(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.remove(r.transfer().id(), r);
  }

  void clear() {
    accounts.clear();
    pendings.clear();
    transfers.clear();
  }

  boolean isEmpty() {
    return accounts.isEmpty() && pendings.isEmpty() && transfers.isEmpty();
  }
}
