package dev.mileage.gateway.streams;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.metering.MeteringFeature;
import io.vertx.core.Deployable;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.Objects;

/**
 * Metered streams: video, music, spoken programs, software downloads and database services paid by the
 * second through the meter. Operators manage the catalog under {@code /api/v1/streams/items}; members
 * start a stream, get a link bound to them that their browser's player reads with range requests, and
 * the delivery is paced by the metered time and cut by the server when the balance runs out. In demo
 * mode the gateway generates one item of each kind at first start (nothing is downloaded).
 */
public final class StreamsFeature implements Feature {
  private final MeteringFeature metering;
  private final StreamsOptions options;
  private Streams streams;
  private Catalog catalog;

  public StreamsFeature(MeteringFeature metering) {
    this(metering, StreamsOptions.defaults());
  }

  public StreamsFeature(MeteringFeature metering, StreamsOptions options) {
    this.metering = Objects.requireNonNull(metering, "metering");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String name() {
    return "streams";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void start(GatewayContext context) {
    catalog = new Catalog(context.pool(), context.clock());
    streams = new Streams(metering::meter, options, context.clock(), new MediaStore(context.config().dataDir()));
    metering.serveItemRates(new CatalogItemRates(catalog)); // metering's rating route prices items as sessions are
  }

  /** Media uploads go up to the largest kind's limit (MediaCheck then holds each kind to its own), operators only. */
  @Override
  public List<dev.mileage.gateway.http.LargeBody> largeBodies() {
    long largest = MediaCheck.SIZE_BYTES_MAX.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    return List.of(new dev.mileage.gateway.http.LargeBody(io.vertx.core.http.HttpMethod.PUT, "/streams/items/:id/media",
        largest, dev.mileage.gateway.http.Access.ROLE_OPERATOR));
  }

  @Override
  public void mountApi(Router api, GatewayContext context) {
    new StreamsRoutes(context, catalog, streams).mount(api);
  }

  @Override
  public List<Deployable> verticles(GatewayContext context) {
    return List.of(new StreamsVerticle(context, catalog, streams));
  }
}
