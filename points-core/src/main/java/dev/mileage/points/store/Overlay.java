package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * State newer than the tables, by key: what a run of batches changed, each key mapped to its latest value. The
 * writer keeps two ({@link LedgerWriter}): the batches in flight (applied and sent, not yet committed: read only by
 * its own prefetch, cleared when one fails, because every batch in flight depended on it) and the committed batches
 * the projection has not written yet (read by any thread before the tables: a key leaves only after the tables hold
 * it, so a key missing here is current there). A batch is added when it enters the run and removed when it leaves
 * it, and removing keeps a key a later batch changed again.
 */
final class Overlay {
  final Map<Long, Account> accounts;
  final Map<UUID, PendingState> pendings;
  final Map<UUID, TransferRecord> transfers;

  private Overlay(boolean shared) {
    accounts = shared ? new ConcurrentHashMap<>() : new HashMap<>();
    pendings = shared ? new ConcurrentHashMap<>() : new HashMap<>();
    transfers = shared ? new ConcurrentHashMap<>() : new HashMap<>();
  }

  /** Read and written on the writer's context only. */
  static Overlay local() {
    return new Overlay(false);
  }

  /** Written on the writer's context, read from any thread. */
  static Overlay shared() {
    return new Overlay(true);
  }

  void add(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.put(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.put(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.put(r.transfer().id(), r);
  }

  /** The batch left the run: its entries go, unless a later batch in the run changed them again. */
  void remove(BatchOutcome outcome) {
    for (AccountChange c : outcome.accounts()) accounts.remove(c.after().id(), c.after());
    for (PendingState p : outcome.pendings()) pendings.remove(p.id(), p);
    for (TransferRecord r : outcome.inserted()) transfers.remove(r.transfer().id(), r);
  }

  /** The transfer rows of {@code w} are in the table: they leave (a transfer id is never written twice). */
  void removeTransfers(WriteSet w) {
    for (TransferRecord r : w.transfers) transfers.remove(r.transfer().id(), r);
  }

  /**
   * The tables hold the accounts and reservations of {@code w} (consecutive batches, merged: each key at its last
   * state in them). Each entry that still holds that state, or an equal one a later batch left, leaves, and is
   * handed to its sink first, while the overlay still shows it: a reader that no longer finds the key here finds
   * what the sink did with it. An entry a later batch changed to something else stays for that batch.
   */
  void remove(WriteSet w, BiConsumer<Long, Account> leavingAccounts, BiConsumer<UUID, PendingState> leavingPendings) {
    w.accounts.forEach((id, c) -> {
      Account a = accounts.get(id);
      if (a != null && a.debitsPending() == c[4] && a.debitsPosted() == c[5] && a.creditsPending() == c[6]
          && a.creditsPosted() == c[7]) {
        leavingAccounts.accept(id, a);
        accounts.remove(id, a);
      }
    });
    w.pendings.forEach((id, p) -> leave(pendings, id, p, leavingPendings));
  }

  private static <K, V> void leave(Map<K, V> map, K key, V value, BiConsumer<K, V> sink) {
    if (value.equals(map.get(key))) {
      sink.accept(key, value);
      map.remove(key, value);
    }
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
