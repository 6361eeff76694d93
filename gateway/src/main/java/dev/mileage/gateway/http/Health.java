package dev.mileage.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /health}: 200 when the database answers, 503 when it does not. No credentials needed, so it says only
 * that: load figures (the ledger's queue depth, say) are operational detail and stay behind {@code /metrics}.
 */
final class Health {
  static final Duration DATABASE_PROBE_TIMEOUT = Duration.ofSeconds(2);

  private final Pool pool;

  Health(Pool pool) {
    this.pool = pool;
  }

  void handle(RoutingContext ctx) {
    pool.query("SELECT 1").execute()
        .timeout(DATABASE_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(probe -> {
          boolean up = probe.succeeded();
          JsonObject body = new JsonObject()
              .put("status", up ? "UP" : "DOWN")
              .put("database", new JsonObject().put("reachable", up));
          ctx.response().setStatusCode(up ? 200 : 503).putHeader("Cache-Control", "no-store")
              .putHeader("Content-Type", "application/json").end(body.encode());
        });
  }
}
