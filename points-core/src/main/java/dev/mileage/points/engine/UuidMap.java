package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;

import java.util.AbstractCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;

/**
 * A UUID-keyed open-addressing map (linear probing). Both halves of a slot's key sit next to each other
 * in one {@code long[]}, and an all-zero key marks an empty slot, so a lookup of an absent id (the
 * common case: every new transfer is looked up first) touches one cache line instead of following
 * table, node and key pointers. The nil UUID, which would look empty, is kept aside. Null values are not
 * allowed. Not thread safe.
 */
final class UuidMap<V> {
  /** Capacity bound: 2^30 slots; the ledger's batches and the in-memory state stay far below. */
  static final int CAPACITY_MAX = 1 << 30;

  private long[] keys; // slot i: keys[2i] = most, keys[2i + 1] = least significant bits
  private Object[] values;
  private int mask;
  private int shift;
  private int size; // slots in use, the nil key not counted
  private Object nilValue; // the value of the nil UUID, or null
  /**
   * Slots filled since the last {@link #clear()} (removal moves entries only into slots filled before),
   * so clearing costs what was used; -1 after more fills than slots, then clearing wipes everything.
   */
  private int[] filled;
  private int filledCount;
  /**
   * Where the last {@link #get} of an absent key stopped: the empty slot a {@link #put} of that key right
   * after fills without probing again (the engine looks every new id up, then inserts it). Any change to
   * the map in between forgets it (-1).
   */
  private int missSlot = -1;
  private long missMsb;
  private long missLsb;

  /** Sized so that {@code expected} entries fit without growing (load at most one half). */
  UuidMap(int expected) {
    allocate(Integer.highestOneBit(Math.max(8, Math.min(CAPACITY_MAX / 2, expected)) * 2 - 1) * 2);
  }

  private void allocate(int capacity) {
    Checks.invariant(capacity <= CAPACITY_MAX, "a map is bounded", capacity);
    keys = new long[capacity * 2];
    values = new Object[capacity];
    filled = new int[capacity];
    filledCount = 0;
    missSlot = -1;
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  private int home(long msb, long lsb) {
    return (int) (((msb ^ Long.rotateLeft(lsb, 32)) * 0x9E3779B97F4A7C15L) >>> shift);
  }

  /** The first key half in the key's home slot, read only to bring it into the cache (see LedgerEngine#hint). */
  long touch(long msb, long lsb) {
    return keys[2 * home(msb, lsb)];
  }

  int size() {
    return size + (nilValue != null ? 1 : 0);
  }

  @SuppressWarnings("unchecked")
  V get(UUID key) {
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    if ((msb | lsb) == 0) return (V) nilValue;
    long[] ks = keys;
    for (int i = home(msb, lsb); ; i = (i + 1) & mask) {
      long m = ks[2 * i];
      long l = ks[2 * i + 1];
      if (m == msb && l == lsb) return (V) values[i];
      if ((m | l) == 0) {
        missSlot = i;
        missMsb = msb;
        missLsb = lsb;
        return null;
      }
    }
  }

  /** Answers the previous value, or null. */
  @SuppressWarnings("unchecked")
  V put(UUID key, V value) {
    Checks.invariant(value != null, "no null values");
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    if ((msb | lsb) == 0) {
      V previous = (V) nilValue;
      nilValue = value;
      return previous;
    }
    long[] ks = keys;
    int i = missSlot;
    missSlot = -1;
    if (i < 0 || missMsb != msb || missLsb != lsb) {
      for (i = home(msb, lsb); ; i = (i + 1) & mask) {
        long m = ks[2 * i];
        long l = ks[2 * i + 1];
        if (m == msb && l == lsb) {
          V previous = (V) values[i];
          values[i] = value;
          return previous;
        }
        if ((m | l) == 0) break;
      }
    }
    ks[2 * i] = msb;
    ks[2 * i + 1] = lsb;
    values[i] = value;
    fill(i);
    if (++size * 2 > values.length) grow();
    return null;
  }

  private void fill(int slot) {
    if (filledCount >= 0 && filledCount < filled.length) {
      filled[filledCount++] = slot;
    } else {
      filledCount = -1;
    }
  }

  /** Empties the map, keeping its capacity. */
  void clear() {
    if (filledCount < 0) {
      java.util.Arrays.fill(keys, 0);
      java.util.Arrays.fill(values, null);
    } else {
      long[] ks = keys;
      Object[] vs = values;
      int[] f = filled;
      for (int k = 0; k < filledCount; k++) {
        int i = f[k];
        ks[2 * i] = 0;
        ks[2 * i + 1] = 0;
        vs[i] = null;
      }
    }
    filledCount = 0;
    size = 0;
    nilValue = null;
    missSlot = -1;
  }

  /** Answers the removed value, or null (backward-shift deletion keeps probe chains intact). */
  @SuppressWarnings("unchecked")
  V remove(UUID key) {
    missSlot = -1;
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    if ((msb | lsb) == 0) {
      V previous = (V) nilValue;
      nilValue = null;
      return previous;
    }
    int i = home(msb, lsb);
    for (; ; i = (i + 1) & mask) {
      if (keys[2 * i] == msb && keys[2 * i + 1] == lsb) break;
      if ((keys[2 * i] | keys[2 * i + 1]) == 0) return null;
    }
    V removed = (V) values[i];
    int hole = i;
    for (int j = (hole + 1) & mask; (keys[2 * j] | keys[2 * j + 1]) != 0; j = (j + 1) & mask) {
      int h = home(keys[2 * j], keys[2 * j + 1]);
      // j's entry may move into the hole when its home is not cyclically within (hole, j]
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        keys[2 * hole] = keys[2 * j];
        keys[2 * hole + 1] = keys[2 * j + 1];
        values[hole] = values[j];
        hole = j;
      }
    }
    keys[2 * hole] = 0;
    keys[2 * hole + 1] = 0;
    values[hole] = null;
    size--;
    return removed;
  }

  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    allocate(oldValues.length * 2);
    for (int k = 0; k < oldValues.length; k++) {
      long msb = oldKeys[2 * k];
      long lsb = oldKeys[2 * k + 1];
      if ((msb | lsb) == 0) continue;
      int i = home(msb, lsb);
      while ((keys[2 * i] | keys[2 * i + 1]) != 0) i = (i + 1) & mask;
      keys[2 * i] = msb;
      keys[2 * i + 1] = lsb;
      values[i] = oldValues[k];
      fill(i);
    }
  }

  /** The values (in the order put when nothing was removed since the last clear): a snapshot copy. */
  @SuppressWarnings("unchecked")
  List<V> valuesList() {
    List<V> list = new ArrayList<>(size());
    if (nilValue != null) list.add((V) nilValue);
    if (filledCount == size) {
      // nothing removed since the last clear: the filled slots are exactly those in use, in the order put
      for (int k = 0; k < filledCount; k++) list.add((V) values[filled[k]]);
    } else {
      for (Object v : values) if (v != null) list.add((V) v);
    }
    return list;
  }

  /** A read-only view of the values (a snapshot when iterated), in no particular order. */
  Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        return valuesList().iterator();
      }

      @Override
      public int size() {
        return UuidMap.this.size();
      }
    };
  }
}
