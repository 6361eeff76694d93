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

  private final LedgerView base;
  private final Map<Long, Account> accounts = new HashMap<>();
  private final Map<Long, Account> originals = new HashMap<>();
  private final Map<UUID, TransferRecord> transfers = new HashMap<>();
  private final List<TransferRecord> inserted = new ArrayList<>();
  private final Map<UUID, PendingState> pendings = new HashMap<>();
  private final List<Undo> undo = new ArrayList<>();
  private boolean logging;
  private long lastTimestampMicros;
  private int expired;

  WorkingCopy(LedgerView base, long lastTimestampMicros) {
    this.base = base;
    this.lastTimestampMicros = lastTimestampMicros;
  }

  @Override
  public Account account(long accountId) {
    Account a = accounts.get(accountId);
    return a != null ? a : base.account(accountId);
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

  void put(Account before, Account after) {
    Long id = after.id();
    if (logging) undo.add(new Undo(Kind.ACCOUNT, id, accounts.get(id)));
    originals.putIfAbsent(id, before);
    accounts.put(id, after);
  }

  void put(PendingState pending) {
    if (logging) undo.add(new Undo(Kind.PENDING, pending.id(), pendings.get(pending.id())));
    pendings.put(pending.id(), pending);
  }

  void insert(TransferRecord record) {
    UUID id = record.transfer().id();
    Checks.invariant(transfer(id) == null, "a transfer id is stored once");
    if (logging) undo.add(new Undo(Kind.TRANSFER, id, null));
    transfers.put(id, record);
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
          case ACCOUNT -> restore(accounts, u.key(), u.previous());
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
    for (Account after : accounts.values()) {
      Account before = originals.get(after.id());
      if (!before.equals(after)) changes.add(new AccountChange(before, after));
    }
    return new BatchOutcome(Arrays.asList(results), inserted, changes, new ArrayList<>(pendings.values()), expired,
        lastTimestampMicros);
  }
}
