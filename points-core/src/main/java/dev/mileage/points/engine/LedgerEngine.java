package dev.mileage.points.engine;

import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;

/**
 * The ledger's rules, deterministic and free of I/O (TigerBeetle's model): applies a batch of transfers
 * to a {@link LedgerView} and answers what would change. Not thread safe: one writer owns it.
 *
 * <p>Time: the clock is read once per batch; that instant ({@code batchNow} = max(now, last + 1µs)) decides
 * which reservations have expired, and records take consecutive microseconds from it, so timestamps are
 * unique and increasing across batches and restarts (the store seeds {@code lastTimestampMicros}).
 *
 * <p>Precedence follows {@link TransferResult}'s order with one deliberate exception taken from
 * TigerBeetle: for POST_PENDING/VOID_PENDING the idempotency check ({@code EXISTS*}) comes before
 * {@code PENDING_TRANSFER_ALREADY_POSTED/VOIDED/EXPIRED}, so that a retried post answers EXISTS.
 * POST_PENDING needs a positive amount (use VOID_PENDING to release everything).
 *
 * <p>Linked chains succeed or fail as one: the failing member answers its own result, every other member
 * {@code LINKED_EVENT_FAILED}. A chain whose members all answer EXISTS is a retry and answers EXISTS; a
 * chain mixing EXISTS with new transfers is refused (its new members answer LINKED_EVENT_FAILED).
 */
public final class LedgerEngine {
  private static final int KIND_FLAGS = TransferFlags.PENDING | TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING;
  private static final long MICROS_PER_SECOND = 1_000_000L;
  /** Transfers one batch may hold: bounds the working copy. */
  public static final int TRANSFERS_PER_BATCH_MAX = 1 << 20;
  /**
   * Transfers per preload hint: what a window brings in (a few hundred cache lines on as many pages)
   * must still be in the caches and the TLB when the pass reaches it; a whole batch's would not be.
   */
  static final int PRELOAD_TRANSFERS = 256;

  private final Clock clock;
  private final WorkingCopy working = new WorkingCopy(1024);
  /**
   * Per position in the batch: the committed reservation a POST_PENDING/VOID_PENDING names, read once
   * by the expiry pass and used again when the transfer is applied (the base does not change during a
   * batch). Every position is written by each batch before it is read, so nothing of a batch before
   * survives into the next; grows to the largest batch seen (bounded by TRANSFERS_PER_BATCH_MAX).
   */
  private PendingState[] baseReservations = new PendingState[1024];
  private long lastTimestampMicros;

  public LedgerEngine(Clock clock, long lastTimestampMicros) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lastTimestampMicros = Checks.requireNonNegative(lastTimestampMicros, "lastTimestampMicros");
  }

  public long lastTimestampMicros() {
    return lastTimestampMicros;
  }

  /** The instant the next batch will run at: max(now, last + 1µs). */
  public long nowMicros() {
    return Math.max(Micros.of(clock.instant()), lastTimestampMicros + 1);
  }

  /**
   * Applies {@code transfers} in order after releasing every reservation among {@code expiryCandidates}
   * (and among those the batch posts or voids) whose timeout has passed.
   */
  public BatchOutcome apply(LedgerView base, List<Transfer> transfers, Collection<UUID> expiryCandidates) {
    return applyAll(base, List.of(transfers), expiryCandidates);
  }

  /**
   * Applies several callers' requests in one batch. Each request is its own unit for linked chains: a
   * chain never spans two requests (a request ending inside a chain answers LINKED_EVENT_CHAIN_OPEN).
   * The results are those of all requests, concatenated in order.
   */
  public BatchOutcome applyAll(LedgerView base, List<List<Transfer>> requests, Collection<UUID> expiryCandidates) {
    long batchNow = nowMicros();
    int total = 0;
    for (List<Transfer> transfers : requests) total += transfers.size();
    Checks.invariant(total <= TRANSFERS_PER_BATCH_MAX, "a batch is bounded", total);
    if (!expiryCandidates.isEmpty()) base.preloadExpiryCandidates(expiryCandidates);
    WorkingCopy w = working.reset(base, batchNow - 1, total + expiryCandidates.size());
    for (UUID id : expiryCandidates) expireIfDue(w, w.pending(id), batchNow);
    if (baseReservations.length < total) baseReservations = new PendingState[Math.max(total, baseReservations.length * 2)];
    PendingState[] reservations = baseReservations;
    int requestCount = requests.size();
    // the view is hinted one window ahead of each pass (see LedgerView): [window, ahead) is hinted next
    int window = hint(base, w, requests, 0, true);
    int ahead = hint(base, w, requests, window, true);
    int at = 0;
    for (int r = 0; r < requestCount; r++) {
      if (r == window) {
        window = ahead;
        ahead = hint(base, w, requests, ahead, true);
      }
      List<Transfer> transfers = requests.get(r);
      for (int k = 0, n = transfers.size(); k < n; k++, at++) {
        Transfer t = transfers.get(k);
        PendingState read = null;
        if (t.pendingId() != null && (t.flags() & (TransferFlags.POST_PENDING | TransferFlags.VOID_PENDING)) != 0) {
          read = base.pending(t.pendingId());
          PendingState p = w.pendingInBatch(t.pendingId());
          expireIfDue(w, p != null ? p : read, batchNow);
        }
        reservations[at] = read;
      }
    }
    TransferResult[] results = new TransferResult[total];
    window = hint(base, w, requests, 0, false);
    ahead = hint(base, w, requests, window, false);
    int offset = 0;
    for (int r = 0; r < requestCount; r++) {
      if (r == window) {
        window = ahead;
        ahead = hint(base, w, requests, ahead, false);
      }
      List<Transfer> transfers = requests.get(r);
      applyRequest(w, transfers, results, offset, batchNow);
      offset += transfers.size();
    }
    BatchOutcome outcome = w.outcome(results);
    lastTimestampMicros = Math.max(lastTimestampMicros, outcome.lastTimestampMicros());
    return outcome;
  }

  /**
   * Hints the view about the requests from {@code from} on, about {@link #PRELOAD_TRANSFERS} transfers'
   * worth (at least one request), for the expiry pass ({@code reservations}) or the apply pass; answers
   * the first request not hinted.
   */
  private static int hint(LedgerView base, WorkingCopy w, List<List<Transfer>> requests, int from,
                          boolean reservations) {
    int to = from;
    for (int transfers = 0; to < requests.size() && transfers < PRELOAD_TRANSFERS; to++) {
      transfers += requests.get(to).size();
    }
    if (to > from) {
      w.preload(requests, from, to, reservations);
      if (reservations) {
        base.preloadReservations(requests, from, to);
      } else {
        base.preloadTransfers(requests, from, to);
      }
    }
    return to;
  }

  private void applyRequest(WorkingCopy w, List<Transfer> transfers, TransferResult[] results, int offset,
                            long batchNow) {
    int n = transfers.size();
    int start = 0;
    while (start < n) {
      int end = start;
      while (end < n && transfers.get(end).has(TransferFlags.LINKED)) end++;
      if (end == n) {
        for (int k = start; k < n - 1; k++) results[offset + k] = LINKED_EVENT_FAILED;
        results[offset + n - 1] = LINKED_EVENT_CHAIN_OPEN;
        break;
      }
      if (start == end) {
        results[offset + start] = applyOne(w, transfers.get(start), offset + start, batchNow);
      } else {
        applyChain(w, transfers, start, end, results, offset, batchNow);
      }
      start = end + 1;
    }
  }

  private void applyChain(WorkingCopy w, List<Transfer> transfers, int start, int end, TransferResult[] results,
                          int offset, long batchNow) {
    w.beginChain();
    int failed = -1;
    int exists = 0;
    for (int k = start; k <= end && failed < 0; k++) {
      TransferResult r = applyOne(w, transfers.get(k), offset + k, batchNow);
      results[offset + k] = r;
      if (r == EXISTS) {
        exists++;
      } else if (r != OK) {
        failed = k;
      }
    }
    int size = end - start + 1;
    boolean keep = failed < 0 && (exists == 0 || exists == size);
    w.endChain(keep);
    if (keep) return;
    for (int k = start; k <= end; k++) {
      if (failed >= 0 ? k != failed : results[offset + k] != EXISTS) results[offset + k] = LINKED_EVENT_FAILED;
    }
  }

  /** Validates completely, then changes the working copy only when the answer is OK. */
  private TransferResult applyOne(WorkingCopy w, Transfer t, int at, long batchNow) {
    int kind = t.flags() & KIND_FLAGS;
    if (Integer.bitCount(kind) > 1) return FLAGS_ARE_MUTUALLY_EXCLUSIVE;
    boolean postOrVoid = kind == TransferFlags.POST_PENDING || kind == TransferFlags.VOID_PENDING;
    if (!postOrVoid) {
      if (t.debitAccountId() == 0) return DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
      if (t.creditAccountId() == 0) return CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO;
    }
    if (t.debitAccountId() != 0 && t.debitAccountId() == t.creditAccountId()) return ACCOUNTS_MUST_BE_DIFFERENT;
    if (!postOrVoid && t.pendingId() != null) return PENDING_ID_MUST_BE_NULL;
    if (postOrVoid && t.pendingId() == null) return PENDING_ID_MUST_NOT_BE_NULL;
    if (postOrVoid && t.pendingId().equals(t.id())) return PENDING_ID_MUST_BE_DIFFERENT;
    if (kind != TransferFlags.PENDING && t.timeoutSeconds() != 0) return TIMEOUT_RESERVED_FOR_PENDING_TRANSFER;
    if (kind != TransferFlags.VOID_PENDING && t.amount() == 0) return AMOUNT_MUST_NOT_BE_ZERO;
    if (t.reference().length() > Transfer.REFERENCE_LENGTH_MAX) return REFERENCE_TOO_LONG;
    return postOrVoid ? postOrVoid(w, t, kind, at, batchNow) : create(w, t, kind);
  }

  private TransferResult create(WorkingCopy w, Transfer t, int kind) {
    AccountSlot dr = w.account(t.debitAccountId());
    if (dr == null) return DEBIT_ACCOUNT_NOT_FOUND;
    AccountSlot cr = w.account(t.creditAccountId());
    if (cr == null) return CREDIT_ACCOUNT_NOT_FOUND;
    if (dr.pointType() != cr.pointType()) return ACCOUNTS_MUST_HAVE_THE_SAME_POINT_TYPE;
    TransferRecord existing = w.transfer(t.id());
    if (existing != null) return exists(t, existing.transfer());
    long amount = t.amount();
    long drDebits = dr.debitsPending + dr.debitsPosted;
    long crCredits = cr.creditsPending + cr.creditsPosted;
    if (drDebits + amount < 0) return OVERFLOWS_DEBITS; // all terms non-negative: wrap-around is overflow
    if (crCredits + amount < 0) return OVERFLOWS_CREDITS;
    if (dr.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS) && drDebits + amount > dr.creditsPosted) {
      return EXCEEDS_CREDITS;
    }
    if (cr.has(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS) && crCredits + amount > cr.debitsPosted) {
      return EXCEEDS_DEBITS;
    }
    long ts = w.nextTimestampMicros();
    w.insert(new TransferRecord(t, Micros.toInstant(ts)));
    if (kind == TransferFlags.PENDING) {
      w.debit(dr, amount, 0);
      w.credit(cr, amount, 0);
      long expiresAt = t.timeoutSeconds() == 0 ? 0 : ts + t.timeoutSeconds() * MICROS_PER_SECOND;
      w.put(new PendingState(t.id(), dr.id, cr.id, amount, ts, expiresAt, PendingStatus.PENDING));
    } else {
      w.debit(dr, 0, amount);
      w.credit(cr, 0, amount);
    }
    return OK;
  }

  private TransferResult postOrVoid(WorkingCopy w, Transfer t, int kind, int at, long batchNow) {
    PendingState p = w.pendingInBatch(t.pendingId());
    if (p == null) p = baseReservations[at]; // the committed one, read by the expiry pass
    if (p == null) return w.transfer(t.pendingId()) == null ? PENDING_TRANSFER_NOT_FOUND : PENDING_TRANSFER_NOT_PENDING;
    if (t.debitAccountId() != 0 && t.debitAccountId() != p.debitAccountId()) {
      return PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID;
    }
    if (t.creditAccountId() != 0 && t.creditAccountId() != p.creditAccountId()) {
      return PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID;
    }
    boolean post = kind == TransferFlags.POST_PENDING;
    if (post && t.amount() > p.amount()) return EXCEEDS_PENDING_TRANSFER_AMOUNT;
    if (!post && t.amount() != 0 && t.amount() != p.amount()) return PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT;
    TransferRecord existing = w.transfer(t.id());
    if (existing != null) return exists(t, existing.transfer());
    switch (p.status()) {
      case POSTED: return PENDING_TRANSFER_ALREADY_POSTED;
      case VOIDED: return PENDING_TRANSFER_ALREADY_VOIDED;
      case EXPIRED: return PENDING_TRANSFER_EXPIRED;
      default: break;
    }
    Checks.invariant(!p.dueAt(batchNow), "due reservations were released before the batch");
    long amount = post ? t.amount() : p.amount();
    AccountSlot dr = release(w, p);
    AccountSlot cr = w.account(p.creditAccountId());
    long ts = w.nextTimestampMicros();
    w.insert(new TransferRecord(new Transfer(t.id(), p.debitAccountId(), p.creditAccountId(), amount, p.id(), 0,
        t.code(), t.reference(), t.flags()), Micros.toInstant(ts)));
    if (post) {
      w.debit(dr, 0, amount);
      w.credit(cr, 0, amount);
    }
    w.put(p.with(post ? PendingStatus.POSTED : PendingStatus.VOIDED));
    return OK;
  }

  /** Takes the reservation out of both accounts' pending counters; answers the debit account after. */
  private static AccountSlot release(WorkingCopy w, PendingState p) {
    AccountSlot dr = w.account(p.debitAccountId());
    AccountSlot cr = w.account(p.creditAccountId());
    Checks.invariant(dr != null && cr != null, "a reservation's accounts exist");
    w.debit(dr, -p.amount(), 0);
    w.credit(cr, -p.amount(), 0);
    return dr;
  }

  /**
   * Releases a reservation whose timeout has passed. As in TigerBeetle no transfer is written: the
   * reservation's state becomes EXPIRED (and its PENDING transfer stays in the history), so a caller's id
   * space is never touched by the engine.
   */
  private static void expireIfDue(WorkingCopy w, PendingState p, long batchNow) {
    if (p == null || !p.dueAt(batchNow)) return;
    release(w, p);
    w.put(p.with(PendingStatus.EXPIRED));
    w.expiredOne();
  }

  private static TransferResult exists(Transfer t, Transfer e) {
    if (t.flags() != e.flags()) return EXISTS_WITH_DIFFERENT_FLAGS;
    boolean postOrVoid = t.has(TransferFlags.POST_PENDING) || t.has(TransferFlags.VOID_PENDING);
    if (postOrVoid ? t.debitAccountId() != 0 && t.debitAccountId() != e.debitAccountId()
        : t.debitAccountId() != e.debitAccountId()) {
      return EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID;
    }
    if (postOrVoid ? t.creditAccountId() != 0 && t.creditAccountId() != e.creditAccountId()
        : t.creditAccountId() != e.creditAccountId()) {
      return EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID;
    }
    boolean anyAmount = t.has(TransferFlags.VOID_PENDING) && t.amount() == 0;
    if (!anyAmount && t.amount() != e.amount()) return EXISTS_WITH_DIFFERENT_AMOUNT;
    if (!Objects.equals(t.pendingId(), e.pendingId())) return EXISTS_WITH_DIFFERENT_PENDING_ID;
    if (t.timeoutSeconds() != e.timeoutSeconds()) return EXISTS_WITH_DIFFERENT_TIMEOUT;
    if (t.code() != e.code()) return EXISTS_WITH_DIFFERENT_CODE;
    if (!t.reference().equals(e.reference())) return EXISTS_WITH_DIFFERENT_REFERENCE;
    return EXISTS;
  }
}
