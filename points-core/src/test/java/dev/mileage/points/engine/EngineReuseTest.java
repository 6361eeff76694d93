package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine reuses per-batch structures (account slots, the reservations read by the expiry pass, the
 * preload hint): nothing of one batch may show in the next, whatever position or slot it lands in.
 */
class EngineReuseTest {
  private EngineFixture f;
  private Account issuer;
  private Account alice;
  private Account bob;
  private Account carol;

  @BeforeEach
  void setUp() {
    f = new EngineFixture();
    issuer = f.issuer(StandardPointTypes.MILEAGE);
    alice = f.customer("alice");
    bob = f.customer("bob");
    carol = f.customer("carol");
    f.submit(Transfer.single(Transfer.idOf("fund:alice"), issuer.id(), alice.id(), 1_000, 0, "fund"));
  }

  @Test
  void aReusedAccountSlotStartsUnchangedAndFromTheCommittedCounters() {
    // batch 1 changes alice and bob (two slots handed out and marked changed)
    assertEquals(List.of(OK), f.submit(Transfer.single(Transfer.idOf("a"), alice.id(), bob.id(), 100, 0, "")));
    // batch 2 reuses those slots for carol and bob: carol has nothing, so nothing may change
    BatchOutcome refused = f.batch(List.of(Transfer.single(Transfer.idOf("b"), carol.id(), bob.id(), 1, 0, "")));
    assertEquals(List.of(EXCEEDS_CREDITS), refused.results());
    assertTrue(refused.accounts().isEmpty(), "a refused transfer changes no account: " + refused.accounts());
    assertTrue(refused.isEmpty());
    // batch 3: the reused slots carry the committed counters, not the previous batch's
    BatchOutcome moved = f.batch(List.of(Transfer.single(Transfer.idOf("c"), bob.id(), carol.id(), 40, 0, "")));
    assertEquals(List.of(OK), moved.results());
    assertEquals(2, moved.accounts().size());
    for (AccountChange c : moved.accounts()) {
      assertEquals(f.account(c.after().id()), c.after());
      assertEquals(c.after().id() == bob.id() ? 100 : 0, c.before().creditsPosted());
    }
    assertEquals(60, f.account(bob.id()).available());
    assertEquals(40, f.account(carol.id()).available());
    assertEquals(900, f.account(alice.id()).available());
  }

  @Test
  void aPostNeverSeesTheReservationReadAtItsPositionInAnEarlierBatch() {
    UUID hold = Transfer.idOf("hold");
    assertEquals(OK, f.one(Transfer.reserve(hold, alice.id(), bob.id(), 300, 60, 0, "")));
    // position 0 of this batch reads the reservation
    assertEquals(OK, f.one(Transfer.post(Transfer.idOf("post"), hold, 200, 0, "")));
    // position 0 again, naming a reservation that does not exist: nothing may be left from before
    assertEquals(PENDING_TRANSFER_NOT_FOUND, f.one(Transfer.post(Transfer.idOf("post2"), Transfer.idOf("none"), 1, 0, "")));
    assertEquals(PENDING_TRANSFER_NOT_FOUND, f.one(Transfer.voidPending(Transfer.idOf("void"), Transfer.idOf("none"), 0, "")));
    // and a single transfer at that position does not make the next post see a stale reservation
    assertEquals(OK, f.one(Transfer.single(Transfer.idOf("s"), alice.id(), bob.id(), 1, 0, "")));
    assertEquals(PENDING_TRANSFER_ALREADY_POSTED, f.one(Transfer.voidPending(Transfer.idOf("void2"), hold, 0, "")));
    assertEquals(799, f.account(alice.id()).available());
    assertEquals(0, f.account(alice.id()).debitsPending());
  }

  @Test
  void aReservationPostedInTheBatchThatMadeItIsReadFromTheBatchNotTheCommittedState() {
    UUID hold = Transfer.idOf("hold");
    List<TransferResult> results = f.submit(Transfer.reserve(hold, alice.id(), bob.id(), 300, 60, 0, ""),
        Transfer.post(Transfer.idOf("post"), hold, 100, 0, ""),
        Transfer.voidPending(Transfer.idOf("void"), hold, 0, ""));
    assertEquals(List.of(OK, OK, PENDING_TRANSFER_ALREADY_POSTED), results);
    assertEquals(900, f.account(alice.id()).available());
    assertEquals(0, f.account(alice.id()).debitsPending());
  }

  @Test
  void anExpiredReservationReadOnceIsReleasedOnceAndItsPostRefused() {
    UUID hold = Transfer.idOf("hold");
    assertEquals(OK, f.one(Transfer.reserve(hold, alice.id(), bob.id(), 300, 5, 0, "")));
    f.clock.advance(Duration.ofSeconds(6));
    // two closings of the same due reservation in one batch: it is released once, both are refused
    BatchOutcome outcome = f.batch(List.of(Transfer.post(Transfer.idOf("post"), hold, 100, 0, ""),
        Transfer.voidPending(Transfer.idOf("void"), hold, 0, "")));
    assertEquals(List.of(PENDING_TRANSFER_EXPIRED, PENDING_TRANSFER_EXPIRED), outcome.results());
    assertEquals(1, outcome.expired());
    assertEquals(1_000, f.account(alice.id()).available());
    assertEquals(0, f.account(bob.id()).creditsPending());
  }

  @Test
  void theMemoryStatesPreloadHintChangesNothing() {
    UUID hold = Transfer.idOf("hold");
    assertEquals(OK, f.one(Transfer.reserve(hold, alice.id(), bob.id(), 300, 60, 0, "")));
    List<Account> before = List.copyOf(f.state.accounts());
    int stored = f.state.transfers().size();
    List<List<Transfer>> requests = List.of(List.of(Transfer.post(Transfer.idOf("p"), hold, 1, 0, ""),
        Transfer.single(Transfer.idOf("x"), alice.id(), bob.id(), 1, 0, "")), List.of());
    f.state.preloadExpiryCandidates(List.of(hold, Transfer.idOf("none")));
    f.state.preloadReservations(requests, 0, 2);
    f.state.preloadTransfers(requests, 0, 2);
    f.state.preloadTransfers(requests, 1, 1); // an empty window
    assertEquals(before, List.copyOf(f.state.accounts()));
    assertEquals(stored, f.state.transfers().size());
    assertEquals(PendingStatus.PENDING, f.state.pending(hold).status());
  }
}
