package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The batch's private overlay over the committed state: reads fall through to the base, writes stay
 * here, so a batch whose commit fails is simply dropped. Inside a linked chain every write is logged
 * so the chain can be rolled back to its start.
 */
final class WorkingCopy implements LedgerView {
  private enum Kind { ACCOUNT, PENDING, TRANSFER }

  private record Undo(Kind kind, Object key, Object previous) {
  }

  /** An account as the batch found it and as it is now: one map lookup serves both. */
  private static final class Slot {
    final Account before;
    Account after;

    Slot(Account before, Account after) {
      this.before = before;
      this.after = after;
    }
  }

  private final LedgerView base;
  private final Map<Long, Slot> accounts;
  private final Map<UUID, TransferRecord> transfers;
  private final List<TransferRecord> inserted;
  private final Map<UUID, PendingState> pendings;
  private final List<Undo> undo = new ArrayList<>();
  private boolean logging;
  private long lastTimestampMicros;
  private int expired;

  /** {@code expectedTransfers} sizes the maps so a full batch never rehashes. */
  WorkingCopy(LedgerView base, long lastTimestampMicros, int expectedTransfers) {
    this.base = base;
    this.lastTimestampMicros = lastTimestampMicros;
    int capacity = (int) Math.min(1 << 24, expectedTransfers * 2L + 16);
    this.accounts = new HashMap<>(capacity * 2);
    this.transfers = new HashMap<>(capacity);
    this.inserted = new ArrayList<>(expectedTransfers);
    this.pendings = new HashMap<>(capacity);
  }

  @Override
  public Account account(long accountId) {
    Slot slot = accounts.get(accountId);
    return slot != null ? slot.after : base.account(accountId);
  }

  @Override
  public TransferRecord transfer(UUID transferId) {
    TransferRecord r = transfers.get(transferId);
    return r != null ? r : base.transfer(transferId);
  }

  @Override
  public PendingState pending(UUID pendingId) {
    PendingState p = pendings.get(pendingId);
    return p != null ? p : base.pending(pendingId);
  }

  /** Unique and increasing: the caller derived the first one from max(now, last + 1µs). */
  long nextTimestampMicros() {
    return ++lastTimestampMicros;
  }

  /** {@code before} is what {@link #account} answered for this id just now. */
  void put(Account before, Account after) {
    Long id = after.id();
    Slot slot = accounts.get(id);
    if (logging) undo.add(new Undo(Kind.ACCOUNT, id, slot == null ? null : slot.after));
    if (slot == null) {
      accounts.put(id, new Slot(before, after));
    } else {
      slot.after = after;
    }
  }

  void put(PendingState pending) {
    if (logging) undo.add(new Undo(Kind.PENDING, pending.id(), pendings.get(pending.id())));
    pendings.put(pending.id(), pending);
  }

  void insert(TransferRecord record) {
    UUID id = record.transfer().id();
    // the engine asked transfer(id) just before; here only the batch's own map is checked again
    Checks.invariant(transfers.put(id, record) == null, "a transfer id is stored once", id);
    if (logging) undo.add(new Undo(Kind.TRANSFER, id, null));
    inserted.add(record);
  }

  void expiredOne() {
    expired++;
  }

  /** Starts logging writes for a linked chain. */
  void beginChain() {
    Checks.invariant(!logging && undo.isEmpty(), "chains do not nest");
    logging = true;
  }

  void endChain(boolean keep) {
    if (!keep) {
      for (int i = undo.size() - 1; i >= 0; i--) {
        Undo u = undo.get(i);
        switch (u.kind()) {
          case ACCOUNT -> {
            if (u.previous() == null) {
              accounts.remove(u.key());
            } else {
              accounts.get(u.key()).after = (Account) u.previous();
            }
          }
          case PENDING -> restore(pendings, u.key(), u.previous());
          case TRANSFER -> {
            TransferRecord removed = transfers.remove(u.key());
            Checks.invariant(removed == inserted.remove(inserted.size() - 1), "undo in reverse order");
            lastTimestampMicros = Micros.of(removed.timestamp()) - 1;
          }
        }
      }
    }
    undo.clear();
    logging = false;
  }

  @SuppressWarnings("unchecked")
  private static <K, V> void restore(Map<K, V> map, Object key, Object previous) {
    if (previous == null) {
      map.remove(key);
    } else {
      map.put((K) key, (V) previous);
    }
  }

  BatchOutcome outcome(TransferResult[] results) {
    List<AccountChange> changes = new ArrayList<>(accounts.size());
    for (Slot slot : accounts.values()) {
      if (slot.before != slot.after) changes.add(new AccountChange(slot.before, slot.after));
    }
    return new BatchOutcome(Arrays.asList(results), inserted, changes, new ArrayList<>(pendings.values()), expired,
        lastTimestampMicros);
  }
}
