package dev.mileage.gateway.ledger;

import dev.mileage.gateway.GatewayContext;
import io.vertx.ext.web.Router;

/** Operator REST for the ledger under {@code /api/v1/ledger}. */
final class LedgerRoutes {
  private final GatewayContext context;

  LedgerRoutes(GatewayContext context) {
    this.context = context;
  }

  void mount(Router api) {
  }
}
