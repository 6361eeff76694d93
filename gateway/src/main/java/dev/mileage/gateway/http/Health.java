package dev.mileage.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /health}: 200 when the database answers and the ledger writes, 503 when either does not (a ledger that
 * stopped writing for good, because another writer took its database over, needs a restart). No credentials
 * needed, so it says only that: load figures (the ledger's queue depth, say) are operational detail and stay behind
 * {@code /metrics}.
 */
final class Health {
  static final Duration DATABASE_PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final Pool pool;
  private final BooleanSupplier ledgerWriting;

  Health(Pool pool, BooleanSupplier ledgerWriting) {
    this.pool = pool;
    this.ledgerWriting = ledgerWriting;
  }

  void handle(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(DATABASE_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(probe -> {
          boolean reachable = probe.succeeded();
          boolean writing = ledgerWriting.getAsBoolean();
          boolean up = reachable && writing;
          JsonObject body = new JsonObject()
              .put("status", up ? "UP" : "DOWN")
              .put("database", new JsonObject().put("reachable", reachable))
              .put("ledger", new JsonObject().put("writing", writing));
          ctx.response().setStatusCode(up ? 200 : 503).putHeader("Cache-Control", "no-store")
              .putHeader("Content-Type", "application/json").end(body.encode());
        });
  }
}
