package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferFlags;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.mileage.points.ledger.TransferResult.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExchangeTest {
  private static Exchange.Request request(String key, long amountA, long cashA, long cashB, int feeBp) {
    return new Exchange.Request(key, 1, 2, 3, 4, 5, amountA, cashA, cashB, feeBp);
  }

  @Test
  void roundsTheFeeUpAndThePointsDownNeverInTheCustomersFavour() {
    // 1001 points at 1.5 units, fee 1% -> fee ceil(10.01) = 11, converted 990, value 1485 units,
    // at 0.7 units per point of B -> floor(2121.43) = 2121, remainder 0.3 units kept by pool A
    Exchange.Plan plan = Exchange.plan(request("k", 1001, 1_500_000, 700_000, 100)).orElseThrow();
    assertEquals(11, plan.feeA());
    assertEquals(990, plan.convertedA());
    assertEquals(2121, plan.amountB());
    assertEquals(300_000, plan.remainderCashMicros());
    List<Transfer> chain = plan.chain();
    assertEquals(3, chain.size());
    assertTrue(chain.get(0).has(TransferFlags.LINKED) && chain.get(1).has(TransferFlags.LINKED));
    assertFalse(chain.get(2).has(TransferFlags.LINKED), "the chain is closed");
    assertEquals(plan.chain(), Exchange.plan(request("k", 1001, 1_500_000, 700_000, 100)).orElseThrow().chain(),
        "the same business key builds the same ids");
  }

  @Test
  void neverGivesMoreValueThanItTakes() {
    Random random = new Random(42);
    for (int i = 0; i < 10_000; i++) {
      long amount = 1 + random.nextInt(1_000_000);
      long cashA = 1 + random.nextInt(5_000_000);
      long cashB = 1 + random.nextInt(5_000_000);
      int fee = random.nextInt(Exchange.FEE_BASIS_POINTS_MAX + 1);
      var plan = Exchange.plan(request("r" + i, amount, cashA, cashB, fee));
      if (plan.isEmpty()) continue;
      Exchange.Plan p = plan.get();
      assertEquals(amount, p.convertedA() + p.feeA());
      assertTrue(p.feeA() * 10_000 >= amount * fee, "fee rounded up");
      long given = p.amountB() * cashB;
      long taken = p.convertedA() * cashA;
      assertTrue(given <= taken && taken - given < cashB, "within one point of B, never above the rate");
      assertEquals(taken - given, p.remainderCashMicros());
    }
  }

  @Test
  void tooSmallAnAmountBuildsNothingAndBadRequestsThrow() {
    assertTrue(Exchange.plan(request("s", 1, 1_000_000, 3_000_000, 0)).isEmpty());
    assertTrue(Exchange.plan(request("s", 1, 1_000_000, 1_000_000, 10_000)).isEmpty(), "a 100% fee leaves nothing");
    assertThrows(IllegalArgumentException.class, () -> request("s", 1, 1, 1, 10_001));
    assertThrows(IllegalArgumentException.class, () -> request("s", 0, 1, 1, 0));
  }

  @Test
  void theChainMovesPointsAsOneInTheEngine() {
    EngineFixture f = new EngineFixture();
    Account poolA = f.issuer(StandardPointTypes.MILEAGE);
    Account feeA = f.state.open("operator:fees", StandardPointTypes.MILEAGE, AccountFlags.NONE);
    Account poolB = f.issuer(StandardPointTypes.CYBER_MONEY);
    Account customerA = f.customer("ex");
    Account customerB = f.state.open("member:ex", StandardPointTypes.CYBER_MONEY,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
    assertEquals(OK, f.one(Transfer.single(Transfer.idOf("fund"), poolA.id(), customerA.id(), 1000, 0, "")));
    Exchange.Request big = new Exchange.Request("too-big", customerA.id(), poolA.id(), feeA.id(), poolB.id(),
        customerB.id(), 1001, 1_000_000, 2_000_000, 50);
    List<TransferResult> refused = f.batch(Exchange.plan(big).orElseThrow().chain()).results();
    assertEquals(List.of(LINKED_EVENT_FAILED, EXCEEDS_CREDITS, LINKED_EVENT_FAILED), refused);
    assertEquals(0, f.account(customerB.id()).available());
    Exchange.Request ok = new Exchange.Request("ok", customerA.id(), poolA.id(), feeA.id(), poolB.id(),
        customerB.id(), 1000, 1_000_000, 2_000_000, 50);
    Exchange.Plan plan = Exchange.plan(ok).orElseThrow();
    assertEquals(List.of(OK, OK, OK), f.batch(plan.chain()).results());
    assertEquals(0, f.account(customerA.id()).available());
    assertEquals(5, f.account(feeA.id()).available());
    assertEquals(497, f.account(customerB.id()).available());
    assertEquals(List.of(EXISTS, EXISTS, EXISTS), f.batch(plan.chain()).results(), "retrying is safe");
  }
}
