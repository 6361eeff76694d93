package dev.mileage.gateway.streams;

import dev.mileage.gateway.GatewayContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Runs the pump (paced deliveries) and the sweep (stalls, forgotten streams) on its own context, and in
 * demo mode generates the demo catalog in the background (start-up does not wait for it).
 */
final class StreamsVerticle extends VerticleBase {
  static final long SWEEP_INTERVAL_MS = 1000;

  private final GatewayContext gateway;
  private final Catalog catalog;
  private final Streams streams;
  private DemoCatalog demo;

  StreamsVerticle(GatewayContext gateway, Catalog catalog, Streams streams) {
    this.gateway = gateway;
    this.catalog = catalog;
    this.streams = streams;
  }

  @Override
  public Future<?> start() {
    streams.bind(context);
    vertx.setPeriodic(streams.options().pumpInterval().toMillis(), id -> streams.pump());
    vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> streams.sweep());
    if (gateway.config().demo()) {
      demo = new DemoCatalog(vertx, catalog, streams.media());
      demo.seed();
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    if (demo != null) demo.cancel();
    streams.close();
    return Future.succeededFuture();
  }
}
