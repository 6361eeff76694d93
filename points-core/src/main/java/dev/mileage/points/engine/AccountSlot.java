package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;

/**
 * One account inside a batch: the committed state it was read as, and mutable counters the batch moves.
 * Mutating four longs in place replaces a new {@link Account} record per debit or credit; the record the
 * store writes is built once per changed account when the batch ends (its constructor re-checks that no
 * counter is negative). The working copy reuses slots from batch to batch: nothing outside it keeps one.
 */
final class AccountSlot {
  Account before;
  /** The account's id, kept here so that clearing a batch's slots reads no account. */
  long id;
  long debitsPending;
  long debitsPosted;
  long creditsPending;
  long creditsPosted;
  /** Set by any movement; the batch reports only changed accounts. */
  boolean changed;

  AccountSlot(Account before) {
    load(before);
  }

  /** Starts the slot over as {@code before}: slots are reused batch after batch (see WorkingCopy). */
  AccountSlot load(Account before) {
    this.before = before;
    this.id = before.id();
    this.changed = false;
    this.debitsPending = before.debitsPending();
    this.debitsPosted = before.debitsPosted();
    this.creditsPending = before.creditsPending();
    this.creditsPosted = before.creditsPosted();
    return this;
  }

  int pointType() {
    return before.pointType();
  }

  boolean has(int flag) {
    return before.has(flag);
  }

  void debit(long pendingDelta, long postedDelta) {
    debitsPending += pendingDelta;
    debitsPosted += postedDelta;
    // the id is boxed only on failure
    if (debitsPending < 0 || debitsPosted < 0) Checks.invariant(false, "debit counters stay non-negative", before.id());
    changed = true;
  }

  void credit(long pendingDelta, long postedDelta) {
    creditsPending += pendingDelta;
    creditsPosted += postedDelta;
    if (creditsPending < 0 || creditsPosted < 0) Checks.invariant(false, "credit counters stay non-negative", before.id());
    changed = true;
  }

  Account after() {
    return new Account(before.id(), before.owner(), before.pointType(), before.flags(), debitsPending, debitsPosted,
        creditsPending, creditsPosted);
  }
}
