package dev.mileage.points.metering;

import dev.mileage.points.ledger.StandardPointTypes;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TariffTest {
  @Test
  void roundsUsedSecondsByInitialAndSubsequentIncrements() {
    Tariff t606 = Tariff.of(10, 60, 6, 0);
    assertEquals(0, t606.billedSeconds(0));
    assertEquals(60, t606.billedSeconds(1));
    assertEquals(60, t606.billedSeconds(60));
    assertEquals(66, t606.billedSeconds(61), "a 61-second call at 60/6 bills 66 seconds");
    assertEquals(66, t606.billedSeconds(66));
    assertEquals(72, t606.billedSeconds(67));

    Tariff t11 = Tariff.of(10, 1, 1, 0);
    assertEquals(61, t11.billedSeconds(61));
    assertEquals(1, t11.billedSeconds(1));

    Tariff t6060 = Tariff.of(10, 60, 60, 0);
    assertEquals(60, t6060.billedSeconds(59));
    assertEquals(120, t6060.billedSeconds(61));
    assertEquals(180, t6060.billedSeconds(121));

    Tariff t306 = Tariff.of(10, 30, 6, 0);
    assertEquals(30, t306.billedSeconds(29));
    assertEquals(36, t306.billedSeconds(31));
  }

  @Test
  void pricesBilledSecondsRoundingUpToWholePointsWithAMinimumCharge() {
    assertEquals(11, Tariff.of(10, 60, 6, 0).pointsFor(61), "66 s at 10/min = 11");
    assertEquals(11, Tariff.of(10, 1, 1, 0).pointsFor(61), "61 s at 10/min = 10.17, rounded up");
    assertEquals(20, Tariff.of(10, 60, 60, 0).pointsFor(61));
    assertEquals(0, Tariff.of(10, 60, 60, 25).pointsFor(0), "an unanswered session costs nothing");
    assertEquals(25, Tariff.of(10, 60, 60, 25).pointsFor(1), "the minimum charge");
    assertEquals(30, Tariff.of(10, 60, 60, 25).pointsFor(179));
    assertEquals(0, Tariff.of(0, 1, 1, 0).pointsFor(3600), "free numbers");
  }

  @Test
  void maxSecondsIsTheLongestAffordableBillingBoundary() {
    Tariff t606 = Tariff.of(10, 60, 6, 0);
    assertEquals(0, t606.maxSecondsFor(9), "below the first increment: refused");
    assertEquals(60, t606.maxSecondsFor(10));
    assertEquals(66, t606.maxSecondsFor(11));
    assertEquals(60, t606.maxSecondsFor(10));
    assertEquals(600, Tariff.of(60, 1, 1, 0).maxSecondsFor(600));
    assertEquals(0, Tariff.of(10, 60, 60, 25).maxSecondsFor(24), "the minimum charge counts");
    assertEquals(120, Tariff.of(10, 60, 60, 25).maxSecondsFor(25));
    assertEquals(Tariff.SESSION_SECONDS_MAX, Tariff.of(0, 1, 1, 0).maxSecondsFor(0));
    // every boundary it answers is affordable and the next one is not
    for (Tariff t : List.of(t606, Tariff.of(7, 1, 1, 3), Tariff.of(13, 60, 60, 0), Tariff.of(90, 30, 6, 0))) {
      for (long points = 0; points < 500; points++) {
        long max = t.maxSecondsFor(points);
        if (max > 0) {
          assertEquals(max, t.billedSeconds(max), "a boundary");
          assertEquals(true, t.pointsFor(max) <= points);
        }
        assertEquals(true, t.pointsFor(t.billedSeconds(max + 1)) > points, "the next increment is not affordable");
      }
    }
  }

  @Test
  void convertsToAnotherPointTypeRoundingUpForTheOperator() {
    Tariff t = new Tariff(10, 60, 6, 3, List.of(StandardPointTypes.MILEAGE, StandardPointTypes.CYBER_MONEY));
    Tariff cyber = t.inPointType(StandardPointTypes.CYBER_MONEY, 1_000_000, 3_000_000);
    assertEquals(4, cyber.pointsPerMinute(), "10 mileage worth 1 each = 3.33 cyber worth 3 each, rounded up");
    assertEquals(1, cyber.minimumChargePoints());
    assertEquals(List.of(StandardPointTypes.CYBER_MONEY), cyber.pointTypes());
    assertThrows(IllegalArgumentException.class, () -> t.inPointType(StandardPointTypes.CASH, 1, 1));
  }

  @Test
  void refusesNonsense() {
    assertThrows(IllegalArgumentException.class, () -> Tariff.of(-1, 60, 6, 0));
    assertThrows(IllegalArgumentException.class, () -> Tariff.of(10, 0, 6, 0));
    assertThrows(IllegalArgumentException.class, () -> Tariff.of(10, 60, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> Tariff.of(10, 60, 6, -1));
    assertThrows(IllegalArgumentException.class, () -> new Tariff(10, 60, 6, 0, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new Tariff(10, 60, 6, 0, List.of(1, 1)));
    assertThrows(IllegalArgumentException.class, () -> Tariff.of(Tariff.POINTS_PER_MINUTE_MAX + 1, 60, 6, 0));
  }
}
