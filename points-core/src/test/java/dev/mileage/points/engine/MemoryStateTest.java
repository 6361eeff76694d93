package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The in-memory state keeps transfers and reservations as rows of primitives: what goes in comes out
 * field for field, a reservation lives on its PENDING transfer's row and changes only by closing once,
 * and the engine's reused working copy carries nothing from one batch (even one that failed) to the next.
 */
class MemoryStateTest {
  @Test
  void recordsComeBackFieldForField() {
    EngineFixture f = new EngineFixture();
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    Account a = f.customer("a");
    UUID hold = new UUID(0, 0); // the nil UUID is an id like any other
    Transfer fund = new Transfer(Transfer.idOf("fund"), issuer.id(), a.id(), 500, null, 0, 7, "fund ü", TransferFlags.NONE);
    Transfer reserve = Transfer.reserve(hold, a.id(), issuer.id(), 100, 30, 9, "call 1");
    Transfer post = Transfer.post(Transfer.idOf("post"), hold, 60, 11, "");
    assertEquals(List.of(TransferResult.OK, TransferResult.OK), f.submit(fund, reserve));
    assertEquals(TransferResult.OK, f.one(post));

    assertEquals(fund, f.state.transfer(fund.id()).transfer());
    assertEquals(reserve, f.state.transfer(hold).transfer());
    Transfer storedPost = f.state.transfer(post.id()).transfer();
    assertEquals(new Transfer(post.id(), a.id(), issuer.id(), 60, hold, 0, 11, "", TransferFlags.POST_PENDING), storedPost);
    List<TransferRecord> all = List.copyOf(f.state.transfers());
    assertEquals(List.of(fund.id(), hold, post.id()), all.stream().map(r -> r.transfer().id()).toList());
    assertTrue(all.get(0).timestamp().isBefore(all.get(1).timestamp()));
    assertTrue(all.get(1).timestamp().isBefore(all.get(2).timestamp()));

    PendingState p = f.state.pending(hold);
    assertEquals(PendingStatus.POSTED, p.status());
    assertEquals(100, p.amount());
    assertEquals(Micros.of(all.get(1).timestamp()), p.timestampMicros());
    assertEquals(p.timestampMicros() + 30_000_000L, p.expiresAtMicros());
    assertNull(f.state.pending(fund.id()), "a single transfer makes no reservation");
    assertNull(f.state.pending(Transfer.idOf("unknown")));
    assertNull(f.state.transfer(Transfer.idOf("unknown")));
  }

  @Test
  void aReservationChangesOnlyByClosingOnce() {
    EngineFixture f = new EngineFixture();
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    Account b = f.customer("b");
    UUID hold = Transfer.idOf("hold");
    f.one(Transfer.reserve(hold, issuer.id(), b.id(), 10, 0, 1, ""));
    PendingState open = f.state.pending(hold);
    assertEquals(PendingStatus.PENDING, open.status());
    commitPendings(f, open.with(PendingStatus.VOIDED));
    assertEquals(PendingStatus.VOIDED, f.state.pending(hold).status());
    assertThrows(IllegalStateException.class, () -> commitPendings(f, open.with(PendingStatus.POSTED)), "closed twice");
    assertThrows(IllegalStateException.class, () -> commitPendings(f, open), "reopened");
    PendingState other = new PendingState(hold, issuer.id(), b.id(), 11, open.timestampMicros(), 0, PendingStatus.VOIDED);
    assertThrows(IllegalStateException.class, () -> commitPendings(f, other), "a different amount");
    PendingState orphan = new PendingState(Transfer.idOf("no transfer"), issuer.id(), b.id(), 1, 1, 0, PendingStatus.PENDING);
    assertThrows(IllegalStateException.class, () -> commitPendings(f, orphan), "no PENDING transfer behind it");
    UUID single = Transfer.idOf("single");
    f.one(Transfer.single(single, issuer.id(), b.id(), 5, 0, ""));
    PendingState onSingle = new PendingState(single, issuer.id(), b.id(), 5,
        Micros.of(f.state.transfer(single).timestamp()), 0, PendingStatus.PENDING);
    assertThrows(IllegalStateException.class, () -> commitPendings(f, onSingle), "a single transfer is no reservation");
  }

  @Test
  void dueFindsOnlyOpenExpiredReservations() {
    EngineFixture f = new EngineFixture();
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    Account c = f.customer("c");
    f.submit(Transfer.reserve(Transfer.idOf("short"), issuer.id(), c.id(), 1, 5, 1, ""),
        Transfer.reserve(Transfer.idOf("long"), issuer.id(), c.id(), 1, 500, 1, ""),
        Transfer.reserve(Transfer.idOf("never"), issuer.id(), c.id(), 1, 0, 1, ""),
        Transfer.reserve(Transfer.idOf("voided"), issuer.id(), c.id(), 1, 5, 1, ""));
    f.one(Transfer.voidPending(Transfer.idOf("void"), Transfer.idOf("voided"), 1, ""));
    long in10s = f.engine.nowMicros() + 10_000_000L;
    assertEquals(List.of(Transfer.idOf("short")), f.state.due(in10s, 10));
    assertEquals(List.of(), f.state.due(in10s, 0));
  }

  /** A batch that breaks an invariant half way leaves nothing in the engine's reused working copy. */
  @Test
  void aFailedBatchLeavesNothingForTheNext() {
    EngineFixture f = new EngineFixture();
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    Account d = f.customer("d");
    Account e = f.customer("e");
    f.one(Transfer.single(Transfer.idOf("fund d"), issuer.id(), d.id(), 100, 0, ""));
    UUID broken = Transfer.idOf("broken");
    // a view whose reservation names accounts that do not exist: releasing it is a bug the engine refuses
    LedgerView corrupt = new LedgerView() {
      @Override
      public Account account(long accountId) {
        return f.state.account(accountId);
      }

      @Override
      public TransferRecord transfer(UUID transferId) {
        return f.state.transfer(transferId);
      }

      @Override
      public PendingState pending(UUID pendingId) {
        return pendingId.equals(broken) ? new PendingState(broken, 9_000, 9_001, 5, 1, 0, PendingStatus.PENDING)
            : f.state.pending(pendingId);
      }
    };
    Transfer moved = Transfer.single(Transfer.idOf("moved"), d.id(), e.id(), 40, 0, "");
    Transfer chainStart = Transfer.single(Transfer.idOf("chain"), d.id(), e.id(), 1, 0, "").linked();
    assertThrows(IllegalStateException.class, () -> f.engine.apply(corrupt, List.of(moved, chainStart,
        Transfer.post(Transfer.idOf("post broken"), broken, 5, 0, "")), List.of()));

    BatchOutcome next = f.engine.apply(f.state, List.of(Transfer.single(Transfer.idOf("next"), d.id(), e.id(), 30, 0, "")),
        List.of());
    assertEquals(List.of(TransferResult.OK), next.results());
    assertEquals(1, next.inserted().size(), "nothing of the failed batch is inserted again");
    assertEquals(2, next.accounts().size());
    assertEquals(List.of(), next.pendings());
    f.state.commit(next);
    assertEquals(70, f.state.account(d.id()).available());
    assertEquals(30, f.state.account(e.id()).creditsPosted());
    assertNull(f.state.transfer(moved.id()), "the failed batch changed nothing");
    assertEquals(TransferResult.OK, f.one(moved), "its transfers can be submitted again");
  }

  private static void commitPendings(EngineFixture f, PendingState p) {
    f.state.commit(new BatchOutcome(List.of(), List.of(), List.of(), List.of(p), 0, f.engine.lastTimestampMicros()));
  }
}
