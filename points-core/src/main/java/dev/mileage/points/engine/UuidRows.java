package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;

import java.util.Arrays;

/**
 * A UUID-to-row index (linear probing, no removal) for tables that keep their rows in primitive arrays:
 * the committed state holds millions of transfers, and objects per row would be copied by every young
 * collection that promotes them and chased through pointers by every lookup. A lookup of an absent key,
 * the common case, touches the one cache line of its slot's key halves. The nil UUID, which would look
 * empty, is kept aside. Not thread safe.
 */
final class UuidRows {
  /** Capacity bound: 2^30 slots. */
  static final int CAPACITY_MAX = 1 << 29; // slots: three longs each stay within one array
  static final int ABSENT = -1;

  private static final int STRIDE = 3;
  // slot i: keys[3i] = most, keys[3i + 1] = least significant bits, keys[3i + 2] = its row: an insert
  // writes the cache line its probe just read, not a second array
  private long[] keys;
  private int mask;
  private int shift;
  private int size;
  private int nilRow = ABSENT;

  /** Sized so that {@code expected} keys fit without growing (load at most one half). */
  UuidRows(int expected) {
    allocate(Integer.highestOneBit(Math.max(8, Math.min(CAPACITY_MAX / 2, expected)) * 2 - 1) * 2);
  }

  private void allocate(int capacity) {
    Checks.invariant(capacity <= CAPACITY_MAX, "an index is bounded", capacity);
    keys = new long[capacity * STRIDE];
    mask = capacity - 1;
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  private int home(long msb, long lsb) {
    return (int) (((msb ^ Long.rotateLeft(lsb, 32)) * 0x9E3779B97F4A7C15L) >>> shift);
  }

  int size() {
    return size + (nilRow != ABSENT ? 1 : 0);
  }

  /** The key's row, or {@link #ABSENT}. */
  int get(long msb, long lsb) {
    if ((msb | lsb) == 0) return nilRow;
    long[] ks = keys;
    for (int i = home(msb, lsb); ; i = (i + 1) & mask) {
      int o = i * STRIDE;
      long m = ks[o];
      long l = ks[o + 1];
      if (m == msb && l == lsb) return (int) ks[o + 2];
      if ((m | l) == 0) return ABSENT;
    }
  }

  /**
   * The first key half in the key's home slot: no probing and no branch, so a loop of these over many
   * keys keeps many cache misses in flight at once (see {@link TransferTable#preload}).
   */
  long touch(long msb, long lsb) {
    return keys[home(msb, lsb) * STRIDE];
  }

  /** Adds the key with {@code row}, or answers the row it already has (and adds nothing). */
  int putIfAbsent(long msb, long lsb, int row) {
    if (row < 0) Checks.invariant(false, "rows are non-negative", row); // boxes only on failure
    if ((msb | lsb) == 0) {
      if (nilRow != ABSENT) return nilRow;
      nilRow = row;
      return ABSENT;
    }
    long[] ks = keys;
    int i = home(msb, lsb);
    for (; ; i = (i + 1) & mask) {
      int o = i * STRIDE;
      long m = ks[o];
      long l = ks[o + 1];
      if (m == msb && l == lsb) return (int) ks[o + 2];
      if ((m | l) == 0) break;
    }
    int o = i * STRIDE;
    ks[o] = msb;
    ks[o + 1] = lsb;
    ks[o + 2] = row;
    if (++size * 2 > mask + 1) grow();
    return ABSENT;
  }

  private void grow() {
    long[] old = keys;
    allocate((mask + 1) * 2);
    for (int k = 0; k < old.length; k += STRIDE) {
      long msb = old[k];
      long lsb = old[k + 1];
      if ((msb | lsb) == 0) continue;
      int i = home(msb, lsb);
      while ((keys[i * STRIDE] | keys[i * STRIDE + 1]) != 0) i = (i + 1) & mask;
      keys[i * STRIDE] = msb;
      keys[i * STRIDE + 1] = lsb;
      keys[i * STRIDE + 2] = old[k + 2];
    }
  }

  /** Row storage that doubles: {@code stride} longs per row, at least {@code rows} rows. */
  static long[] ensure(long[] columns, int stride, int rows) {
    long needed = (long) stride * rows;
    if (needed <= columns.length) return columns;
    Checks.invariant(needed <= Integer.MAX_VALUE - 8, "a table is bounded", rows);
    return Arrays.copyOf(columns, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, columns.length * 2L)));
  }
}
