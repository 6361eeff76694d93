package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A long-keyed open-addressing map (linear probing) for account ids: no boxing of keys, no node per
 * entry. Null values are not allowed (null marks an empty slot). No removal: account slots and accounts
 * are never taken out. Not thread safe.
 */
final class LongMap<V> {
  /** Capacity bound: 2^30 slots. */
  static final int CAPACITY_MAX = 1 << 30;

  private long[] keys;
  private Object[] values;
  private int mask;
  private int shift;
  private int size;
  /** Slots filled since the last {@link #clear()}, so clearing costs what was used, not the capacity. */
  private int[] filled;

  /** Sized so that {@code expected} entries fit without growing (load at most one half). */
  LongMap(int expected) {
    allocate(Integer.highestOneBit(Math.max(8, Math.min(CAPACITY_MAX / 2, expected)) * 2 - 1) * 2);
  }

  private void allocate(int capacity) {
    Checks.invariant(capacity <= CAPACITY_MAX, "a map is bounded", capacity);
    keys = new long[capacity];
    values = new Object[capacity];
    filled = new int[capacity / 2 + 1];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  private int home(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
  }

  int size() {
    return size;
  }

  @SuppressWarnings("unchecked")
  V get(long key) {
    for (int i = home(key); ; i = (i + 1) & mask) {
      Object v = values[i];
      if (v == null) return null;
      if (keys[i] == key) return (V) v;
    }
  }

  /** Answers the previous value, or null. */
  @SuppressWarnings("unchecked")
  V put(long key, V value) {
    Checks.invariant(value != null, "no null values");
    int i = home(key);
    for (; values[i] != null; i = (i + 1) & mask) {
      if (keys[i] == key) {
        V previous = (V) values[i];
        values[i] = value;
        return previous;
      }
    }
    keys[i] = key;
    values[i] = value;
    filled[size] = i;
    if (++size * 2 > values.length) grow();
    return null;
  }

  /** Empties the map, keeping its capacity; costs the entries it held (no removal: each filled one slot). */
  void clear() {
    Object[] vs = values;
    int[] f = filled;
    for (int k = 0; k < size; k++) vs[f[k]] = null;
    size = 0;
  }

  /** Rehashes in the order put, so {@link #valueAt} keeps that order. */
  private void grow() {
    long[] oldKeys = keys;
    Object[] oldValues = values;
    int[] oldFilled = filled;
    allocate(oldValues.length * 2);
    for (int k = 0; k < size; k++) {
      int from = oldFilled[k];
      int i = home(oldKeys[from]);
      while (values[i] != null) i = (i + 1) & mask;
      keys[i] = oldKeys[from];
      values[i] = oldValues[from];
      filled[k] = i;
    }
  }

  /** The {@code k}-th value put since the map was created or cleared (0 <= k < size). */
  @SuppressWarnings("unchecked")
  V valueAt(int k) {
    Checks.invariant(k >= 0 && k < size, "a value's position is within the size");
    return (V) values[filled[k]];
  }

  /** Calls {@code action} for every value, in the order put (costs the entries, not the capacity). */
  @SuppressWarnings("unchecked")
  void forEachValue(java.util.function.Consumer<? super V> action) {
    Object[] vs = values;
    int[] f = filled;
    for (int k = 0; k < size; k++) action.accept((V) vs[f[k]]);
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
