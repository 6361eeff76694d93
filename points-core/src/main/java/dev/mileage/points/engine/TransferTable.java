package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Committed transfers as rows of longs (append only): the in-memory state keeps no object per transfer
 * but the caller's reference text, so holding millions costs the collector nothing; a record is built
 * only when one is asked for (an idempotent retry, a test).
 *
 * <p>A reservation is its PENDING transfer's row plus two fields (expiry, status), so it needs no index
 * of its own: making one costs no second insert, and posting it finds it with the same lookup.
 */
final class TransferTable {
  private static final int STRIDE = 11;
  private static final int ID_MSB = 0, ID_LSB = 1, DEBIT = 2, CREDIT = 3, AMOUNT = 4, PENDING_MSB = 5,
      PENDING_LSB = 6, TIMESTAMP = 7, TIMEOUT_CODE = 8, FLAGS = 9, EXPIRES_AT = 10;
  /** Set in the FLAGS column above the transfer's own flags when it names a pending id. */
  private static final long HAS_PENDING_ID = 1L << 32;
  /** The FLAGS column's bits 40..47: 0 for no reservation, else the reservation's status + 1. */
  private static final int STATUS_SHIFT = 40;
  private static final long STATUS_MASK = 0xFFL << STATUS_SHIFT;
  private static final PendingStatus[] STATUSES = PendingStatus.values();
  /** Records whose index slots the append touches ahead of inserting them (see {@link #addAll}). */
  static final int INSERT_AHEAD = 256;

  private final UuidRows index;
  private long[] columns;
  private String[] references;
  private int size;
  /**
   * Per committed batch ({@link #addAll}): its first row and that row's timestamp, in commit order (so
   * both increase). A batch's records take consecutive microseconds, so a reservation's row follows from
   * its timestamp without an index lookup; the row's id confirms it, else the index answers. Bounded by
   * the rows (a segment is opened only by a batch that appends one).
   */
  private int[] segmentRows = new int[64];
  private long[] segmentTimestamps = new long[64];
  private int segments;
  /** Where the preload passes sum what they read: never read back. */
  @SuppressWarnings("unused")
  private long preloaded;

  TransferTable(int expected) {
    index = new UuidRows(expected);
    columns = new long[STRIDE * Math.max(16, expected)];
    references = new String[Math.max(16, expected)];
  }

  /** The stored record, or null. */
  TransferRecord get(UUID id) {
    int row = index.get(id.getMostSignificantBits(), id.getLeastSignificantBits());
    return row == UuidRows.ABSENT ? null : record(row, id);
  }

  int size() {
    return size;
  }

  /**
   * Appends a committed batch's records, then stores its reservations (found from their timestamps, see
   * {@link #rowOf}). The index slots of the new ids were read during the batch but are out of the caches
   * again by now: a touch pass runs {@link #INSERT_AHEAD} records ahead of the inserts, so that their
   * misses overlap (a window small enough that the touched lines and pages are still cached on insert).
   */
  void addAll(List<TransferRecord> records, List<PendingState> pendings) {
    int n = records.size();
    if (n > 0) openSegment(size, Micros.of(records.get(0).timestamp()));
    long sum = 0;
    int touched = 0;
    for (int i = 0; i < n; i++) {
      if (i + INSERT_AHEAD >= touched && touched < n) { // keep the records [i, i + 2 * INSERT_AHEAD) touched
        for (int end = Math.min(n, i + 2 * INSERT_AHEAD); touched < end; touched++) {
          UUID id = records.get(touched).transfer().id();
          sum += index.touch(id.getMostSignificantBits(), id.getLeastSignificantBits());
        }
      }
      add(records.get(i));
    }
    preloaded += sum;
    for (int i = 0, m = pendings.size(); i < m; i++) putPending(pendings.get(i)); // after their transfers
  }

  private void openSegment(int firstRow, long firstTimestampMicros) {
    if (segments > 0 && segmentTimestamps[segments - 1] >= firstTimestampMicros) {
      segments = 0; // timestamps went back (a test's hand-made outcome): start over, the index answers meanwhile
    }
    if (segments == segmentRows.length) {
      segmentRows = Arrays.copyOf(segmentRows, segments * 2);
      segmentTimestamps = Arrays.copyOf(segmentTimestamps, segments * 2);
    }
    segmentRows[segments] = firstRow;
    segmentTimestamps[segments] = firstTimestampMicros;
    segments++;
  }

  /**
   * The row holding transfer {@code (msb, lsb)} stored at {@code timestampMicros}, or {@link UuidRows#ABSENT}:
   * the segment is found by a binary search over a few small arrays that stay in the cache, the row by
   * the timestamp's offset in it, and only a row whose id differs falls back to the index.
   */
  private int rowOf(long msb, long lsb, long timestampMicros) {
    int lo = 0;
    int hi = segments - 1;
    while (lo <= hi) { // the last segment whose first timestamp is at or before the one sought
      int mid = (lo + hi) >>> 1;
      if (segmentTimestamps[mid] <= timestampMicros) lo = mid + 1; else hi = mid - 1;
    }
    if (hi >= 0) {
      long candidate = segmentRows[hi] + (timestampMicros - segmentTimestamps[hi]);
      int end = hi + 1 < segments ? segmentRows[hi + 1] : size;
      if (candidate >= segmentRows[hi] && candidate < end) {
        int o = (int) candidate * STRIDE;
        if (columns[o + ID_MSB] == msb && columns[o + ID_LSB] == lsb && columns[o + TIMESTAMP] == timestampMicros) {
          return (int) candidate;
        }
      }
    }
    return index.get(msb, lsb);
  }

  /** Appends the record; an id is stored once (an invariant: the engine checked before it inserted). */
  void add(TransferRecord record) {
    Transfer t = record.transfer();
    UUID id = t.id();
    int row = size;
    Checks.invariant(index.putIfAbsent(id.getMostSignificantBits(), id.getLeastSignificantBits(), row)
        == UuidRows.ABSENT, "transfers are appended once", id);
    columns = UuidRows.ensure(columns, STRIDE, row + 1);
    if (row >= references.length) references = Arrays.copyOf(references, columns.length / STRIDE);
    int o = row * STRIDE;
    long[] c = columns;
    c[o + ID_MSB] = id.getMostSignificantBits();
    c[o + ID_LSB] = id.getLeastSignificantBits();
    c[o + DEBIT] = t.debitAccountId();
    c[o + CREDIT] = t.creditAccountId();
    c[o + AMOUNT] = t.amount();
    UUID pendingId = t.pendingId();
    c[o + PENDING_MSB] = pendingId == null ? 0 : pendingId.getMostSignificantBits();
    c[o + PENDING_LSB] = pendingId == null ? 0 : pendingId.getLeastSignificantBits();
    c[o + TIMESTAMP] = Micros.of(record.timestamp());
    c[o + TIMEOUT_CODE] = ((long) t.timeoutSeconds() << 32) | (t.code() & 0xFFFF_FFFFL);
    c[o + FLAGS] = (t.flags() & 0xFFFF_FFFFL) | (pendingId == null ? 0 : HAS_PENDING_ID); // no reservation yet
    c[o + EXPIRES_AT] = 0;
    references[row] = t.reference();
    size++;
  }

  /**
   * Brings into the caches what a batch will read: the index slot of every transfer id it names (first
   * lookups of new ids), or of every pending id and then the reservation's row. The index and the rows
   * are far larger than the caches (and their pages than the TLB), so each read misses; done one
   * transfer at a time, each miss waits for the one before, while these loops issue loads that do not
   * depend on each other and the CPU overlaps them. The engine calls them a window ahead of its reads.
   */
  void preloadTransfers(List<List<Transfer>> requests, int fromRequest, int toRequest) {
    long sum = 0;
    for (int r = fromRequest; r < toRequest; r++) {
      List<Transfer> transfers = requests.get(r);
      for (int i = 0, n = transfers.size(); i < n; i++) {
        UUID id = transfers.get(i).id();
        sum += index.touch(id.getMostSignificantBits(), id.getLeastSignificantBits());
      }
    }
    preloaded += sum; // a field the loads flow into, so the compiler keeps them
  }

  /** Also brings in the accounts of the reservations found ({@code accounts} by id below {@code accountsEnd}). */
  void preloadReservations(List<List<Transfer>> requests, int fromRequest, int toRequest, Account[] accounts,
                           long accountsEnd) {
    long sum = 0;
    for (int r = fromRequest; r < toRequest; r++) {
      List<Transfer> transfers = requests.get(r);
      for (int i = 0, n = transfers.size(); i < n; i++) {
        UUID p = transfers.get(i).pendingId();
        if (p != null) sum += index.touch(p.getMostSignificantBits(), p.getLeastSignificantBits());
      }
    }
    long[] c = columns;
    for (int r = fromRequest; r < toRequest; r++) {
      List<Transfer> transfers = requests.get(r);
      for (int i = 0, n = transfers.size(); i < n; i++) {
        UUID p = transfers.get(i).pendingId();
        if (p == null) continue;
        int row = index.get(p.getMostSignificantBits(), p.getLeastSignificantBits());
        if (row == UuidRows.ABSENT) continue;
        int o = row * STRIDE;
        sum += c[o + FLAGS] + MemoryState.touch(accounts, accountsEnd, c[o + DEBIT])
            + MemoryState.touch(accounts, accountsEnd, c[o + CREDIT]);
      }
    }
    preloaded += sum;
  }

  void preloadReservations(Collection<UUID> pendingIds) {
    long sum = 0;
    for (UUID id : pendingIds) sum += index.touch(id.getMostSignificantBits(), id.getLeastSignificantBits());
    preloaded += sum;
  }

  /** The reservation made by the PENDING transfer {@code id}, or null. */
  PendingState pending(UUID id) {
    int row = index.get(id.getMostSignificantBits(), id.getLeastSignificantBits());
    if (row == UuidRows.ABSENT) return null;
    int o = row * STRIDE;
    long[] c = columns;
    long status = (c[o + FLAGS] & STATUS_MASK) >>> STATUS_SHIFT;
    if (status == 0) return null;
    return new PendingState(id, c[o + DEBIT], c[o + CREDIT], c[o + AMOUNT], c[o + TIMESTAMP], c[o + EXPIRES_AT],
        STATUSES[(int) status - 1]);
  }

  /**
   * Stores a reservation on its PENDING transfer's row (stored before it), or its new status: it must be
   * that transfer's, and it changes only by closing once (invariants).
   */
  void putPending(PendingState p) {
    long msb = p.id().getMostSignificantBits();
    long lsb = p.id().getLeastSignificantBits();
    long[] c = columns;
    int row = rowOf(msb, lsb, p.timestampMicros());
    Checks.invariant(row != UuidRows.ABSENT, "a reservation's transfer is stored first", p.id());
    int o = row * STRIDE;
    long flags = c[o + FLAGS];
    long status = (flags & STATUS_MASK) >>> STATUS_SHIFT;
    if ((flags & TransferFlags.PENDING) == 0 || c[o + DEBIT] != p.debitAccountId()
        || c[o + CREDIT] != p.creditAccountId() || c[o + AMOUNT] != p.amount() || c[o + TIMESTAMP] != p.timestampMicros()
        || (status != 0 && (c[o + EXPIRES_AT] != p.expiresAtMicros()
            || (status - 1 != PendingStatus.PENDING.ordinal() && status - 1 != p.status().ordinal())))) {
      Checks.invariant(false, "a reservation is its PENDING transfer's and changes only by closing once", p.id());
    }
    c[o + EXPIRES_AT] = p.expiresAtMicros();
    c[o + FLAGS] = (flags & ~STATUS_MASK) | ((long) (p.status().ordinal() + 1) << STATUS_SHIFT);
  }

  /** Open reservations whose timeout has passed at {@code nowMicros}, at most {@code limit} (a scan). */
  List<UUID> due(long nowMicros, int limit) {
    List<UUID> due = new ArrayList<>();
    long[] c = columns;
    long open = (long) (PendingStatus.PENDING.ordinal() + 1) << STATUS_SHIFT;
    for (int o = 0; o < size * STRIDE && due.size() < limit; o += STRIDE) {
      long expiresAt = c[o + EXPIRES_AT];
      if ((c[o + FLAGS] & STATUS_MASK) == open && expiresAt != 0 && expiresAt <= nowMicros) {
        due.add(new UUID(c[o + ID_MSB], c[o + ID_LSB]));
      }
    }
    return due;
  }

  /** Every record in the order stored (a copy: for tests and audits). */
  List<TransferRecord> all() {
    List<TransferRecord> all = new ArrayList<>(size);
    for (int row = 0; row < size; row++) {
      all.add(record(row, new UUID(columns[row * STRIDE + ID_MSB], columns[row * STRIDE + ID_LSB])));
    }
    return all;
  }

  private TransferRecord record(int row, UUID id) {
    int o = row * STRIDE;
    long[] c = columns;
    long flags = c[o + FLAGS];
    UUID pendingId = (flags & HAS_PENDING_ID) == 0 ? null : new UUID(c[o + PENDING_MSB], c[o + PENDING_LSB]);
    long timeoutCode = c[o + TIMEOUT_CODE];
    Transfer t = new Transfer(id, c[o + DEBIT], c[o + CREDIT], c[o + AMOUNT], pendingId, (int) (timeoutCode >>> 32),
        (int) timeoutCode, references[row], (int) flags);
    return new TransferRecord(t, Micros.toInstant(c[o + TIMESTAMP]));
  }
}
