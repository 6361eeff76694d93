package dev.mileage.points.testing;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Recomputes every account's four counters from the stored transfers alone: posted = singles and
 * posts, pending = reservations still open. Balances must equal the sum of their transfers.
 */
public final class Journal {
  private Journal() {
  }

  /** Counters by account id: {debitsPending, debitsPosted, creditsPending, creditsPosted}. */
  public static Map<Long, long[]> recompute(Iterable<Transfer> stored, Predicate<UUID> reservationOpen) {
    Map<Long, long[]> counters = new HashMap<>();
    for (Transfer t : stored) {
      long[] dr = counters.computeIfAbsent(t.debitAccountId(), k -> new long[4]);
      long[] cr = counters.computeIfAbsent(t.creditAccountId(), k -> new long[4]);
      if (t.has(TransferFlags.PENDING)) {
        if (reservationOpen.test(t.id())) {
          dr[0] += t.amount();
          cr[2] += t.amount();
        }
      } else if (!t.has(TransferFlags.VOID_PENDING)) {
        dr[1] += t.amount();
        cr[3] += t.amount();
      }
    }
    return counters;
  }
}
