package dev.mileage.points.ledger;

import java.util.concurrent.CompletionStage;

/** A ledger its owner starts and stops: the durable implementation behind {@link Ledger}. */
public interface ManagedLedger extends Ledger, AutoCloseable {
  LedgerStats stats();

  /**
   * Releases every reservation whose timeout has passed on the ledger's clock, now, instead of waiting
   * for the periodic sweep; answers how many were released.
   */
  CompletionStage<Integer> expireDue();

  /** Stops taking work, fails what is still queued, closes the connections. Idempotent. */
  @Override
  void close();
}
