package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.ArrayList;
import java.util.List;
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
  /** The outcomes in the window being built and in the one being projected, to take out after projection. */
  private List<BatchOutcome> building = new ArrayList<>();

  /** Writer context only. */
  void add(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.put(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.put(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.put(r.transfer().id(), r);
    building.add(outcome);
  }

  /** Writer context only: the outcomes added since the last call, now the window being projected. */
  List<BatchOutcome> takeWindow() {
    List<BatchOutcome> window = building;
    building = new ArrayList<>();
    return window;
  }

  /** Writer context only: a window whose projection failed goes back in front of the one being built. */
  void putBack(List<BatchOutcome> window) {
    List<BatchOutcome> merged = new ArrayList<>(window);
    merged.addAll(building);
    building = merged;
  }

  /** Writer context only: the window's projection committed. */
  void projected(List<BatchOutcome> window) {
    for (BatchOutcome outcome : window) {
      for (AccountChange c : outcome.accounts()) accounts.remove(c.after().id(), c.after());
      for (PendingState p : outcome.pendings()) pendings.remove(p.id(), p);
      for (TransferRecord r : outcome.inserted()) transfers.remove(r.transfer().id(), r);
    }
  }
}
