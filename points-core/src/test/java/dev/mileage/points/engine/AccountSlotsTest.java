package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The batch's account slots: small ids are indexed directly, ids from {@link AccountSlots#DIRECT_IDS_MAX}
 * on go through a map, and reusing the slots batch after batch carries nothing over, on either side of
 * that boundary and across the array's growth.
 */
class AccountSlotsTest {
  private static Account account(long id, long creditsPosted) {
    return new Account(id, "member:" + id, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
        0, 0, 0, creditsPosted);
  }

  @Test
  void slotsAreFoundByIdOnBothSidesOfTheDirectBoundAndInTheOrderFirstUsed() {
    AccountSlots slots = new AccountSlots();
    long[] ids = {1, 1023, 1024, 70_000, AccountSlots.DIRECT_IDS_MAX - 1, AccountSlots.DIRECT_IDS_MAX,
        AccountSlots.DIRECT_IDS_MAX + 1L, Long.MAX_VALUE};
    for (long id : ids) assertNull(slots.get(id));
    for (long id : ids) slots.add(account(id, id % 1000));
    assertEquals(ids.length, slots.size());
    for (int k = 0; k < ids.length; k++) {
      AccountSlot s = slots.at(k);
      assertEquals(ids[k], s.id);
      assertSame(s, slots.get(ids[k]));
      assertEquals(ids[k] % 1000, s.creditsPosted);
    }
    assertNull(slots.get(2));
    assertNull(slots.get(0));
    assertNull(slots.get(-1));
    assertNull(slots.get(AccountSlots.DIRECT_IDS_MAX + 2L));
    assertThrows(IllegalStateException.class, () -> slots.add(account(1024, 0)), "one slot per account and batch");
    assertThrows(IllegalStateException.class, () -> slots.add(account(AccountSlots.DIRECT_IDS_MAX, 0)));
    assertThrows(IllegalStateException.class, () -> slots.at(ids.length));
  }

  @Test
  void aClearedBatchLeavesNothingBehindAndItsSlotsAreReusedFromTheCommittedState() {
    AccountSlots slots = new AccountSlots();
    List<AccountSlot> first = new ArrayList<>();
    for (long id = 1; id <= 3_000; id++) { // past the initial capacity of both arrays
      AccountSlot s = slots.add(account(id, 100));
      s.debit(0, 60);
      first.add(s);
    }
    AccountSlot big = slots.add(account(AccountSlots.DIRECT_IDS_MAX + 5L, 100));
    big.credit(7, 0);
    slots.clear();
    assertEquals(0, slots.size());
    for (long id = 1; id <= 3_000; id++) assertNull(slots.get(id), "cleared: " + id);
    assertNull(slots.get(AccountSlots.DIRECT_IDS_MAX + 5L));

    // the next batch touches other accounts: the same slot objects come back loaded from their accounts
    AccountSlot again = slots.add(account(AccountSlots.DIRECT_IDS_MAX + 5L, 40));
    AccountSlot other = slots.add(account(2_500, 1));
    assertSame(first.get(0), again, "slots are reused in order");
    assertSame(first.get(1), other);
    assertEquals(0, again.creditsPending);
    assertEquals(40, again.creditsPosted);
    assertEquals(0, other.debitsPosted);
    assertEquals(false, other.changed);
    assertEquals(AccountSlots.DIRECT_IDS_MAX + 5L, again.id);
    assertNull(slots.get(1), "slot 0 moved to another account: its old id is not found through it");
    assertSame(again, slots.get(AccountSlots.DIRECT_IDS_MAX + 5L));
    assertEquals(2, slots.size());
  }

  /**
   * The engine over a view whose account ids lie beyond the direct index (a store whose sequence has
   * grown): every rule still holds, batch after batch, and a refused transfer changes nothing.
   */
  @Test
  void theEngineWorksWithIdsBeyondTheDirectIndex() {
    long issuerId = AccountSlots.DIRECT_IDS_MAX + 10L;
    long aliceId = 3L * AccountSlots.DIRECT_IDS_MAX;
    long bobId = 7;
    MapView view = new MapView();
    Map<Long, Account> accounts = view.accounts;
    accounts.put(issuerId, new Account(issuerId, "operator", StandardPointTypes.MILEAGE, AccountFlags.NONE, 0, 0, 0, 0));
    accounts.put(aliceId, account(aliceId, 0));
    accounts.put(bobId, account(bobId, 0));
    LedgerEngine engine = new LedgerEngine(Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC), 0);
    java.util.function.Function<List<Transfer>, BatchOutcome> commit = batch -> {
      BatchOutcome o = engine.apply(view, batch, List.of());
      view.commit(o);
      return o;
    };
    UUID hold = Transfer.idOf("hold");
    assertEquals(List.of(OK, OK, OK), commit.apply(List.of(
        Transfer.single(Transfer.idOf("fund"), issuerId, aliceId, 500, 0, ""),
        Transfer.reserve(hold, aliceId, bobId, 200, 60, 0, ""),
        Transfer.single(Transfer.idOf("a-b"), aliceId, bobId, 100, 0, ""))).results());
    BatchOutcome refused = commit.apply(List.of(Transfer.single(Transfer.idOf("too much"), aliceId, bobId, 201, 0, "")));
    assertEquals(List.of(EXCEEDS_CREDITS), refused.results());
    assertEquals(List.of(), refused.accounts());
    assertEquals(List.of(OK, EXISTS), commit.apply(List.of(Transfer.post(Transfer.idOf("post"), hold, 150, 0, ""),
        Transfer.single(Transfer.idOf("a-b"), aliceId, bobId, 100, 0, ""))).results());
    assertEquals(250, accounts.get(aliceId).available());
    assertEquals(0, accounts.get(aliceId).debitsPending());
    assertEquals(250, accounts.get(bobId).posted());
    assertEquals(-500, accounts.get(issuerId).posted());
  }
}
