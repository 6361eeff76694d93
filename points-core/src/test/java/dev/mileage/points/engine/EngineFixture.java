package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.MutableClock;

import java.time.Instant;
import java.util.List;

/** An engine over committed in-memory state, committing every batch (what the store does after COMMIT). */
final class EngineFixture {
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  final MemoryState state = new MemoryState();
  final LedgerEngine engine = new LedgerEngine(clock, 0);

  Account issuer(int pointType) {
    return state.open("operator:" + pointType, pointType, AccountFlags.NONE);
  }

  Account customer(String name) {
    return state.open("member:" + name, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
  }

  Account account(long id) {
    return state.account(id);
  }

  BatchOutcome batch(List<Transfer> transfers) {
    BatchOutcome outcome = engine.apply(state, transfers, List.of());
    state.commit(outcome);
    return outcome;
  }

  List<TransferResult> submit(Transfer... transfers) {
    return batch(List.of(transfers)).results();
  }

  TransferResult one(Transfer transfer) {
    return submit(transfer).get(0);
  }
}
