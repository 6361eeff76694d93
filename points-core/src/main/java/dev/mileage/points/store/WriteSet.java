package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What one or more consecutive committed batches change in the projected tables: the transfers to append
 * (in order), each account's counters as the first batch found them and as the last one left them, and each
 * reservation's last state (inserted if a batch of this set created it, else closed in place).
 *
 * <p>One batch's write set is also its journal record: {@link #encode(BatchOutcome, long, boolean[])} is the
 * body of its {@code journal} row, {@link #decode} reads it back after a crash. Merging ({@link #add},
 * {@link #addAll}) is how the projection writes many batches in one transaction: an account changed by a
 * thousand of them is updated once.
 */
final class WriteSet {
  private static final int VERSION = 1;

  /** The transfer rows, until the transfer lane has written them ({@link #dropTransfers}). */
  List<TransferRecord> transfers = new ArrayList<>();
  /** Transfers in this set, whether or not their rows are still held. */
  private int transferCount;
  /** Per account: the four counters (debits pending, debits posted, credits pending, credits posted) as the
   * first batch found them, then as the last batch left them: {@code long[8]}. */
  final Map<Long, long[]> accounts = new HashMap<>();
  final Map<UUID, PendingState> pendings = new HashMap<>();
  /** Reservations a batch of this set created: inserted, not updated. */
  final Set<UUID> created = new HashSet<>();
  long firstSeq;
  long lastSeq;
  long lastTimestampMicros;

  /** Which of the outcome's reservations the batch created (the others existed and are being closed). */
  static boolean[] createdFlags(BatchOutcome outcome, Predicate<UUID> existing) {
    List<PendingState> pendings = outcome.pendings();
    boolean[] created = new boolean[pendings.size()];
    for (int i = 0; i < created.length; i++) created[i] = !existing.test(pendings.get(i).id());
    return created;
  }

  boolean isEmpty() {
    return firstSeq == 0;
  }

  /** Transfers in this set (also after {@link #dropTransfers}). */
  int size() {
    return transferCount;
  }

  /** Whether the transfer rows are still here (see {@link #dropTransfers}). */
  boolean holdsRows() {
    return transfers.size() == transferCount;
  }

  /**
   * Lets the transfer rows go once the tables hold them: what the state lane still needs of this set is one entry
   * per account and per reservation, whatever the number of transfers behind them. A set without its rows
   * still merges, and reports its size.
   */
  void dropTransfers() {
    transfers = new ArrayList<>(0);
  }

  /** Appends the next committed batch (its number must follow this set's last). */
  void add(BatchOutcome outcome, long seq, boolean[] createdFlags) {
    next(seq, outcome.lastTimestampMicros());
    transfers.addAll(outcome.inserted());
    transferCount += outcome.inserted().size();
    for (AccountChange c : outcome.accounts()) {
      Account b = c.before();
      Account a = c.after();
      account(a.id(), b.debitsPending(), b.debitsPosted(), b.creditsPending(), b.creditsPosted(),
          a.debitsPending(), a.debitsPosted(), a.creditsPending(), a.creditsPosted());
    }
    List<PendingState> ps = outcome.pendings();
    for (int i = 0; i < createdFlags.length; i++) pending(ps.get(i), createdFlags[i]);
  }

  /** Appends the next set (its first batch must follow this set's last). */
  void addAll(WriteSet next) {
    if (next.isEmpty()) return;
    Checks.invariant(isEmpty() || next.firstSeq == lastSeq + 1, "write sets merge in batch order", next.firstSeq);
    Checks.invariant(transferCount == 0 || next.transferCount == 0 || holdsRows() == next.holdsRows(),
        "a set that holds its rows merges only with another that does", next.firstSeq);
    if (isEmpty()) firstSeq = next.firstSeq;
    lastSeq = next.lastSeq;
    lastTimestampMicros = Math.max(lastTimestampMicros, next.lastTimestampMicros);
    transfers.addAll(next.transfers);
    transferCount += next.transferCount;
    next.accounts.forEach((id, c) -> account(id, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]));
    for (PendingState p : next.pendings.values()) pending(p, next.created.contains(p.id()));
  }

  private void next(long seq, long lastTs) {
    Checks.invariant(isEmpty() || seq == lastSeq + 1, "write sets merge in batch order", seq);
    if (isEmpty()) firstSeq = seq;
    lastSeq = seq;
    lastTimestampMicros = Math.max(lastTimestampMicros, lastTs);
  }

  private void account(long id, long bdp, long bdpo, long bcp, long bcpo, long adp, long adpo, long acp, long acpo) {
    long[] c = accounts.get(id);
    if (c == null) {
      accounts.put(id, new long[] {bdp, bdpo, bcp, bcpo, adp, adpo, acp, acpo});
      return;
    }
    if (c[4] != bdp || c[5] != bdpo || c[6] != bcp || c[7] != bcpo) {
      Checks.invariant(false, "account changes chain", id);
    }
    c[4] = adp;
    c[5] = adpo;
    c[6] = acp;
    c[7] = acpo;
  }

  private void pending(PendingState p, boolean createdHere) {
    pendings.put(p.id(), p);
    if (createdHere) created.add(p.id());
  }

  /** The journal record of one batch, straight from its outcome. */
  static Buffer encode(BatchOutcome outcome, long seq, boolean[] createdFlags) {
    List<TransferRecord> transfers = outcome.inserted();
    List<AccountChange> accounts = outcome.accounts();
    List<PendingState> pendings = outcome.pendings();
    Buffer b = Buffer.buffer(64 + transfers.size() * 112 + accounts.size() * 72 + pendings.size() * 60);
    b.appendInt(VERSION).appendLong(seq).appendLong(seq).appendLong(outcome.lastTimestampMicros());
    appendTransfers(b, transfers);
    b.appendInt(accounts.size());
    for (AccountChange c : accounts) {
      Account x = c.before();
      Account y = c.after();
      b.appendLong(y.id())
          .appendLong(x.debitsPending()).appendLong(x.debitsPosted()).appendLong(x.creditsPending())
          .appendLong(x.creditsPosted())
          .appendLong(y.debitsPending()).appendLong(y.debitsPosted()).appendLong(y.creditsPending())
          .appendLong(y.creditsPosted());
    }
    b.appendInt(pendings.size());
    for (int i = 0; i < pendings.size(); i++) appendPending(b, pendings.get(i), createdFlags[i]);
    return b;
  }

  private static void appendTransfers(Buffer b, List<TransferRecord> transfers) {
    b.appendInt(transfers.size());
    for (TransferRecord r : transfers) {
      Transfer t = r.transfer();
      uuid(b, t.id());
      b.appendLong(t.debitAccountId()).appendLong(t.creditAccountId()).appendLong(t.amount());
      if (t.pendingId() == null) {
        b.appendByte((byte) 0);
      } else {
        b.appendByte((byte) 1);
        uuid(b, t.pendingId());
      }
      b.appendInt(t.timeoutSeconds()).appendInt(t.code()).appendInt(t.flags()).appendLong(Micros.of(r.timestamp()));
      byte[] ref = t.reference().getBytes(StandardCharsets.UTF_8);
      b.appendShort((short) ref.length).appendBytes(ref);
    }
  }

  private static void appendPending(Buffer b, PendingState p, boolean createdHere) {
    uuid(b, p.id());
    b.appendLong(p.debitAccountId()).appendLong(p.creditAccountId()).appendLong(p.amount())
        .appendLong(p.timestampMicros()).appendLong(p.expiresAtMicros())
        .appendByte((byte) p.status().ordinal()).appendByte((byte) (createdHere ? 1 : 0));
  }

  /** This set as one journal record (what {@link #decode} reads back); only while it holds its rows. */
  Buffer encode() {
    Checks.invariant(holdsRows(), "a set without its rows is not a record", firstSeq);
    Buffer b = Buffer.buffer(64 + transfers.size() * 112 + accounts.size() * 72 + pendings.size() * 60);
    b.appendInt(VERSION).appendLong(firstSeq).appendLong(lastSeq).appendLong(lastTimestampMicros);
    appendTransfers(b, transfers);
    b.appendInt(accounts.size());
    accounts.forEach((id, c) -> {
      b.appendLong(id);
      for (long v : c) b.appendLong(v);
    });
    b.appendInt(pendings.size());
    for (PendingState p : pendings.values()) appendPending(b, p, created.contains(p.id()));
    return b;
  }

  static WriteSet decode(Buffer b) {
    int[] at = {0};
    int version = b.getInt(0);
    Checks.invariant(version == VERSION, "journal record version", version);
    WriteSet w = new WriteSet();
    w.firstSeq = b.getLong(4);
    w.lastSeq = b.getLong(12);
    w.lastTimestampMicros = b.getLong(20);
    at[0] = 28;
    int n = readInt(b, at);
    for (int i = 0; i < n; i++) {
      UUID id = readUuid(b, at);
      long debit = readLong(b, at);
      long credit = readLong(b, at);
      long amount = readLong(b, at);
      UUID pendingId = b.getByte(at[0]++) == 0 ? null : readUuid(b, at);
      int timeout = readInt(b, at);
      int code = readInt(b, at);
      int flags = readInt(b, at);
      long ts = readLong(b, at);
      int refLength = b.getShort(at[0]) & 0xffff;
      at[0] += 2;
      String reference = b.getString(at[0], at[0] + refLength, "UTF-8");
      at[0] += refLength;
      w.transfers.add(new TransferRecord(new Transfer(id, debit, credit, amount, pendingId, timeout, code, reference,
          flags), Micros.toInstant(ts)));
    }
    w.transferCount = n;
    int m = readInt(b, at);
    for (int i = 0; i < m; i++) {
      long id = readLong(b, at);
      long[] c = new long[8];
      for (int k = 0; k < 8; k++) c[k] = readLong(b, at);
      w.accounts.put(id, c);
    }
    int k = readInt(b, at);
    for (int i = 0; i < k; i++) {
      UUID id = readUuid(b, at);
      PendingState p = new PendingState(id, readLong(b, at), readLong(b, at), readLong(b, at), readLong(b, at),
          readLong(b, at), PendingStatus.of(b.getByte(at[0]++)));
      w.pendings.put(id, p);
      if (b.getByte(at[0]++) == 1) w.created.add(id);
    }
    Checks.invariant(at[0] == b.length(), "journal record length", b.length());
    return w;
  }

  private static void uuid(Buffer b, UUID id) {
    b.appendLong(id.getMostSignificantBits()).appendLong(id.getLeastSignificantBits());
  }

  private static UUID readUuid(Buffer b, int[] at) {
    return new UUID(readLong(b, at), readLong(b, at));
  }

  private static long readLong(Buffer b, int[] at) {
    long v = b.getLong(at[0]);
    at[0] += 8;
    return v;
  }

  private static int readInt(Buffer b, int[] at) {
    int v = b.getInt(at[0]);
    at[0] += 4;
    return v;
  }
}
