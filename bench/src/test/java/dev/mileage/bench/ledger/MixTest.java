package dev.mileage.bench.ledger;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The workload both loops send: the proportions, valid transfers, fresh ids. */
class MixTest {
  static final int DRAWS = 100_000;
  final long[] customers = {11, 12, 13, 14, 15};

  @Test
  void newWorkIsEightyPercentReservationsAndTwentyPercentSingleTransfersBetweenTwoCustomers() {
    SplittableRandom random = new SplittableRandom(1);
    int reserves = 0;
    Set<UUID> ids = new HashSet<>();
    for (int i = 0; i < DRAWS; i++) {
      Transfer t = Mix.next(Ids.RANDOM, random, customers, null, 0);
      assertTrue(ids.add(t.id()), "a fresh id every time");
      assertNotEquals(t.debitAccountId(), t.creditAccountId());
      assertTrue(t.amount() >= 1 && t.amount() <= 100);
      if (Mix.reserves(t)) {
        reserves++;
        assertEquals(60, t.timeoutSeconds());
      } else {
        assertEquals(0, t.flags(), "otherwise a plain single transfer");
      }
    }
    assertEquals(0.80, reserves / (double) DRAWS, 0.01);
  }

  @Test
  void aHeldReservationIsPostedInPartThreeTimesInFourAndVoidedOtherwise() {
    SplittableRandom random = new SplittableRandom(2);
    UUID hold = UUID.randomUUID();
    int voids = 0;
    for (int i = 0; i < DRAWS; i++) {
      Transfer t = Mix.next(Ids.RANDOM, random, customers, hold, 40);
      assertEquals(hold, t.pendingId());
      assertFalse(Mix.reserves(t));
      if ((t.flags() & TransferFlags.VOID_PENDING) != 0) {
        voids++;
      } else {
        assertTrue((t.flags() & TransferFlags.POST_PENDING) != 0);
        assertTrue(t.amount() >= 1 && t.amount() <= 40, "never more than was reserved");
      }
    }
    assertEquals(0.25, voids / (double) DRAWS, 0.01);
  }
}
