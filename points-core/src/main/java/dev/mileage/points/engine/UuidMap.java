package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.UUID;

/**
 * A UUID-keyed open-addressing map (linear probing) holding the key's two halves in primitive arrays:
 * a lookup compares longs in place instead of following table, node and key pointers, which is where
 * the engine's large maps spent their time. Null values are not allowed (null marks an empty slot).
 * Not thread safe.
 */
final class UuidMap<V> {
  /** Capacity bound: 2^30 slots; the ledger's batches and the in-memory state stay far below. */
  static final int CAPACITY_MAX = 1 << 30;

  private long[] msbs;
  private long[] lsbs;
  private Object[] values;
  private int mask;
  private int shift;
  private int size;

  /** Sized so that {@code expected} entries fit without growing (load at most one half). */
  UuidMap(int expected) {
    int capacity = Integer.highestOneBit(Math.max(8, Math.min(CAPACITY_MAX / 2, expected)) * 2 - 1) * 2;
    allocate(capacity);
  }

  private void allocate(int capacity) {
    Checks.invariant(capacity <= CAPACITY_MAX, "a map is bounded", capacity);
    msbs = new long[capacity];
    lsbs = new long[capacity];
    values = new Object[capacity];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  private int home(long msb, long lsb) {
    return (int) (((msb ^ Long.rotateLeft(lsb, 32)) * 0x9E3779B97F4A7C15L) >>> shift);
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  @SuppressWarnings("unchecked")
  V get(UUID key) {
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    for (int i = home(msb, lsb); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) return null;
      if (msbs[i] == msb && lsbs[i] == lsb) return (V) v;
    }
  }

  /** Answers the previous value, or null. */
  @SuppressWarnings("unchecked")
  V put(UUID key, V value) {
    Checks.invariant(value != null, "no null values");
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    int i = home(msb, lsb);
    for (; values[i] != null; i = (i + 1) & mask) {
      if (msbs[i] == msb && lsbs[i] == lsb) {
        V previous = (V) values[i];
        values[i] = value;
        return previous;
      }
    }
    msbs[i] = msb;
    lsbs[i] = lsb;
    values[i] = value;
    if (++size * 2 > values.length) grow();
    return null;
  }

  /** Answers the removed value, or null (backward-shift deletion keeps probe chains intact). */
  @SuppressWarnings("unchecked")
  V remove(UUID key) {
    long msb = key.getMostSignificantBits();
    long lsb = key.getLeastSignificantBits();
    int i = home(msb, lsb);
    for (; ; i = (i + 1) & mask) {
      if (values[i] == null) return null;
      if (msbs[i] == msb && lsbs[i] == lsb) break;
    }
    V removed = (V) values[i];
    int hole = i;
    for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
      int h = home(msbs[j], lsbs[j]);
      // j's entry may move into the hole when its home is not cyclically within (hole, j]
      if (((j - h) & mask) >= ((j - hole) & mask)) {
        msbs[hole] = msbs[j];
        lsbs[hole] = lsbs[j];
        values[hole] = values[j];
        hole = j;
      }
    }
    values[hole] = null;
    size--;
    return removed;
  }

  private void grow() {
    long[] oldMsbs = msbs;
    long[] oldLsbs = lsbs;
    Object[] oldValues = values;
    allocate(oldValues.length * 2);
    for (int k = 0; k < oldValues.length; k++) {
      if (oldValues[k] == null) continue;
      int i = home(oldMsbs[k], oldLsbs[k]);
      while (values[i] != null) i = (i + 1) & mask;
      msbs[i] = oldMsbs[k];
      lsbs[i] = oldLsbs[k];
      values[i] = oldValues[k];
    }
  }

  /** A read-only view of the values, in no particular order. */
  Collection<V> values() {
    return new AbstractCollection<>() {
      @Override
      public Iterator<V> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            while (from < values.length && values[from] == null) from++;
            return from;
          }

          @Override
          public boolean hasNext() {
            return next < values.length;
          }

          @Override
          @SuppressWarnings("unchecked")
          public V next() {
            if (next >= values.length) throw new NoSuchElementException();
            V v = (V) values[next];
            next = advance(next + 1);
            return v;
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
