package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The batch's private overlay over the committed state: reads fall through to the base, writes stay
 * here, so a batch whose commit fails is simply dropped. Inside a linked chain every write is logged
 * so the chain can be rolled back to its start; outside a chain nothing is logged.
 *
 * <p>Accounts live in mutable {@link AccountSlot}s keyed by primitive id; transfers and reservations in
 * primitive-array UUID maps, all sized up front so a full batch never grows them.
 */
final class WorkingCopy {
  private enum Kind { ACCOUNT, PENDING, TRANSFER }

  /** One logged write inside a chain; for ACCOUNT, {@code counters} holds the slot's state before it. */
  private record Undo(Kind kind, Object key, Object previous, long[] counters) {
  }

  private final AccountSlots accounts = new AccountSlots();
  private final UuidMap<TransferRecord> transfers;
  private final UuidMap<PendingState> pendings;
  private final List<Undo> undo = new ArrayList<>();
  private LedgerView base;
  private List<TransferRecord> inserted;
  private boolean logging;
  private long lastTimestampMicros;
  private int expired;
  /** Where the touch pass in {@link #outcome} sums what it read, so the compiler keeps the loads: never read. */
  @SuppressWarnings("unused")
  private long touchedSum;
  /** Committed accounts the outcome touches ahead of building their changes. */
  private static final int TOUCH_AHEAD = 128;

  /**
   * One per engine, reused batch after batch ({@link #reset}): its maps grow to the largest batch seen
   * and are cleared at the cost of what the last batch put in them, so a batch allocates no tables.
   */
  WorkingCopy(int expectedTransfers) {
    int capacity = (int) Math.min(1 << 24, expectedTransfers + 16L);
    this.transfers = new UuidMap<>(capacity);
    this.pendings = new UuidMap<>(capacity);
  }

  /** Starts a batch over {@code base}; whatever the previous batch left (even one that threw) is dropped. */
  WorkingCopy reset(LedgerView base, long lastTimestampMicros, int expectedTransfers) {
    accounts.clear();
    transfers.clear();
    pendings.clear();
    undo.clear();
    logging = false;
    expired = 0;
    this.base = base;
    this.lastTimestampMicros = lastTimestampMicros;
    this.inserted = new ArrayList<>(expectedTransfers); // handed over in the outcome: never reused
    return this;
  }

  /**
   * Brings this batch's own map slots for the transfers of requests [from, to) into the cache ahead of
   * the pass that reads them ({@code reservations}: the expiry pass, which reads the pending ids; else the
   * apply pass, which looks up and inserts the transfer ids and the reservations they make or close).
   */
  void preload(List<List<Transfer>> requests, int from, int to, boolean reservations) {
    long sum = 0;
    for (int r = from; r < to; r++) {
      List<Transfer> list = requests.get(r);
      for (int i = 0, n = list.size(); i < n; i++) {
        Transfer t = list.get(i);
        UUID p = t.pendingId();
        if (p != null) sum += pendings.touch(p.getMostSignificantBits(), p.getLeastSignificantBits());
        if (reservations) continue;
        UUID id = t.id();
        sum += transfers.touch(id.getMostSignificantBits(), id.getLeastSignificantBits());
        if ((t.flags() & TransferFlags.PENDING) != 0) {
          sum += pendings.touch(id.getMostSignificantBits(), id.getLeastSignificantBits());
        }
      }
    }
    touchedSum += sum;
  }

  /** The account's slot in this batch (read from the base on first use), or null when it does not exist. */
  AccountSlot account(long accountId) {
    AccountSlot slot = accounts.get(accountId);
    if (slot != null) return slot;
    var a = base.account(accountId);
    return a == null ? null : accounts.add(a);
  }

  TransferRecord transfer(UUID transferId) {
    TransferRecord r = transfers.get(transferId);
    return r != null ? r : base.transfer(transferId);
  }

  /** The reservation's state as this batch left it, or null when the batch has not touched it. */
  PendingState pendingInBatch(UUID pendingId) {
    return pendings.get(pendingId);
  }

  PendingState pending(UUID pendingId) {
    PendingState p = pendings.get(pendingId);
    return p != null ? p : base.pending(pendingId);
  }

  /** Unique and increasing: the caller derived the first one from max(now, last + 1µs). */
  long nextTimestampMicros() {
    return ++lastTimestampMicros;
  }

  void debit(AccountSlot a, long pendingDelta, long postedDelta) {
    if (logging) logAccount(a);
    a.debit(pendingDelta, postedDelta);
  }

  void credit(AccountSlot a, long pendingDelta, long postedDelta) {
    if (logging) logAccount(a);
    a.credit(pendingDelta, postedDelta);
  }

  private void logAccount(AccountSlot a) {
    undo.add(new Undo(Kind.ACCOUNT, a, null, new long[] {a.debitsPending, a.debitsPosted, a.creditsPending,
        a.creditsPosted, a.changed ? 1 : 0}));
  }

  void put(PendingState pending) {
    PendingState previous = pendings.put(pending.id(), pending);
    if (logging) undo.add(new Undo(Kind.PENDING, pending.id(), previous, null));
  }

  void insert(TransferRecord record) {
    UUID id = record.transfer().id();
    // the engine asked transfer(id) just before; here only the batch's own map is checked again
    Checks.invariant(transfers.put(id, record) == null, "a transfer id is stored once", id);
    if (logging) undo.add(new Undo(Kind.TRANSFER, id, null, null));
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
            AccountSlot a = (AccountSlot) u.key();
            long[] c = u.counters();
            a.debitsPending = c[0];
            a.debitsPosted = c[1];
            a.creditsPending = c[2];
            a.creditsPosted = c[3];
            a.changed = c[4] != 0;
          }
          case PENDING -> {
            UUID id = (UUID) u.key();
            if (u.previous() == null) {
              pendings.remove(id);
            } else {
              pendings.put(id, (PendingState) u.previous());
            }
          }
          case TRANSFER -> {
            TransferRecord removed = transfers.remove((UUID) u.key());
            Checks.invariant(removed == inserted.remove(inserted.size() - 1), "undo in reverse order");
            lastTimestampMicros = Micros.of(removed.timestamp()) - 1;
          }
        }
      }
    }
    undo.clear();
    logging = false;
  }

  BatchOutcome outcome(TransferResult[] results) {
    int n = accounts.size();
    List<AccountChange> changes = new ArrayList<>(n);
    // each change reads its committed account, read at the batch's start and out of the caches by now:
    // a pass touches them a window ahead, so that those misses overlap instead of following one another
    long sum = 0;
    int touched = 0;
    for (int k = 0; k < n; k++) {
      if (k + TOUCH_AHEAD >= touched && touched < n) {
        for (int end = Math.min(n, k + 2 * TOUCH_AHEAD); touched < end; touched++) {
          Account before = accounts.at(touched).before;
          sum += before.id() + before.owner().length(); // the new Account's constructor checks the owner's length
        }
      }
      AccountSlot slot = accounts.at(k);
      if (slot.changed) changes.add(new AccountChange(slot.before, slot.after()));
    }
    this.touchedSum = sum;
    BatchOutcome outcome = new BatchOutcome(Arrays.asList(results), inserted, changes, pendings.valuesList(), expired,
        lastTimestampMicros);
    base = null; // the committed state may move on: nothing reads it through this copy until the next reset
    inserted = null;
    return outcome;
  }
}
