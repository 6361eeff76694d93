package dev.mileage.gateway.metering;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.MeterOptions;
import dev.mileage.points.metering.Meters;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * Starts the meter on the gateway's ledger and pool (schema {@code metering}), settling at start what a
 * previous run left open; closes it on undeploy (open sessions stay checkpointed for the next start).
 */
final class MeteringVerticle extends VerticleBase {
  private final MeteringFeature feature;
  private final GatewayContext gateway;
  private final MeterOptions options;
  private Meter meter;

  MeteringVerticle(MeteringFeature feature, GatewayContext gateway, MeterOptions options) {
    this.feature = feature;
    this.gateway = gateway;
    this.options = options;
  }

  @Override
  public Future<?> start() {
    PgMeterStore store = new PgMeterStore(gateway.pool());
    return Future.fromCompletionStage(PgTariffs.load(gateway.pool()), context)
        .compose(tariffs -> Future.fromCompletionStage(
            Meters.start(gateway.ledger(), store, tariffs, options, gateway.clock()), context))
        .onSuccess(m -> {
          meter = m;
          Gauge.builder("metering_sessions_open", m, x -> x.stats().openSessions())
              .description("metered calls and streams in progress").register(gateway.metrics());
          Gauge.builder("metering_renewals", m, x -> x.stats().renewals())
              .description("grants renewed since start").register(gateway.metrics());
          feature.started(m);
        });
  }

  @Override
  public Future<?> stop() {
    feature.stopped();
    if (meter != null) meter.close();
    return Future.succeededFuture();
  }
}
