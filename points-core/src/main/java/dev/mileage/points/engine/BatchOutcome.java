package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    Map<Integer, long[]> deltasByType = new HashMap<>();
    for (AccountChange change : accounts) {
      Account a = change.after();
      checkLimits(a);
      Account b = change.before();
      long[] d = deltasByType.computeIfAbsent(a.pointType(), k -> new long[4]);
      d[0] += a.debitsPending() - b.debitsPending();
      d[1] += a.debitsPosted() - b.debitsPosted();
      d[2] += a.creditsPending() - b.creditsPending();
      d[3] += a.creditsPosted() - b.creditsPosted();
    }
    deltasByType.forEach((type, d) -> Checks.invariant(d[0] == d[2] && d[1] == d[3],
        "debits and credits move together in point type", type));
    long last = 0;
    for (TransferRecord r : inserted) {
      long ts = Micros.of(r.timestamp());
      Checks.invariant(ts > last, "timestamps strictly increase");
      last = ts;
    }
    Checks.invariant(inserted.isEmpty() || last == lastTimestampMicros, "last timestamp matches");
  }

  /** The per-account limits, checked before a write and after every read from the store. */
  public static Account checkLimits(Account a) {
    if (a.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)) {
      Checks.invariant(a.debitsPending() + a.debitsPosted() <= a.creditsPosted(),
          "debits must not exceed credits of account", a.id());
    }
    if (a.has(AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)) {
      Checks.invariant(a.creditsPending() + a.creditsPosted() <= a.debitsPosted(),
          "credits must not exceed debits of account", a.id());
    }
    return a;
  }
}
