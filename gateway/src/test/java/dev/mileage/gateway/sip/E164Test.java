package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class E164Test {
  @Test
  void acceptsE164AndTheInternationalPrefixWithVisualSeparators() {
    assertEquals("+15550100001", E164.parse("+15550100001").number());
    assertEquals("+15550100001", E164.parse("0015550100001").number());
    assertEquals("+442079460000", E164.parse("+44 (20) 7946-0000".replace(" ", "")).number());
    assertEquals("+821012345678", E164.parse("+82.10.1234.5678").number());
    assertEquals("+123456789012345", E164.parse("+123456789012345").number(), "15 digits is the maximum");
  }

  @Test
  void refusesEverythingElse() {
    for (String bad : new String[] {"", "+", "+1", "+0123456", "15550100001", "0015550100001x", "+1555#", "+1555*1",
        "*69", "#31#+15550100001", "+1555;ext=1", "+1555,,1234", "+1555p1234", "+1555w1", "+1234567890123456",
        "+1 555", "tel:+1555", "+1555%23", "+1555\u0661", "+" + "1".repeat(40), "0", "00"}) {
      assertFalse(E164.parse(bad).ok(), bad);
    }
    assertFalse(E164.parse(null).ok());
  }
}
