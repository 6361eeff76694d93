package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.Ledger;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/** The ledger on the event bus: see {@link LedgerAddresses} for the addresses and message shapes. */
public final class LedgerVerticle extends VerticleBase {
  private final Ledger ledger;

  public LedgerVerticle(Ledger ledger) {
    this.ledger = ledger;
  }

  @Override
  public Future<?> start() {
    return Future.succeededFuture();
  }
}
