package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Ledger;

import java.util.concurrent.CompletionStage;

/** The running ledger engine as the application holds it: the API, its health figures and its end. */
public interface LedgerRuntime {
  Ledger ledger();

  /** False once the ledger has stopped writing for good (see {@link dev.mileage.points.ledger.ManagedLedger#writing}). */
  default boolean writing() {
    return true;
  }

  /** Requests waiting for the engine; shown by /metrics. */
  long queueDepth();

  /** Stops accepting work, drains what was accepted and commits it. */
  CompletionStage<Void> close();
}
