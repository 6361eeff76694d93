package dev.mileage.points.ledger;

import java.util.concurrent.CompletionStage;

/** A ledger its owner starts and stops: the durable implementation behind {@link Ledger}. */
public interface ManagedLedger extends Ledger, AutoCloseable {
  LedgerStats stats();

  /**
   * False once the ledger has stopped writing for good: another writer wrote to its database while it was cut off
   * from it, so what it holds in memory is stale. It refuses every write from then on and must be started again.
   */
  default boolean writing() {
    return true;
  }

  /**
   * Releases every reservation whose timeout has passed on the ledger's clock, now, instead of waiting
   * for the periodic sweep; answers how many were released.
   */
  CompletionStage<Integer> expireDue();

  /** Stops taking work, fails what is still queued, closes the connections. Idempotent. */
  @Override
  void close();
}
