package dev.mileage.points.store;

import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Transfer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A batch leaving an overlay takes out only what no later batch in it changed again. */
class OverlayTest {
  @Test
  void removingABatchKeepsWhatALaterBatchChangedAgain() {
    var hold = Transfer.idOf("hold");
    BatchOutcome first = WriteSetTest.first(hold);
    BatchOutcome second = WriteSetTest.second(hold);
    for (Overlay o : new Overlay[] {Overlay.local(), Overlay.shared()}) {
      o.add(first);
      o.add(second);
      o.remove(first);
      assertEquals(130, o.accounts.get(1L).debitsPosted(), "the second batch's account 1 stays");
      assertEquals(PendingStatus.POSTED, o.pendings.get(hold).status(), "and its reservation state");
      assertNull(o.transfers.get(Transfer.idOf("single")), "the first batch's own transfer goes");
      assertTrue(o.transfers.containsKey(Transfer.idOf("post")));
      assertFalse(o.isEmpty());
      o.remove(second);
      assertTrue(o.isEmpty(), "nothing left once both left");
      o.add(first);
      o.clear();
      assertTrue(o.isEmpty());
    }
  }

  /**
   * The state lane wrote batches 1 and 2 merged: an entry still at their last state (or an equal one) leaves, handed
   * to the sink; one a later batch changed stays; transfers leave when the transfer lane wrote them, before.
   */
  @Test
  void projectedStateLeavesByItsLastValueAndTransfersLeaveFirst() {
    var hold = Transfer.idOf("hold");
    BatchOutcome first = WriteSetTest.first(hold);
    BatchOutcome second = WriteSetTest.second(hold);
    WriteSet w = new WriteSet();
    w.add(first, 1, new boolean[] {true});
    w.add(second, 2, new boolean[] {false});
    Overlay o = Overlay.shared();
    o.add(first);
    o.add(second);
    // a third batch, not projected: account 2 back to the counters batch 1 left, account 1 changed again
    var later = WriteSetTest.account(1, 0, 131, 0, 0);
    o.accounts.put(1L, later);
    o.accounts.put(2L, WriteSetTest.account(2, 0, 0, 0, 130));
    o.removeTransfers(w);
    assertTrue(o.transfers.isEmpty(), "both batches' transfers left");
    assertEquals(2, o.accounts.size(), "the state waits for its lane");
    java.util.Map<Long, dev.mileage.points.ledger.Account> cachedAccounts = new java.util.HashMap<>();
    java.util.Map<java.util.UUID, dev.mileage.points.engine.PendingState> cachedPendings = new java.util.HashMap<>();
    w.dropTransfers();
    o.remove(w, cachedAccounts::put, cachedPendings::put);
    assertEquals(later, o.accounts.get(1L), "changed by a later batch: stays for it");
    assertFalse(cachedAccounts.containsKey(1L), "and is not cached at a state the tables do not hold");
    assertEquals(130, cachedAccounts.get(2L).creditsPosted(), "equal to the projected state: cached");
    assertNull(o.accounts.get(2L), "and gone");
    assertEquals(PendingStatus.POSTED, cachedPendings.get(hold).status());
    assertTrue(o.pendings.isEmpty());
  }
}
