package dev.mileage.points.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The engine's primitive maps agree with java.util.HashMap under random puts, removes and growth. */
class LedgerEngineMapsTest {
  @Test
  void uuidMapMatchesHashMapUnderRandomOperations() {
    SplittableRandom random = new SplittableRandom(7);
    UuidMap<Integer> map = new UuidMap<>(4); // tiny: forces growth and long probe chains
    Map<UUID, Integer> expected = new HashMap<>();
    // few distinct keys so puts replace and removes hit; keys share halves to stress the hash
    List<UUID> keys = new ArrayList<>();
    for (int i = 0; i < 600; i++) keys.add(new UUID(random.nextInt(40), random.nextInt(40)));
    keys.add(new UUID(0, 0)); // the nil UUID looks like an empty slot: it is kept aside
    keys.add(new UUID(0, 0));
    for (int op = 0; op < 200_000; op++) {
      UUID k = keys.get(random.nextInt(keys.size()));
      int choice = random.nextInt(3);
      if (choice == 0) {
        assertEquals(expected.put(k, op), map.put(k, op));
      } else if (choice == 1) {
        assertEquals(expected.remove(k), map.remove(k));
      } else {
        assertEquals(expected.get(k), map.get(k));
      }
      assertEquals(expected.size(), map.size());
    }
    for (UUID k : keys) assertEquals(expected.get(k), map.get(k));
    assertEquals(new HashSet<>(expected.values()), new HashSet<>(map.values()));
    assertEquals(expected.size(), map.values().stream().count());
  }

  /**
   * A put right after a get that missed reuses the slot that get stopped at: with other keys put,
   * removed (moving entries), the map cleared or grown in between, it must still land where lookups find it.
   */
  @Test
  void uuidMapPutAfterAMissMatchesHashMap() {
    SplittableRandom random = new SplittableRandom(13);
    UuidMap<Integer> map = new UuidMap<>(4);
    Map<UUID, Integer> expected = new HashMap<>();
    List<UUID> keys = new ArrayList<>();
    for (int i = 0; i < 300; i++) keys.add(new UUID(random.nextInt(20), random.nextInt(20)));
    keys.add(new UUID(0, 0));
    for (int op = 0; op < 200_000; op++) {
      UUID k = keys.get(random.nextInt(keys.size()));
      assertEquals(expected.get(k), map.get(k)); // the engine's pattern: look up, then maybe insert
      UUID other = keys.get(random.nextInt(keys.size()));
      switch (random.nextInt(6)) {
        case 0 -> assertEquals(expected.put(other, -op), map.put(other, -op)); // another key in between
        case 1 -> assertEquals(expected.remove(other), map.remove(other)); // entries may shift
        case 2 -> assertEquals(expected.get(other), map.get(other)); // another miss replaces the remembered one
        case 3 -> {
          if (random.nextInt(500) == 0) {
            map.clear();
            expected.clear();
          }
        }
        default -> {
        }
      }
      assertEquals(expected.put(k, op), map.put(k, op));
      assertEquals(expected.size(), map.size());
    }
    for (UUID k : keys) assertEquals(expected.get(k), map.get(k));
  }

  @Test
  void longMapMatchesHashMapUnderGrowth() {
    SplittableRandom random = new SplittableRandom(11);
    LongMap<Long> map = new LongMap<>(2);
    Map<Long, Long> expected = new HashMap<>();
    for (int op = 0; op < 100_000; op++) {
      long k = random.nextInt(5000) * 1024L; // regular keys: the hash must still spread them
      long v = random.nextLong();
      assertEquals(expected.put(k, v), map.put(k, v));
      long probe = random.nextInt(6000) * 1024L;
      assertEquals(expected.get(probe), map.get(probe));
    }
    assertEquals(expected.size(), map.size());
    assertEquals(new HashSet<>(expected.values()), new HashSet<>(map.values()));
  }

  @Test
  void nullValuesAreRefused() {
    assertThrows(IllegalStateException.class, () -> new UuidMap<String>(4).put(new UUID(1, 2), null));
    assertThrows(IllegalStateException.class, () -> new LongMap<String>(4).put(3, null));
  }

  @Test
  void uuidRowsMatchHashMapUnderGrowth() {
    SplittableRandom random = new SplittableRandom(13);
    UuidRows rows = new UuidRows(2); // tiny: forces growth
    Map<UUID, Integer> expected = new HashMap<>();
    for (int op = 0; op < 100_000; op++) {
      UUID k = op % 5000 == 0 ? new UUID(0, 0) : new UUID(random.nextInt(3000), random.nextInt(30));
      Integer previous = expected.putIfAbsent(k, op);
      assertEquals(previous == null ? UuidRows.ABSENT : previous, rows.putIfAbsent(k.getMostSignificantBits(),
          k.getLeastSignificantBits(), op));
      UUID probe = new UUID(random.nextInt(3500), random.nextInt(30));
      assertEquals(expected.getOrDefault(probe, UuidRows.ABSENT),
          rows.get(probe.getMostSignificantBits(), probe.getLeastSignificantBits()));
    }
    assertEquals(expected.size(), rows.size());
  }

  /** The working copy's maps are cleared between batches at the cost of what they held: nothing may survive. */
  @Test
  void clearedMapsForgetEverythingAndKeepWorking() {
    SplittableRandom random = new SplittableRandom(17);
    UuidMap<Integer> uuids = new UuidMap<>(4);
    LongMap<Integer> longs = new LongMap<>(4);
    for (int round = 0; round < 200; round++) {
      Map<UUID, Integer> expected = new HashMap<>();
      Map<Long, Integer> expectedLongs = new HashMap<>();
      List<Long> order = new ArrayList<>(); // keys in the order first put
      int ops = random.nextInt(400);
      boolean removes = round % 3 == 0; // removals (chain rollbacks) and re-puts: more fills than slots
      for (int op = 0; op < ops; op++) {
        UUID k = new UUID(random.nextInt(60), random.nextInt(4));
        if (removes && random.nextBoolean()) {
          assertEquals(expected.remove(k), uuids.remove(k));
        } else {
          assertEquals(expected.put(k, op), uuids.put(k, op));
        }
        long key = random.nextInt(300);
        if (expectedLongs.put(key, op) == null) order.add(key);
        longs.put(key, op);
      }
      assertEquals(expected.size(), uuids.size());
      assertEquals(new HashSet<>(expected.values()), new HashSet<>(uuids.valuesList()));
      assertEquals(expected.size(), uuids.valuesList().size());
      for (int k = 0; k < longs.size(); k++) {
        assertEquals(expectedLongs.get(order.get(k)), longs.valueAt(k), "values in the order first put");
      }
      uuids.clear();
      longs.clear();
      assertEquals(0, uuids.size());
      assertEquals(0, longs.size());
      for (UUID k : expected.keySet()) assertEquals(null, uuids.get(k));
      for (long k : expectedLongs.keySet()) assertEquals(null, longs.get(k));
    }
  }
}
