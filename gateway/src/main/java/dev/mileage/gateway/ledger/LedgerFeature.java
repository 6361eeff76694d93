package dev.mileage.gateway.ledger;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import io.vertx.core.Deployable;
import io.vertx.ext.web.Router;

import java.util.List;

/**
 * The ledger on the event bus ({@link LedgerVerticle}) and the operator REST API under
 * {@code /api/v1/ledger} ({@link LedgerRoutes}). The ledger's tables belong to points-core, which migrates
 * them when the engine starts, so this feature has no schema of its own.
 */
public final class LedgerFeature implements Feature {
  @Override
  public String name() {
    return "ledger";
  }

  @Override
  public void mountApi(Router api, GatewayContext context) {
    new LedgerRoutes(context).mount(api);
  }

  @Override
  public List<Deployable> verticles(GatewayContext context) {
    return List.of(new LedgerVerticle(context.ledger()));
  }
}
