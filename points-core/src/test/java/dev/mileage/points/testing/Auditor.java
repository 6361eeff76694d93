package dev.mileage.points.testing;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;

/**
 * An independent model of the ledger's rules, written from the specification in a deliberately
 * different style (copy the whole state before a chain, restore it on failure; plain mutable objects),
 * so that the engine and the auditor are unlikely to share a mistake.
 */
public final class Auditor {
  public static final class Acc {
    final long id;
    final int type;
    final int flags;
    public long dp, dpo, cp, cpo;

    Acc(long id, int type, int flags) {
      this.id = id;
      this.type = type;
      this.flags = flags;
    }

    Acc copy() {
      Acc a = new Acc(id, type, flags);
      a.dp = dp;
      a.dpo = dpo;
      a.cp = cp;
      a.cpo = cpo;
      return a;
    }

    public boolean matches(Account account) {
      return account.id() == id && account.debitsPending() == dp && account.debitsPosted() == dpo
          && account.creditsPending() == cp && account.creditsPosted() == cpo;
    }

    @Override
    public String toString() {
      return "Acc[" + id + " dp=" + dp + " dpo=" + dpo + " cp=" + cp + " cpo=" + cpo + "]";
    }
  }

  public enum State { OPEN, POSTED, VOIDED, EXPIRED }

  public record Res(UUID id, long debit, long credit, long amount, long expiresAt, State state) {
  }

  public Map<Long, Acc> accounts = new HashMap<>();
  public Map<UUID, Transfer> stored = new HashMap<>();
  public Map<UUID, Long> timestamps = new HashMap<>();
  public Map<UUID, Res> reservations = new HashMap<>();
  long lastTs;

  /** Reservations still holding points. */
  public List<UUID> open() {
    return reservations.values().stream().filter(r -> r.state() == State.OPEN).map(Res::id).toList();
  }

  public void open(Account a) {
    accounts.put(a.id(), new Acc(a.id(), a.pointType(), a.flags()));
  }

  /** One batch of one request, at the engine's batch time, after the sweep of {@code candidates}. */
  public List<TransferResult> apply(List<Transfer> batch, Collection<UUID> candidates, long nowMicros) {
    long batchNow = Math.max(nowMicros, lastTs + 1);
    lastTs = batchNow - 1;
    List<UUID> toCheck = new ArrayList<>(candidates);
    for (Transfer t : batch) {
      if (t.has(TransferFlags.POST_PENDING) || t.has(TransferFlags.VOID_PENDING)) {
        if (t.pendingId() != null) toCheck.add(t.pendingId());
      }
    }
    for (UUID id : toCheck) {
      Res r = reservations.get(id);
      if (r != null && r.state() == State.OPEN && r.expiresAt() != 0 && r.expiresAt() <= batchNow) {
        accounts.get(r.debit()).dp -= r.amount();
        accounts.get(r.credit()).cp -= r.amount();
        reservations.put(id, new Res(r.id(), r.debit(), r.credit(), r.amount(), r.expiresAt(), State.EXPIRED));
      }
    }
    TransferResult[] out = new TransferResult[batch.size()];
    int i = 0;
    while (i < batch.size()) {
      int j = i;
      while (j < batch.size() && batch.get(j).has(TransferFlags.LINKED)) j++;
      if (j == batch.size()) {
        for (int k = i; k < j; k++) out[k] = k == j - 1 ? LINKED_EVENT_CHAIN_OPEN : LINKED_EVENT_FAILED;
        break;
      }
      if (i == j) { // alone: one() changes nothing unless it answers OK
        out[i] = one(batch.get(i), batchNow);
        i++;
        continue;
      }
      // snapshot everything, run the chain, restore on failure
      Map<Long, Acc> accountsBefore = deepCopy(accounts);
      Map<UUID, Transfer> storedBefore = new HashMap<>(stored);
      Map<UUID, Long> tsBefore = new HashMap<>(timestamps);
      Map<UUID, Res> resBefore = new HashMap<>(reservations);
      long lastBefore = lastTs;
      int failedAt = -1;
      int existed = 0;
      for (int k = i; k <= j; k++) {
        out[k] = one(batch.get(k), batchNow);
        if (out[k] == EXISTS) {
          existed++;
        } else if (out[k] != OK) {
          failedAt = k;
          break;
        }
      }
      int members = j - i + 1;
      boolean undo = failedAt >= 0 || (existed > 0 && existed < members);
      if (undo) {
        accounts = accountsBefore;
        stored = storedBefore;
        timestamps = tsBefore;
        reservations = resBefore;
        lastTs = lastBefore;
        for (int k = i; k <= j; k++) {
          boolean keepOwn = failedAt >= 0 ? k == failedAt : out[k] == EXISTS;
          if (!keepOwn) out[k] = LINKED_EVENT_FAILED;
        }
      }
      i = j + 1;
    }
    return List.of(out);
  }

  private static Map<Long, Acc> deepCopy(Map<Long, Acc> m) {
    Map<Long, Acc> copy = new HashMap<>();
    m.forEach((k, v) -> copy.put(k, v.copy()));
    return copy;
  }

  private TransferResult one(Transfer t, long batchNow) {
    boolean pending = t.has(TransferFlags.PENDING);
    boolean post = t.has(TransferFlags.POST_PENDING);
    boolean voiding = t.has(TransferFlags.VOID_PENDING);
    int kinds = (pending ? 1 : 0) + (post ? 1 : 0) + (voiding ? 1 : 0);
    if (kinds > 1) return FLAGS_ARE_MUTUALLY_EXCLUSIVE;
    boolean settle = post || voiding;
    if (!settle && t.debitAccountId() == 0) return DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
    if (!settle && t.creditAccountId() == 0) return CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
    if (t.debitAccountId() != 0 && t.debitAccountId() == t.creditAccountId()) return ACCOUNTS_MUST_BE_DIFFERENT;
    if (!settle && t.pendingId() != null) return PENDING_ID_MUST_BE_NULL;
    if (settle && t.pendingId() == null) return PENDING_ID_MUST_NOT_BE_NULL;
    if (settle && t.pendingId().equals(t.id())) return PENDING_ID_MUST_BE_DIFFERENT;
    if (!pending && t.timeoutSeconds() > 0) return TIMEOUT_RESERVED_FOR_PENDING_TRANSFER;
    if (!voiding && t.amount() == 0) return AMOUNT_MUST_NOT_BE_ZERO;
    if (t.reference().length() > Transfer.REFERENCE_LENGTH_MAX) return REFERENCE_TOO_LONG;
    if (settle) {
      Res r = reservations.get(t.pendingId());
      if (r == null) return stored.containsKey(t.pendingId()) ? PENDING_TRANSFER_NOT_PENDING : PENDING_TRANSFER_NOT_FOUND;
      if (t.debitAccountId() != 0 && t.debitAccountId() != r.debit()) return PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID;
      if (t.creditAccountId() != 0 && t.creditAccountId() != r.credit()) {
        return PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID;
      }
      if (post && t.amount() > r.amount()) return EXCEEDS_PENDING_TRANSFER_AMOUNT;
      if (voiding && t.amount() != 0 && t.amount() != r.amount()) return PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT;
      if (stored.containsKey(t.id())) return compare(t, stored.get(t.id()), true);
      if (r.state() == State.POSTED) return PENDING_TRANSFER_ALREADY_POSTED;
      if (r.state() == State.VOIDED) return PENDING_TRANSFER_ALREADY_VOIDED;
      if (r.state() == State.EXPIRED) return PENDING_TRANSFER_EXPIRED;
      long amount = post ? t.amount() : r.amount();
      Acc dr = accounts.get(r.debit());
      Acc cr = accounts.get(r.credit());
      dr.dp -= r.amount();
      cr.cp -= r.amount();
      if (post) {
        dr.dpo += amount;
        cr.cpo += amount;
      }
      store(new Transfer(t.id(), r.debit(), r.credit(), amount, r.id(), 0, t.code(), t.reference(), t.flags()));
      reservations.put(r.id(), new Res(r.id(), r.debit(), r.credit(), r.amount(), r.expiresAt(),
          post ? State.POSTED : State.VOIDED));
      return OK;
    }
    Acc dr = accounts.get(t.debitAccountId());
    if (dr == null) return DEBIT_ACCOUNT_NOT_FOUND;
    Acc cr = accounts.get(t.creditAccountId());
    if (cr == null) return CREDIT_ACCOUNT_NOT_FOUND;
    if (dr.type != cr.type) return ACCOUNTS_MUST_HAVE_THE_SAME_POINT_TYPE;
    if (stored.containsKey(t.id())) return compare(t, stored.get(t.id()), false);
    long amount = t.amount();
    if (Long.MAX_VALUE - dr.dp - dr.dpo < amount) return OVERFLOWS_DEBITS;
    if (Long.MAX_VALUE - cr.cp - cr.cpo < amount) return OVERFLOWS_CREDITS;
    if ((dr.flags & AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS) != 0 && dr.dp + dr.dpo + amount > dr.cpo) {
      return EXCEEDS_CREDITS;
    }
    if ((cr.flags & AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS) != 0 && cr.cp + cr.cpo + amount > cr.dpo) {
      return EXCEEDS_DEBITS;
    }
    long ts = store(t);
    if (pending) {
      dr.dp += amount;
      cr.cp += amount;
      long expiresAt = t.timeoutSeconds() == 0 ? 0 : ts + 1_000_000L * t.timeoutSeconds();
      reservations.put(t.id(), new Res(t.id(), dr.id, cr.id, amount, expiresAt, State.OPEN));
    } else {
      dr.dpo += amount;
      cr.cpo += amount;
    }
    return OK;
  }

  private long store(Transfer t) {
    lastTs++;
    stored.put(t.id(), t);
    timestamps.put(t.id(), lastTs);
    return lastTs;
  }

  private static TransferResult compare(Transfer t, Transfer e, boolean settle) {
    if (t.flags() != e.flags()) return EXISTS_WITH_DIFFERENT_FLAGS;
    if (settle ? t.debitAccountId() != 0 && t.debitAccountId() != e.debitAccountId()
        : t.debitAccountId() != e.debitAccountId()) {
      return EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID;
    }
    if (settle ? t.creditAccountId() != 0 && t.creditAccountId() != e.creditAccountId()
        : t.creditAccountId() != e.creditAccountId()) {
      return EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID;
    }
    boolean voidAll = t.has(TransferFlags.VOID_PENDING) && t.amount() == 0;
    if (!voidAll && t.amount() != e.amount()) return EXISTS_WITH_DIFFERENT_AMOUNT;
    if (!Objects.equals(t.pendingId(), e.pendingId())) return EXISTS_WITH_DIFFERENT_PENDING_ID;
    if (t.timeoutSeconds() != e.timeoutSeconds()) return EXISTS_WITH_DIFFERENT_TIMEOUT;
    if (t.code() != e.code()) return EXISTS_WITH_DIFFERENT_CODE;
    if (!t.reference().equals(e.reference())) return EXISTS_WITH_DIFFERENT_REFERENCE;
    return EXISTS;
  }
}
