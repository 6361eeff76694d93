package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The always-on checks refuse states and outcomes the engine must never produce. */
class InvariantTest {
  private static final Account CUSTOMER = new Account(1, "member:a", StandardPointTypes.MILEAGE,
      AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS, 0, 0, 0, 100);
  private static final Account ISSUER = new Account(2, "operator", StandardPointTypes.MILEAGE, AccountFlags.NONE,
      0, 100, 0, 0);

  @Test
  void aCustomerBelowZeroIsABug() {
    Account overdrawn = new Account(1, "member:a", StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
        1, 100, 0, 100);
    assertThrows(IllegalStateException.class, () -> BatchOutcome.checkLimits(overdrawn), "pending debits count");
    Account liability = new Account(3, "operator:l", StandardPointTypes.MILEAGE,
        AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS, 0, 5, 1, 5);
    assertThrows(IllegalStateException.class, () -> BatchOutcome.checkLimits(liability));
    assertEquals(CUSTOMER, BatchOutcome.checkLimits(CUSTOMER));
  }

  @Test
  void pointsAreNeverCreatedOrLostInABatch() {
    Account customerAfter = new Account(1, "member:a", StandardPointTypes.MILEAGE,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS, 0, 10, 0, 100);
    BatchOutcome oneSided = new BatchOutcome(List.of(TransferResult.OK), List.of(),
        List.of(new AccountChange(CUSTOMER, customerAfter)), List.of(), 0, 1);
    assertThrows(IllegalStateException.class, oneSided::verify);
    Account issuerAfter = new Account(2, "operator", StandardPointTypes.MILEAGE, AccountFlags.NONE, 0, 100, 0, 10);
    BatchOutcome balanced = new BatchOutcome(List.of(TransferResult.OK), List.of(),
        List.of(new AccountChange(CUSTOMER, customerAfter), new AccountChange(ISSUER, issuerAfter)), List.of(), 0, 1);
    balanced.verify();
  }

  @Test
  void timestampsMustIncrease() {
    Transfer t = Transfer.single(Transfer.idOf("a"), 1, 2, 1, 0, "");
    Transfer u = Transfer.single(Transfer.idOf("b"), 1, 2, 1, 0, "");
    BatchOutcome backwards = new BatchOutcome(List.of(), List.of(new TransferRecord(t, Instant.ofEpochSecond(2)),
        new TransferRecord(u, Instant.ofEpochSecond(1))), List.of(), List.of(), 0, 1_000_000);
    assertThrows(IllegalStateException.class, backwards::verify);
  }

  @Test
  void anAccountChangeKeepsItsIdentity() {
    Account other = new Account(1, "member:b", StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS,
        0, 0, 0, 100);
    assertThrows(IllegalStateException.class, () -> new AccountChange(CUSTOMER, other));
  }

  @Test
  void committingAnOutcomeBuiltOnStaleStateIsRefused() {
    EngineFixture f = new EngineFixture();
    Account issuer = f.issuer(StandardPointTypes.MILEAGE);
    Account a = f.customer("a");
    BatchOutcome first = f.engine.apply(f.state, List.of(Transfer.single(Transfer.idOf("x"), issuer.id(), a.id(), 5,
        0, "")), List.of());
    BatchOutcome second = f.engine.apply(f.state, List.of(Transfer.single(Transfer.idOf("y"), issuer.id(), a.id(), 5,
        0, "")), List.of());
    f.state.commit(first);
    assertThrows(IllegalStateException.class, () -> f.state.commit(second), "the second read what the first changed");
  }

  @Test
  void anEmptyBatchChangesNothing() {
    EngineFixture f = new EngineFixture();
    assertTrue(f.engine.apply(f.state, List.of(), List.of()).isEmpty());
  }
}
