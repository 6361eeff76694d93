package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every result code of the engine, with the state it leaves; the last test checks none was missed. */
class LedgerEngineTest {
  private static final Set<TransferResult> SEEN = EnumSet.noneOf(TransferResult.class);

  private EngineFixture f;
  private Account issuer;
  private Account alice;
  private Account bob;
  private int ids;

  @BeforeEach
  void setUp() {
    f = new EngineFixture();
    issuer = f.issuer(StandardPointTypes.MILEAGE);
    alice = f.customer("alice");
    bob = f.customer("bob");
    assertEquals(OK, f.one(single(issuer, alice, 1000)));
  }

  @AfterAll
  static void everyResultCodeIsCovered() {
    assertEquals(EnumSet.allOf(TransferResult.class), SEEN, "result codes without a test");
  }

  private UUID id() {
    return Transfer.idOf("engine-test:" + ids++);
  }

  private Transfer single(Account from, Account to, long amount) {
    return Transfer.single(id(), from.id(), to.id(), amount, 0, "");
  }

  private void expect(TransferResult expected, Transfer t) {
    SEEN.add(expected);
    assertEquals(expected, f.one(t));
  }

  private void expectUnchanged(TransferResult expected, Transfer t) {
    Account a = f.account(alice.id());
    Account b = f.account(bob.id());
    Account i = f.account(issuer.id());
    int stored = f.state.transfers().size();
    expect(expected, t);
    assertEquals(a, f.account(alice.id()));
    assertEquals(b, f.account(bob.id()));
    assertEquals(i, f.account(issuer.id()));
    assertEquals(stored, f.state.transfers().size(), "a refused transfer is not stored");
  }

  @Test
  void singleTransferMovesPostedPoints() {
    expect(OK, single(alice, bob, 400));
    assertEquals(600, f.account(alice.id()).available());
    assertEquals(400, f.account(bob.id()).available());
    assertEquals(-1000, f.account(issuer.id()).available(), "issuance accounts may go negative");
  }

  @Test
  void structuralProblemsAreRefusedInPrecedenceOrder() {
    expectUnchanged(FLAGS_ARE_MUTUALLY_EXCLUSIVE, new Transfer(id(), 0, 0, 0, null, 0, 0, "",
        TransferFlags.PENDING | TransferFlags.VOID_PENDING));
    expectUnchanged(DEBIT_ACCOUNT_ID_MUST_NOT_BE_ZERO, new Transfer(id(), 0, 0, 0, null, 0, 0, "x".repeat(200), 0));
    expectUnchanged(CREDIT_ACCOUNT_ID_MUST_NOT_BE_ZERO, new Transfer(id(), alice.id(), 0, 5, null, 0, 0, "", 0));
    expectUnchanged(ACCOUNTS_MUST_BE_DIFFERENT, new Transfer(id(), alice.id(), alice.id(), 5, null, 0, 0, "", 0));
    expectUnchanged(PENDING_ID_MUST_BE_NULL, new Transfer(id(), alice.id(), bob.id(), 5, id(), 0, 0, "", 0));
    expectUnchanged(PENDING_ID_MUST_NOT_BE_NULL, new Transfer(id(), 0, 0, 5, null, 0, 0, "",
        TransferFlags.POST_PENDING));
    UUID self = id();
    expectUnchanged(PENDING_ID_MUST_BE_DIFFERENT, new Transfer(self, 0, 0, 5, self, 0, 0, "", TransferFlags.POST_PENDING));
    expectUnchanged(TIMEOUT_RESERVED_FOR_PENDING_TRANSFER, new Transfer(id(), alice.id(), bob.id(), 5, null, 10, 0, "", 0));
    expectUnchanged(AMOUNT_MUST_NOT_BE_ZERO, single(alice, bob, 0));
    expectUnchanged(REFERENCE_TOO_LONG, Transfer.single(id(), alice.id(), bob.id(), 5, 0,
        "x".repeat(Transfer.REFERENCE_LENGTH_MAX + 1)));
    expectUnchanged(DEBIT_ACCOUNT_NOT_FOUND, Transfer.single(id(), 999, 998, 5, 0, ""));
    expectUnchanged(CREDIT_ACCOUNT_NOT_FOUND, Transfer.single(id(), alice.id(), 998, 5, 0, ""));
    Account cash = f.issuer(StandardPointTypes.CASH);
    expectUnchanged(ACCOUNTS_MUST_HAVE_THE_SAME_POINT_TYPE, single(alice, cash, 5));
  }

  @Test
  void customersNeverGoBelowZeroPendingDebitsIncluded() {
    expectUnchanged(EXCEEDS_CREDITS, single(alice, bob, 1001));
    expect(OK, Transfer.reserve(id(), alice.id(), bob.id(), 700, 0, 0, ""));
    expectUnchanged(EXCEEDS_CREDITS, single(alice, bob, 301));
    expect(OK, single(alice, bob, 300));
    assertEquals(0, f.account(alice.id()).available());
  }

  @Test
  void liabilityAccountsNeverHoldMoreThanTakenFromThem() {
    Account liability = f.state.open("operator:liability", StandardPointTypes.MILEAGE,
        AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS);
    expectUnchanged(EXCEEDS_DEBITS, Transfer.single(id(), issuer.id(), liability.id(), 1, 0, ""));
    expect(OK, Transfer.single(id(), liability.id(), issuer.id(), 50, 0, ""));
    expect(OK, Transfer.single(id(), issuer.id(), liability.id(), 50, 0, ""));
    expect(EXCEEDS_DEBITS, Transfer.single(id(), issuer.id(), liability.id(), 1, 0, ""));
  }

  @Test
  void countersNeverOverflow() {
    expect(OK, Transfer.single(id(), issuer.id(), bob.id(), Long.MAX_VALUE - 1000, 0, ""));
    expectUnchanged(OVERFLOWS_DEBITS, single(issuer, alice, 1));
    Account other = f.issuer(StandardPointTypes.MILEAGE);
    expectUnchanged(OVERFLOWS_CREDITS, Transfer.single(id(), other.id(), bob.id(), 1001, 0, ""));
    expect(OK, Transfer.single(id(), other.id(), bob.id(), 1000, 0, ""));
    assertEquals(Long.MAX_VALUE, f.account(bob.id()).creditsPosted(), "up to the limit is fine");
  }

  @Test
  void resubmittingAnswersExistsAndAnyDifferenceIsNamed() {
    Transfer original = new Transfer(id(), alice.id(), bob.id(), 10, null, 30, 7, "ref", TransferFlags.PENDING);
    expect(OK, original);
    expectUnchanged(EXISTS, original);
    UUID i = original.id();
    expectUnchanged(EXISTS_WITH_DIFFERENT_FLAGS, new Transfer(i, alice.id(), bob.id(), 10, null, 0, 7, "ref", 0));
    expectUnchanged(EXISTS_WITH_DIFFERENT_DEBIT_ACCOUNT_ID, new Transfer(i, issuer.id(), bob.id(), 10, null, 30, 7, "ref",
        TransferFlags.PENDING));
    expectUnchanged(EXISTS_WITH_DIFFERENT_CREDIT_ACCOUNT_ID, new Transfer(i, alice.id(), issuer.id(), 10, null, 30, 7,
        "ref", TransferFlags.PENDING));
    expectUnchanged(EXISTS_WITH_DIFFERENT_AMOUNT, new Transfer(i, alice.id(), bob.id(), 11, null, 30, 7, "ref",
        TransferFlags.PENDING));
    expectUnchanged(EXISTS_WITH_DIFFERENT_TIMEOUT, new Transfer(i, alice.id(), bob.id(), 10, null, 31, 7, "ref",
        TransferFlags.PENDING));
    expectUnchanged(EXISTS_WITH_DIFFERENT_CODE, new Transfer(i, alice.id(), bob.id(), 10, null, 30, 8, "ref",
        TransferFlags.PENDING));
    expectUnchanged(EXISTS_WITH_DIFFERENT_REFERENCE, new Transfer(i, alice.id(), bob.id(), 10, null, 30, 7, "other",
        TransferFlags.PENDING));
    Transfer post = Transfer.post(id(), i, 4, 7, "");
    expect(OK, post);
    expectUnchanged(EXISTS, post);
    expectUnchanged(EXISTS, new Transfer(post.id(), alice.id(), bob.id(), 4, i, 0, 7, "", TransferFlags.POST_PENDING));
    expect(OK, Transfer.reserve(id(), alice.id(), bob.id(), 10, 0, 0, ""));
    UUID secondHold = Transfer.idOf("engine-test:" + (ids - 1));
    expectUnchanged(EXISTS_WITH_DIFFERENT_PENDING_ID, Transfer.post(post.id(), secondHold, 4, 7, ""));
  }

  @Test
  void reservationsPostFullyOrPartlyAndReleaseTheRest() {
    UUID hold = id();
    expect(OK, Transfer.reserve(hold, alice.id(), bob.id(), 300, 60, 0, ""));
    Account a = f.account(alice.id());
    assertEquals(300, a.debitsPending());
    assertEquals(700, a.available());
    assertEquals(300, f.account(bob.id()).creditsPending());
    assertEquals(0, f.account(bob.id()).available(), "reserved points are not the receiver's yet");
    expectUnchanged(EXCEEDS_PENDING_TRANSFER_AMOUNT, Transfer.post(id(), hold, 301, 0, ""));
    expectUnchanged(PENDING_TRANSFER_HAS_DIFFERENT_DEBIT_ACCOUNT_ID,
        new Transfer(id(), issuer.id(), 0, 10, hold, 0, 0, "", TransferFlags.POST_PENDING));
    expectUnchanged(PENDING_TRANSFER_HAS_DIFFERENT_CREDIT_ACCOUNT_ID,
        new Transfer(id(), alice.id(), issuer.id(), 10, hold, 0, 0, "", TransferFlags.POST_PENDING));
    expectUnchanged(PENDING_TRANSFER_HAS_DIFFERENT_AMOUNT,
        new Transfer(id(), 0, 0, 299, hold, 0, 0, "", TransferFlags.VOID_PENDING));
    expectUnchanged(AMOUNT_MUST_NOT_BE_ZERO, Transfer.post(id(), hold, 0, 0, ""));
    expect(OK, new Transfer(id(), alice.id(), bob.id(), 120, hold, 0, 0, "", TransferFlags.POST_PENDING));
    a = f.account(alice.id());
    assertEquals(0, a.debitsPending());
    assertEquals(880, a.available(), "the unposted 180 are released");
    assertEquals(120, f.account(bob.id()).available());
    assertEquals(0, f.account(bob.id()).creditsPending());
    expectUnchanged(PENDING_TRANSFER_ALREADY_POSTED, Transfer.post(id(), hold, 10, 0, ""));
    expectUnchanged(PENDING_TRANSFER_ALREADY_POSTED, Transfer.voidPending(id(), hold, 0, ""));
  }

  @Test
  void voidReleasesAndNamesWhatCannotBePostedOrVoided() {
    UUID hold = id();
    expect(OK, Transfer.reserve(hold, alice.id(), bob.id(), 300, 0, 0, ""));
    expect(OK, new Transfer(id(), 0, 0, 300, hold, 0, 0, "", TransferFlags.VOID_PENDING));
    assertEquals(1000, f.account(alice.id()).available());
    assertEquals(0, f.account(bob.id()).creditsPending());
    expectUnchanged(PENDING_TRANSFER_ALREADY_VOIDED, Transfer.post(id(), hold, 10, 0, ""));
    expectUnchanged(PENDING_TRANSFER_NOT_FOUND, Transfer.voidPending(id(), id(), 0, ""));
    UUID plain = id();
    expect(OK, Transfer.single(plain, alice.id(), bob.id(), 1, 0, ""));
    expectUnchanged(PENDING_TRANSFER_NOT_PENDING, Transfer.voidPending(id(), plain, 0, ""));
    TransferRecord stored = f.state.transfers().stream().filter(r -> r.transfer().pendingId() != null).findFirst()
        .orElseThrow();
    assertEquals(alice.id(), stored.transfer().debitAccountId(), "a void records the reservation's accounts");
    assertEquals(300, stored.transfer().amount());
  }

  @Test
  void aReservationPastItsTimeoutIsExpiredAndReleasedWhenTouched() {
    UUID early = id();
    UUID late = id();
    assertEquals(List.of(OK, OK), f.submit(Transfer.reserve(early, alice.id(), bob.id(), 300, 10, 0, ""),
        Transfer.reserve(late, alice.id(), bob.id(), 300, 10, 0, "")));
    long reservedAt = Micros.of(f.state.transfer(late).timestamp());
    assertEquals(reservedAt + 10_000_000, f.state.pending(late).expiresAtMicros());
    f.clock.advance(Duration.ofMillis(9_999));
    expect(OK, Transfer.post(id(), early, 300, 0, ""));
    f.clock.advance(Duration.ofSeconds(1));
    Transfer post = Transfer.post(id(), late, 300, 0, "");
    expect(PENDING_TRANSFER_EXPIRED, post);
    assertEquals(700, f.account(alice.id()).available(), "released in the same batch");
    assertEquals(0, f.account(alice.id()).debitsPending());
    assertEquals(0, f.account(bob.id()).creditsPending());
    assertEquals(PendingStatus.EXPIRED, f.state.pending(late).status());
    expect(PENDING_TRANSFER_EXPIRED, post);
    expect(PENDING_TRANSFER_EXPIRED, Transfer.voidPending(id(), late, 0, ""));
  }

  @Test
  void theSweepReleasesDueReservationsOnTheEnginesClock() {
    expect(OK, Transfer.reserve(id(), alice.id(), bob.id(), 100, 5, 0, ""));
    expect(OK, Transfer.reserve(id(), alice.id(), bob.id(), 100, 50, 0, ""));
    expect(OK, Transfer.reserve(id(), alice.id(), bob.id(), 100, 0, 0, ""));
    f.clock.advance(Duration.ofSeconds(6));
    List<UUID> due = f.state.due(f.engine.nowMicros(), 100);
    assertEquals(1, due.size());
    BatchOutcome sweep = f.engine.apply(f.state, List.of(), due);
    f.state.commit(sweep);
    assertEquals(1, sweep.expired());
    assertTrue(sweep.inserted().isEmpty(), "expiry writes no transfer, only the reservation's state");
    assertEquals(800, f.account(alice.id()).available());
    f.clock.advance(Duration.ofDays(3650));
    assertEquals(1, f.state.due(f.engine.nowMicros(), 100).size(), "timeout 0 never expires");
  }

  @Test
  void linkedChainsSucceedOrFailAsOne() {
    UUID hold = id();
    List<TransferResult> results = f.submit(
        Transfer.reserve(hold, alice.id(), bob.id(), 100, 0, 0, "").linked(),
        Transfer.post(id(), hold, 100, 0, "").linked(),
        single(alice, bob, 901));
    SEEN.add(LINKED_EVENT_FAILED);
    assertEquals(List.of(LINKED_EVENT_FAILED, LINKED_EVENT_FAILED, EXCEEDS_CREDITS), results);
    assertEquals(1000, f.account(alice.id()).available(), "the earlier members were rolled back");
    assertEquals(0, f.account(bob.id()).creditsPending());
    assertEquals(null, f.state.pending(hold), "the reservation made inside the failed chain is gone");
    assertEquals(1, f.state.transfers().size());

    List<Transfer> chain = List.of(single(alice, bob, 100).linked(), single(alice, bob, 50).linked(),
        single(bob, alice, 10));
    assertEquals(List.of(OK, OK, OK), f.submit(chain.toArray(Transfer[]::new)));
    assertEquals(860, f.account(alice.id()).available());
    assertEquals(List.of(EXISTS, EXISTS, EXISTS), f.submit(chain.toArray(Transfer[]::new)), "a retried chain");
    List<TransferResult> mixed = f.submit(chain.get(0), single(alice, bob, 1).linked(), single(alice, bob, 1));
    assertEquals(List.of(EXISTS, LINKED_EVENT_FAILED, LINKED_EVENT_FAILED), mixed, "an old member in a new chain");
    assertEquals(860, f.account(alice.id()).available());
    List<TransferResult> partial = f.submit(chain.get(0), single(alice, bob, 1).linked(), chain.get(2));
    assertEquals(List.of(EXISTS, LINKED_EVENT_FAILED, EXISTS), partial, "a chain mixing old and new is refused");
  }

  @Test
  void aBatchEndingInsideAChainLeavesItOpen() {
    SEEN.add(LINKED_EVENT_CHAIN_OPEN);
    assertEquals(List.of(OK, LINKED_EVENT_FAILED, LINKED_EVENT_CHAIN_OPEN),
        f.submit(single(alice, bob, 1), single(alice, bob, 1).linked(), single(alice, bob, 1).linked()));
    assertEquals(999, f.account(alice.id()).available());
    BatchOutcome two = f.engine.applyAll(f.state, List.of(List.of(single(alice, bob, 1).linked()),
        List.of(single(alice, bob, 1))), List.of());
    assertEquals(List.of(LINKED_EVENT_CHAIN_OPEN, OK), two.results(), "a chain never spans two requests");
  }

  @Test
  void timestampsAreUniqueAndIncreasingEvenWhenTheClockStandsStillOrGoesBack() {
    f.submit(single(alice, bob, 1), single(alice, bob, 1));
    f.clock.advance(Duration.ofSeconds(-30));
    f.submit(single(alice, bob, 1));
    List<Long> ts = f.state.transfers().stream().map(r -> Micros.of(r.timestamp())).sorted().toList();
    for (int i = 1; i < ts.size(); i++) assertTrue(ts.get(i) > ts.get(i - 1));
    assertEquals(ts.size(), ts.stream().distinct().count());
    assertEquals(ts.get(ts.size() - 1), f.engine.lastTimestampMicros());
  }

  @Test
  void aDuplicateInsideOneBatchIsSeen() {
    Transfer t = single(alice, bob, 5);
    assertEquals(List.of(OK, EXISTS), f.submit(t, t));
    assertEquals(995, f.account(alice.id()).available());
  }
}
