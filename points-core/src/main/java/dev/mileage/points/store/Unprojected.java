package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What committed batches changed that the projected tables do not show yet: committed state, newer than
 * those tables. The writer adds a batch when its journal record commits and takes it out once its
 * projection committed (unless a later batch changed the same key again). Readers on any thread look here
 * before the tables: an entry leaves only after the tables hold it, so a key missing here is current there.
 */
final class Unprojected {
  final Map<Long, Account> accounts = new ConcurrentHashMap<>();
  final Map<UUID, PendingState> pendings = new ConcurrentHashMap<>();
  final Map<UUID, TransferRecord> transfers = new ConcurrentHashMap<>();

  /** Writer context only: the batch committed. */
  void add(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.put(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.put(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.put(r.transfer().id(), r);
  }

  /** Writer context only: the batch's projection committed. */
  void projected(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.remove(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.remove(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.remove(r.transfer().id(), r);
  }
}
