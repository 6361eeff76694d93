package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;

import java.util.Arrays;

/**
 * A batch's account slots, found by account id and kept in the order first used. Ids are small
 * sequence numbers (the store's and the in-memory state's), so ids below {@link #DIRECT_IDS_MAX} are
 * found by indexing an array (no hash, no probe: the lookup every debit and credit starts with); larger
 * ids fall back to a map. Slots are reused batch after batch, and {@link #clear} costs the slots the
 * last batch used, not the capacity. Not thread safe.
 */
final class AccountSlots {
  /** Ids below it are indexed directly: the array stays at most 2^20 references (4-8 MB). */
  static final int DIRECT_IDS_MAX = 1 << 20;

  private AccountSlot[] byId = new AccountSlot[1024];
  private final LongMap<AccountSlot> others = new LongMap<>(64);
  /** [0, used): this batch's slots in the order first used; [used, created): kept for later batches. */
  private AccountSlot[] slots = new AccountSlot[1024];
  private int used;
  private int created;

  /** The account's slot in this batch, or null. */
  AccountSlot get(long accountId) {
    if (accountId < DIRECT_IDS_MAX) {
      // ids are positive (Account checks it); a direct id beyond the array has no slot yet
      return accountId > 0 && accountId < byId.length ? byId[(int) accountId] : null;
    }
    return others.get(accountId);
  }

  /** A slot for {@code account}, which has none in this batch yet, starting from its committed counters. */
  AccountSlot add(Account account) {
    long id = account.id();
    if (get(id) != null) Checks.invariant(false, "an account has one slot per batch", id); // boxes only on failure
    AccountSlot slot;
    if (used < created) {
      slot = slots[used].load(account);
    } else {
      if (created == slots.length) slots = Arrays.copyOf(slots, created * 2);
      slot = slots[created++] = new AccountSlot(account);
    }
    used++;
    if (id < DIRECT_IDS_MAX) {
      if (id >= byId.length) byId = Arrays.copyOf(byId, (int) Math.min(DIRECT_IDS_MAX, Math.max(id + 1, byId.length * 2L)));
      byId[(int) id] = slot;
    } else {
      others.put(id, slot);
    }
    return slot;
  }

  int size() {
    return used;
  }

  /** The {@code k}-th slot used in this batch (0 <= k < size). */
  AccountSlot at(int k) {
    Checks.invariant(k >= 0 && k < used, "a slot's position is within the batch's");
    return slots[k];
  }

  /** Forgets this batch's slots (they stay for reuse); costs the slots used. */
  void clear() {
    AccountSlot[] s = slots;
    AccountSlot[] direct = byId;
    for (int k = 0; k < used; k++) {
      long id = s[k].id;
      if (id < DIRECT_IDS_MAX) direct[(int) id] = null;
    }
    others.clear();
    used = 0;
  }
}
