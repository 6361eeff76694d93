package dev.mileage.bench.ledger;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;

import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The mixed workload, one transfer at a time, shared by the closed and the open loop: a slot with a
 * reservation answered posts part of it (75%) or voids it (25%); otherwise it starts a cycle with a
 * reservation (80%) or makes a single transfer (20%) between two different customers.
 */
final class Mix {
  private Mix() {
  }

  /** The next transfer; {@code hold} is the reservation to close, or null to start something new. */
  static Transfer next(Ids ids, SplittableRandom random, long[] customers, UUID hold, long holdAmount) {
    if (hold != null) {
      return random.nextInt(4) == 0 ? Transfer.voidPending(ids.next(random), hold, 100, "void")
          : Transfer.post(ids.next(random), hold, 1 + random.nextLong(holdAmount), 100, "post");
    }
    int i = random.nextInt(customers.length);
    long a = customers[i];
    long b = customers[(i + 1 + random.nextInt(customers.length - 1)) % customers.length];
    long amount = 1 + random.nextInt(100);
    if (random.nextInt(10) < 2) return Transfer.single(ids.next(random), a, b, amount, 0, "single");
    return Transfer.reserve(ids.next(random), a, b, amount, 60, 100, "reserve");
  }

  /** True for the reservation that starts a cycle. */
  static boolean reserves(Transfer t) {
    return (t.flags() & TransferFlags.PENDING) != 0;
  }
}
