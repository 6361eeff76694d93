package dev.mileage.gateway.metering;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.MeterOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Metering in the gateway: the {@link Meter} (started by {@link MeteringVerticle}, recovering what a
 * previous run left open), operator tariff management and usage records under {@code /api/v1/metering},
 * the member's own usage, and the member's live-balance event stream
 * ({@code GET /api/v1/metering/my/live}, Server-Sent Events).
 *
 * <p>Other features (SIP calls, streaming) reach the one meter through {@link #meter()} or
 * {@link #ready()}: keep a reference to this feature when building the feature list.
 */
public final class MeteringFeature implements Feature {
  private final MeterOptions options;
  private final Promise<Meter> started = Promise.promise();
  private volatile Meter meter;
  private volatile ItemRates itemRates;

  public MeteringFeature() {
    this(MeterOptions.defaults());
  }

  public MeteringFeature(MeterOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String name() {
    return "metering";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void mountApi(Router api, GatewayContext context) {
    new MeteringRoutes(this, context).mount(api);
  }

  @Override
  public List<Deployable> verticles(GatewayContext context) {
    return List.of(new MeteringVerticle(this, context, options));
  }

  /** The running meter, once the gateway has started. */
  public Optional<Meter> meter() {
    return Optional.ofNullable(meter);
  }

  /**
   * The running meter; for features deployed after this one, e.g. {@code new SipFeature(metering::requireMeter)}.
   *
   * @throws IllegalStateException before the metering verticle has started (a wiring bug)
   */
  public Meter requireMeter() {
    Meter running = meter;
    if (running == null) throw new IllegalStateException("the meter has not started: list MeteringFeature first");
    return running;
  }

  /** Called by the streams feature at start: stream items are then rated by {@code GET /metering/rate?itemId=}. */
  public void serveItemRates(ItemRates rates) {
    this.itemRates = Objects.requireNonNull(rates, "rates");
  }

  /** The catalog's item rates, when the streams feature runs. */
  Optional<ItemRates> itemRates() {
    return Optional.ofNullable(itemRates);
  }

  /** Completes with the meter when it has started (after recovery). */
  public Future<Meter> ready() {
    return started.future();
  }

  void started(Meter running) {
    this.meter = running;
    started.tryComplete(running);
  }

  void stopped() {
    this.meter = null;
  }
}
