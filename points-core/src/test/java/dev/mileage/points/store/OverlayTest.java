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
}
