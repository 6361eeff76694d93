package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.util.Arrays;
import java.util.List;

/**
 * What one batch did, not yet durable: one result per submitted transfer, the records to append (in
 * timestamp order, expiry voids included), the accounts changed and the reservations created or closed.
 * Nothing of it may be answered or cached before the store has committed it.
 *
 * @param expired how many reservations the batch released because their timeout had passed
 */
public record BatchOutcome(List<TransferResult> results, List<TransferRecord> inserted, List<AccountChange> accounts,
                           List<PendingState> pendings, int expired, long lastTimestampMicros) {
  public BatchOutcome {
    results = List.copyOf(results);
    inserted = List.copyOf(inserted);
    accounts = List.copyOf(accounts);
    pendings = List.copyOf(pendings);
  }

  /** Nothing to write: every transfer failed or existed, and nothing expired. */
  public boolean isEmpty() {
    return inserted.isEmpty() && accounts.isEmpty() && pendings.isEmpty();
  }

  /**
   * The always-on checks before a write: no customer below zero (pending debits included), no
   * liability above its debits, every point moved left one account and entered another of the same
   * type, and timestamps strictly increase. A failure is a bug in the engine: nothing gets written.
   */
  public void verify() {
    // per point type: {type, debitsPending, debitsPosted, creditsPending, creditsPosted} deltas; a batch
    // touches a handful of point types, so a linear scan beats a boxed map
    long[][] deltasByType = new long[4][];
    int types = 0;
    for (int i = 0, n = accounts.size(); i < n; i++) {
      AccountChange change = accounts.get(i);
      Account a = change.after();
      checkLimits(a);
      Account b = change.before();
      long[] d = null;
      for (int k = 0; k < types; k++) {
        if (deltasByType[k][0] == a.pointType()) {
          d = deltasByType[k];
          break;
        }
      }
      if (d == null) {
        if (types == deltasByType.length) deltasByType = Arrays.copyOf(deltasByType, types * 2);
        d = deltasByType[types++] = new long[] {a.pointType(), 0, 0, 0, 0};
      }
      d[1] += a.debitsPending() - b.debitsPending();
      d[2] += a.debitsPosted() - b.debitsPosted();
      d[3] += a.creditsPending() - b.creditsPending();
      d[4] += a.creditsPosted() - b.creditsPosted();
    }
    for (int k = 0; k < types; k++) {
      long[] d = deltasByType[k];
      if (d[1] != d[3] || d[2] != d[4]) {
        Checks.invariant(false, "debits and credits move together in point type", (int) d[0]);
      }
    }
    long last = 0;
    for (int i = 0, n = inserted.size(); i < n; i++) {
      long ts = Micros.of(inserted.get(i).timestamp());
      Checks.invariant(ts > last, "timestamps strictly increase");
      last = ts;
    }
    Checks.invariant(inserted.isEmpty() || last == lastTimestampMicros, "last timestamp matches");
  }

  /** The per-account limits, checked before a write and after every read from the store. */
  public static Account checkLimits(Account a) {
    if (a.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)) {
      if (a.debitsPending() + a.debitsPosted() > a.creditsPosted()) {
        Checks.invariant(false, "debits must not exceed credits of account", a.id()); // boxes only on failure
      }
    }
    if (a.has(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)) {
      if (a.creditsPending() + a.creditsPosted() > a.debitsPosted()) {
        Checks.invariant(false, "credits must not exceed debits of account", a.id());
      }
    }
    return a;
  }
}
