package dev.mileage.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mileage.gateway.media.SocketBudget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallCapacityTest {
  static final long THIS_MACHINES_FD_LIMIT = 20_000;

  @Test
  void theConfiguredLimitHoldsWhenPortsAndDescriptorsSuffice() {
    assertEquals(new CallCapacity.Capacity(20_000, CallCapacity.Bound.CONFIGURED), CallCapacity.of(20_000, 20_000, 1_048_576));
    assertEquals(new CallCapacity.Capacity(5_000, CallCapacity.Bound.MEDIA_PORTS), CallCapacity.of(20_000, 5_000, 1_048_576),
        "one port pair per call");
    assertEquals(new CallCapacity.Capacity(500, CallCapacity.Bound.CONFIGURED), CallCapacity.of(500, 20_000, 1_048_576));
  }

  @Test
  void anOpenFileLimitOf20000NoLongerStopsShortOf10000Calls() {
    // one socket per call where both legs multiplex RTCP: (20,000 - 1,024 reserved) / 1
    CallCapacity.Capacity c = CallCapacity.of(SipOptions.CALLS_MAX, 20_000, THIS_MACHINES_FD_LIMIT);
    assertEquals(CallCapacity.Bound.FILE_DESCRIPTORS, c.bound());
    assertEquals(18_976, c.callsMax());
    assertTrue(c.callsMax() >= 10_000);
  }

  /** Admission leases the worst case (2) and the relay refunds P + 1's share once both legs multiplex. */
  @Test
  void theBudgetAdmits10000MultiplexedCallsWhereTwoSocketsEachWouldStopAt9488() {
    SocketBudget budget = CallCapacity.budget(THIS_MACHINES_FD_LIMIT);
    assertEquals(THIS_MACHINES_FD_LIMIT - CallCapacity.FDS_RESERVED, budget.max());
    List<SocketBudget.Lease> calls = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      SocketBudget.Lease call = budget.lease(CallCapacity.MEDIA_FDS_PER_CALL_MAX);
      assertNotNull(call, "call " + i + " admitted");
      assertTrue(call.resize(CallCapacity.MEDIA_FDS_PER_CALL_MIN)); // both legs answered with rtcp-mux
      calls.add(call);
    }
    assertEquals(10_000, budget.held());
    // the rest of the budget still goes by the worst case: (18,976 - 10,000) / 2 more calls being set up
    List<SocketBudget.Lease> settingUp = new ArrayList<>();
    for (SocketBudget.Lease l; (l = budget.lease(CallCapacity.MEDIA_FDS_PER_CALL_MAX)) != null; ) settingUp.add(l);
    assertEquals(4_488, settingUp.size());
    assertNull(budget.lease(CallCapacity.MEDIA_FDS_PER_CALL_MAX), "past the limit less the reserve: 503");
    assertTrue(budget.held() + CallCapacity.FDS_RESERVED <= THIS_MACHINES_FD_LIMIT);
    assertEquals(budget.max(), budget.held());
    assertTrue(!calls.get(0).resize(2), "a call that needs P + 1 after all cannot grow past the budget");
    assertEquals(1, calls.get(0).sockets());
    settingUp.forEach(SocketBudget.Lease::close);
    calls.forEach(SocketBudget.Lease::close);
    assertEquals(0, budget.held(), "every call gives back what it held");
  }

  @Test
  void twoSocketsPerCallAtWorstWouldStopAt9488() {
    SocketBudget budget = CallCapacity.budget(THIS_MACHINES_FD_LIMIT);
    int admitted = 0;
    while (budget.lease(CallCapacity.MEDIA_FDS_PER_CALL_MAX) != null) admitted++;
    assertEquals(9_488, admitted, "why the budget follows real use instead of charging every call its worst case");
  }

  @Test
  void aTinyLimitStillAdmitsOneCallAndUnknownLimitsDoNotBind() {
    assertEquals(1, CallCapacity.of(100, 20_000, 1_000).callsMax());
    assertNotNull(CallCapacity.budget(1_000).lease(CallCapacity.MEDIA_FDS_PER_CALL_MAX), "one call's worth at least");
    assertEquals(CallCapacity.Bound.CONFIGURED, CallCapacity.of(100, 20_000, Long.MAX_VALUE).bound());
    assertEquals(Long.MAX_VALUE, CallCapacity.budget(Long.MAX_VALUE).max());
    assertThrows(IllegalArgumentException.class, () -> CallCapacity.of(0, 20_000, 20_000));
    assertThrows(IllegalArgumentException.class, () -> CallCapacity.budget(0));
  }

  @Test
  void thisProcessHasALimit() {
    assertTrue(CallCapacity.processFdLimit() > 0);
  }
}
