package dev.mileage.bench.ledger;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdsTest {
  @Test
  void timeOrderedIdsAreVersion7AndStrictlyIncreasingInPostgresOrder() {
    SplittableRandom random = new SplittableRandom(1);
    long before = System.currentTimeMillis();
    UUID previous = null;
    Set<UUID> seen = new HashSet<>();
    // more than the 4,096 a millisecond's counter holds, so the carry into the milliseconds is exercised
    for (int i = 0; i < 20_000; i++) {
      UUID id = Ids.TIME_ORDERED.next(random);
      assertEquals(7, id.version(), id.toString());
      assertEquals(2, id.variant(), id.toString());
      if (previous != null) {
        // PostgreSQL orders uuid by its bytes, unsigned: most significant half first
        int order = Long.compareUnsigned(id.getMostSignificantBits(), previous.getMostSignificantBits());
        assertTrue(order > 0, previous + " then " + id);
      }
      assertTrue(seen.add(id));
      previous = id;
    }
    long firstMs = seen.stream().mapToLong(u -> u.getMostSignificantBits() >>> 16).min().orElseThrow();
    assertTrue(firstMs >= before && firstMs <= System.currentTimeMillis(), "the milliseconds are the clock's");
  }

  @Test
  void randomIdsAreNotOrdered() {
    SplittableRandom random = new SplittableRandom(1);
    int descents = 0;
    UUID previous = Ids.RANDOM.next(random);
    for (int i = 0; i < 1_000; i++) {
      UUID id = Ids.RANDOM.next(random);
      if (Long.compareUnsigned(id.getMostSignificantBits(), previous.getMostSignificantBits()) < 0) descents++;
      previous = id;
    }
    assertTrue(descents > 300 && descents < 700, "about half go down: " + descents);
  }

  @Test
  void theOptionTakesBothSpellings() {
    LedgerBenchCommand.IdsConverter c = new LedgerBenchCommand.IdsConverter();
    assertEquals(Ids.TIME_ORDERED, c.convert("time-ordered"));
    assertEquals(Ids.TIME_ORDERED, c.convert("TIME_ORDERED"));
    assertEquals(Ids.RANDOM, c.convert("Random"));
    org.junit.jupiter.api.Assertions.assertThrows(picocli.CommandLine.TypeConversionException.class, () -> c.convert("v4"));
  }
}
