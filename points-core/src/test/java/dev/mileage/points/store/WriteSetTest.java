package dev.mileage.points.store;

import dev.mileage.points.engine.AccountChange;
import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The journal record of a batch, and merging batches for the projection. */
class WriteSetTest {
  static final long T0 = 1_700_000_000_000_000L;

  static Account account(long id, long dp, long dpo, long cp, long cpo) {
    return new Account(id, "owner" + id, 1, AccountFlags.NONE, dp, dpo, cp, cpo);
  }

  static TransferRecord record(Transfer t, long micros) {
    return new TransferRecord(t, Micros.toInstant(micros));
  }

  /** Batch 1: a reservation of 40 from account 1 to 2, and a single transfer of 5 with a non-ASCII reference. */
  static BatchOutcome first(UUID hold) {
    Transfer reserve = Transfer.reserve(hold, 1, 2, 40, 30, 7, "réservation");
    Transfer single = Transfer.single(Transfer.idOf("single"), 1, 2, 5, 0, "");
    return new BatchOutcome(List.of(TransferResult.OK, TransferResult.OK),
        List.of(record(reserve, T0 + 1), record(single, T0 + 2)),
        List.of(new AccountChange(account(1, 0, 100, 0, 0), account(1, 40, 105, 0, 0)),
            new AccountChange(account(2, 0, 0, 0, 100), account(2, 0, 0, 40, 105))),
        List.of(new PendingState(hold, 1, 2, 40, T0 + 1, T0 + 30_000_001, PendingStatus.PENDING)), 0, T0 + 2);
  }

  /** Batch 2: the reservation posted for 25. */
  static BatchOutcome second(UUID hold) {
    Transfer post = Transfer.post(Transfer.idOf("post"), hold, 25, 0, "");
    return new BatchOutcome(List.of(TransferResult.OK), List.of(record(post, T0 + 3)),
        List.of(new AccountChange(account(1, 40, 105, 0, 0), account(1, 0, 130, 0, 0)),
            new AccountChange(account(2, 0, 0, 40, 105), account(2, 0, 0, 0, 130))),
        List.of(new PendingState(hold, 1, 2, 40, T0 + 1, T0 + 30_000_001, PendingStatus.POSTED)), 0, T0 + 3);
  }

  @Test
  void aBatchsJournalRecordReadsBackAsItsWriteSet() {
    UUID hold = Transfer.idOf("hold");
    BatchOutcome o = first(hold);
    Buffer body = WriteSet.encode(o, 7, new boolean[] {true});
    WriteSet read = WriteSet.decode(Buffer.buffer(body.getBytes()));
    WriteSet live = new WriteSet();
    live.add(o, 7, new boolean[] {true});

    assertEquals(7, read.firstSeq);
    assertEquals(7, read.lastSeq);
    assertEquals(T0 + 2, read.lastTimestampMicros);
    assertEquals(o.inserted(), read.transfers, "every field of every transfer, the reference in UTF-8 included");
    assertEquals(live.transfers, read.transfers);
    assertEquals(live.accounts.keySet(), read.accounts.keySet());
    live.accounts.forEach((id, c) -> assertArrayEquals(c, read.accounts.get(id), "account " + id));
    assertEquals(live.pendings, read.pendings);
    assertEquals(live.created, read.created);
    assertEquals(java.util.Set.of(hold), read.created);
    // and a merged set encodes to a record that reads back the same
    WriteSet again = WriteSet.decode(live.encode());
    assertEquals(live.transfers, again.transfers);
    live.accounts.forEach((id, c) -> assertArrayEquals(c, again.accounts.get(id)));
  }

  @Test
  void mergedBatchesWriteEachAccountAndReservationOnce() {
    UUID hold = Transfer.idOf("hold");
    WriteSet w = new WriteSet();
    w.add(first(hold), 3, new boolean[] {true});
    w.add(second(hold), 4, new boolean[] {false}); // the second batch found it existing: it closes it
    assertEquals(3, w.firstSeq);
    assertEquals(4, w.lastSeq);
    assertEquals(3, w.size());
    assertArrayEquals(new long[] {0, 100, 0, 0, 0, 130, 0, 0}, w.accounts.get(1L), "first before, last after");
    assertArrayEquals(new long[] {0, 0, 0, 100, 0, 0, 0, 130}, w.accounts.get(2L));
    assertEquals(PendingStatus.POSTED, w.pendings.get(hold).status(), "the last state");
    assertTrue(w.created.contains(hold), "created in this set: inserted (as posted), never updated");

    WriteSet fromRecords = new WriteSet();
    fromRecords.addAll(WriteSet.decode(WriteSet.encode(first(hold), 3, new boolean[] {true})));
    fromRecords.addAll(WriteSet.decode(WriteSet.encode(second(hold), 4, new boolean[] {false})));
    assertEquals(w.transfers, fromRecords.transfers, "recovery from the journal merges to the same set");
    w.accounts.forEach((id, c) -> assertArrayEquals(c, fromRecords.accounts.get(id)));
    assertEquals(w.pendings, fromRecords.pendings);
    assertEquals(w.created, fromRecords.created);
  }

  @Test
  void batchesMergeOnlyInOrderAndOnlyOnTheStateTheyFound() {
    UUID hold = Transfer.idOf("hold");
    WriteSet gap = new WriteSet();
    gap.add(first(hold), 3, new boolean[] {true});
    assertThrows(IllegalStateException.class, () -> gap.add(second(hold), 5, new boolean[] {false}), "batch 4 missing");

    WriteSet unchained = new WriteSet();
    unchained.add(second(hold), 3, new boolean[] {false});
    assertThrows(IllegalStateException.class, () -> unchained.add(first(hold), 4, new boolean[] {true}),
        "account 1's second change starts from other counters than the first left");
  }

  @Test
  void aSetWithoutItsRowsKeepsItsSizeAndStateAndMergesOnlyWithOthersLikeIt() {
    UUID hold = Transfer.idOf("hold");
    WriteSet w = new WriteSet();
    w.add(first(hold), 3, new boolean[] {true});
    w.dropTransfers();
    assertEquals(2, w.size(), "the transfers still count");
    assertTrue(w.transfers.isEmpty());
    assertFalse(w.holdsRows());
    WriteSet next = new WriteSet();
    next.add(second(hold), 4, new boolean[] {false});
    assertThrows(IllegalStateException.class, () -> w.addAll(next), "rows merged into a set without would be lost");
    assertThrows(IllegalStateException.class, () -> BatchParams.transfers(w), "the transfer lane needs the rows");
    assertThrows(IllegalStateException.class, w::encode, "a record needs the rows");
    next.dropTransfers();
    w.addAll(next);
    assertEquals(3, w.size());
    assertEquals(4, w.lastSeq);
    assertArrayEquals(new long[] {0, 100, 0, 0, 0, 130, 0, 0}, w.accounts.get(1L), "first before, last after");
    assertEquals(PendingStatus.POSTED, w.pendings.get(hold).status());
    assertTrue(w.created.contains(hold), "inserted once, in its last state");
    assertEquals(23, BatchParams.state(w).size(), "the state lane's parameters need no rows");
  }

  @Test
  void aDamagedRecordIsRefused() {
    Buffer body = WriteSet.encode(first(Transfer.idOf("hold")), 1, new boolean[] {true});
    Buffer longer = body.copy().appendByte((byte) 0);
    assertThrows(IllegalStateException.class, () -> WriteSet.decode(longer));
    Buffer version = body.copy();
    version.setInt(0, 99);
    assertThrows(IllegalStateException.class, () -> WriteSet.decode(version));
    assertThrows(IndexOutOfBoundsException.class, () -> WriteSet.decode(body.getBuffer(0, body.length() - 3)));
  }
}
