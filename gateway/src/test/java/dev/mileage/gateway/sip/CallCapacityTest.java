package dev.mileage.gateway.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CallCapacityTest {
  @Test
  void theConfiguredLimitHoldsWhenPortsAndDescriptorsSuffice() {
    CallCapacity.Capacity c = CallCapacity.of(20_000, 20_000, 1_048_576);
    assertEquals(new CallCapacity.Capacity(10_000, CallCapacity.Bound.MEDIA_PORTS), c);
    assertEquals(new CallCapacity.Capacity(500, CallCapacity.Bound.CONFIGURED), CallCapacity.of(500, 20_000, 1_048_576));
  }

  @Test
  void anOpenFileLimitOf20000BoundsCallsToWhatFourSocketsEachLeave() {
    // this machine's hard limit: (20,000 - 1,024 reserved) / 4 sockets per call
    CallCapacity.Capacity c = CallCapacity.of(SipOptions.CALLS_MAX, 20_000, 20_000);
    assertEquals(CallCapacity.Bound.FILE_DESCRIPTORS, c.bound());
    assertEquals(4_744, c.callsMax());
    assertTrue(c.callsMax() * CallCapacity.MEDIA_FDS_PER_CALL + CallCapacity.FDS_RESERVED <= 20_000);
  }

  @Test
  void aTinyLimitStillAdmitsOneCallAndUnknownLimitsDoNotBind() {
    assertEquals(1, CallCapacity.of(100, 20_000, 1_000).callsMax());
    assertEquals(CallCapacity.Bound.CONFIGURED, CallCapacity.of(100, 20_000, Long.MAX_VALUE).bound());
    assertThrows(IllegalArgumentException.class, () -> CallCapacity.of(0, 20_000, 20_000));
  }

  @Test
  void thisProcessHasALimit() {
    assertTrue(CallCapacity.processFdLimit() > 0);
  }
}
