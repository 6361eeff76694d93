package dev.mileage.gateway.mall;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The settlement schedule from the environment: defaults, accepted values, and refusals that name the variable. */
class MallOptionsTest {
  @Test
  void unsetOrBlankKeepsTheDefaults() {
    MallOptions o = MallOptions.fromEnvironment(Map.of());
    assertEquals(MallOptions.SETTLEMENT_INTERVAL_DEFAULT, o.settlementInterval());
    assertEquals(MallOptions.SETTLEMENT_DELAY_DEFAULT, o.settlementDelay());
    assertEquals(MallOptions.defaults().royaltyBasisPoints(), o.royaltyBasisPoints());
    MallOptions blank = MallOptions.fromEnvironment(Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, " ",
        MallOptions.SETTLEMENT_DELAY_ENV, ""));
    assertEquals(o, blank);
  }

  @Test
  void isoDurationsAreTaken() {
    MallOptions o = MallOptions.fromEnvironment(Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, "PT5M",
        MallOptions.SETTLEMENT_DELAY_ENV, " P2D "));
    assertEquals(Duration.ofMinutes(5), o.settlementInterval());
    assertEquals(Duration.ofDays(2), o.settlementDelay());
    assertEquals(Duration.ZERO, MallOptions.fromEnvironment(Map.of(MallOptions.SETTLEMENT_DELAY_ENV, "PT0S")).settlementDelay(),
        "no delay: pay at the next run");
  }

  @Test
  void malformedOrOutOfBoundsValuesAreRefusedByName() {
    for (Map<String, String> bad : new Map[] {
        Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, "5m"),
        Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, "PT0.5S"),
        Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, "P2D"),
        Map.of(MallOptions.SETTLEMENT_INTERVAL_ENV, "-PT1M"),
        Map.of(MallOptions.SETTLEMENT_DELAY_ENV, "tomorrow"),
        Map.of(MallOptions.SETTLEMENT_DELAY_ENV, "-PT1S"),
        Map.of(MallOptions.SETTLEMENT_DELAY_ENV, "P91D")}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MallOptions.fromEnvironment(bad), bad.toString());
      assertTrue(e.getMessage().contains(bad.keySet().iterator().next()), e.getMessage());
    }
  }
}
