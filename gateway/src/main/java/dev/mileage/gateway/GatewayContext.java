package dev.mileage.gateway;

import dev.mileage.points.ledger.Ledger;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.Objects;

/**
 * What every feature gets at start: the one ledger, the database pool (features use only their own
 * schema), settings, the clock (injected, so tests advance time instead of sleeping) and metrics.
 */
public record GatewayContext(Vertx vertx, Ledger ledger, Pool pool, GatewayConfig config, Clock clock,
                             MeterRegistry metrics) {
  public GatewayContext {
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(pool, "pool");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(metrics, "metrics");
  }
}
