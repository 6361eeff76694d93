package dev.mileage.gateway.metering;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.CommandResult;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.LiveBalance;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.Rating;
import dev.mileage.points.metering.StreamRate;
import dev.mileage.points.metering.TariffChange;
import dev.mileage.points.metering.UsageQuery;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * {@code /api/v1/metering}: tariffs, usage records and live sessions for operators; rating for any
 * signed-in caller; the member's own usage, sessions and live stream (kind MEMBER, own owner only: the
 * owner always comes from the authenticated caller, never from the request).
 */
final class MeteringRoutes {
  static final int USAGE_LIMIT_DEFAULT = 50;

  private final MeteringFeature feature;
  private final LiveStream live;

  MeteringRoutes(MeteringFeature feature, GatewayContext context) {
    this.feature = feature;
    this.live = new LiveStream();
  }

  void mount(Router api) {
    Handler<RoutingContext> operator = Access.role(Access.ROLE_OPERATOR);
    api.get("/metering/tariffs").handler(operator).handler(meter(this::book));
    api.put("/metering/tariffs/calls/:prefix").handler(operator).handler(meter(this::putCallRate));
    api.delete("/metering/tariffs/calls/:prefix").handler(operator).handler(meter(this::removeCallRate));
    api.put("/metering/tariffs/streams/:kind").handler(operator).handler(meter(this::putStreamRate));
    api.delete("/metering/tariffs/streams/:kind").handler(operator).handler(meter(this::removeStreamRate));
    api.get("/metering/usage").handler(operator).handler(meter(this::usage));
    api.get("/metering/sessions").handler(operator).handler(meter(this::sessions));
    api.post("/metering/sessions/:sessionId/stop").handler(operator).handler(meter(this::stop));
    api.get("/metering/rate").handler(meter(this::rate));
    api.get("/metering/my/usage").handler(MeteringRoutes::member).handler(meter(this::myUsage));
    api.get("/metering/my/sessions").handler(MeteringRoutes::member).handler(meter(this::mySessions));
    api.get("/metering/my/live").handler(MeteringRoutes::member).handler(meter(live::open));
  }

  /** Members only: operators and others have no sessions of their own here. */
  private static void member(RoutingContext ctx) {
    Optional<Caller> caller = Caller.of(ctx);
    if (caller.isEmpty()) Errors.send(ctx, 401, "unauthorized", "credentials required");
    else if (caller.get().kind() != Caller.Kind.MEMBER) Errors.forbidden(ctx, "members only");
    else ctx.next();
  }

  private Handler<RoutingContext> meter(BiConsumer<RoutingContext, Meter> handler) {
    return ctx -> {
      Optional<Meter> meter = feature.meter();
      if (meter.isEmpty()) {
        ctx.response().putHeader("Retry-After", "1");
        Errors.send(ctx, 503, "metering_unavailable", "the meter is starting or stopping");
        return;
      }
      handler.accept(ctx, meter.get());
    };
  }

  private void book(RoutingContext ctx, Meter meter) {
    json(ctx, 200, MeteringJson.book(meter.tariffs().current()));
  }

  private void putCallRate(RoutingContext ctx, Meter meter) {
    JsonObject body = body(ctx);
    String label = body.getString("label", "");
    CallRate rate = body.getBoolean("blocked", false) ? CallRate.blocked(ctx.pathParam("prefix"), label)
        : CallRate.rated(ctx.pathParam("prefix"), label, MeteringJson.tariff(body));
    changed(ctx, meter.tariffs().putCallRate(rate), MeteringJson.callRate(rate));
  }

  private void removeCallRate(RoutingContext ctx, Meter meter) {
    String prefix = ctx.pathParam("prefix");
    if (!prefix.matches("[0-9]{1," + CallRate.PREFIX_DIGITS_MAX + "}")) throw new IllegalArgumentException("bad prefix");
    changed(ctx, meter.tariffs().removeCallRate(prefix), null);
  }

  private void putStreamRate(RoutingContext ctx, Meter meter) {
    JsonObject body = body(ctx);
    StreamRate rate = new StreamRate(kind(ctx.pathParam("kind")), body.getString("label", ""),
        MeteringJson.tariff(body));
    changed(ctx, meter.tariffs().putStreamRate(rate), MeteringJson.streamRate(rate));
  }

  private void removeStreamRate(RoutingContext ctx, Meter meter) {
    changed(ctx, meter.tariffs().removeStreamRate(kind(ctx.pathParam("kind"))), null);
  }

  private void changed(RoutingContext ctx, CompletionStage<TariffChange> change, JsonObject rate) {
    on(ctx, change).onFailure(ctx::fail).onSuccess(result -> {
      switch (result) {
        case OK -> {
          if (rate == null) ctx.response().setStatusCode(204).end();
          else json(ctx, 200, rate);
        }
        case NOT_FOUND -> Errors.notFound(ctx, "no such tariff rule");
        case TOO_MANY_RATES -> Errors.send(ctx, 422, "too_many_rates", "the tariff book is full");
      }
    });
  }

  private void usage(RoutingContext ctx, Meter meter) {
    String owner = ctx.request().getParam("owner");
    sendUsage(ctx, meter, owner == null ? "" : owner);
  }

  private void myUsage(RoutingContext ctx, Meter meter) {
    sendUsage(ctx, meter, Caller.of(ctx).orElseThrow().owner());
  }

  private void sendUsage(RoutingContext ctx, Meter meter, String owner) {
    String beforeText = ctx.request().getParam("before");
    String limitText = ctx.request().getParam("limit");
    UsageQuery query;
    try {
      Instant before = beforeText == null ? null : Instant.parse(beforeText);
      int limit = limitText == null ? USAGE_LIMIT_DEFAULT : Integer.parseInt(limitText);
      query = new UsageQuery(owner, before, limit);
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("before must be an ISO-8601 instant and limit an integer 1.."
          + UsageQuery.LIMIT_MAX);
    }
    on(ctx, meter.usage(query)).onFailure(ctx::fail).onSuccess(records -> {
      JsonArray array = new JsonArray();
      records.forEach(r -> array.add(MeteringJson.usage(r)));
      String next = records.size() == query.limit() ? records.get(records.size() - 1).endedAt().toString() : null;
      json(ctx, 200, new JsonObject().put("records", array).put("next", next));
    });
  }

  private void sessions(RoutingContext ctx, Meter meter) {
    String owner = ctx.request().getParam("owner");
    if (owner == null || owner.isEmpty()) throw new IllegalArgumentException("owner is required");
    sendSessions(ctx, meter, owner);
  }

  private void mySessions(RoutingContext ctx, Meter meter) {
    sendSessions(ctx, meter, Caller.of(ctx).orElseThrow().owner());
  }

  private void sendSessions(RoutingContext ctx, Meter meter, String owner) {
    JsonArray array = new JsonArray();
    for (LiveBalance l : meter.liveOf(owner)) array.add(MeteringJson.live(l));
    json(ctx, 200, new JsonObject().put("sessions", array));
  }

  private void stop(RoutingContext ctx, Meter meter) {
    UUID id;
    try {
      id = UUID.fromString(ctx.pathParam("sessionId"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("sessionId must be a UUID");
    }
    on(ctx, meter.stop(id, EndReason.OPERATOR)).onFailure(ctx::fail).onSuccess(out -> {
      if (out.result() == CommandResult.UNKNOWN_SESSION) Errors.notFound(ctx, "no session " + id);
      else json(ctx, 200, new JsonObject().put("result", out.result().name())
          .put("record", MeteringJson.usage(out.record())));
    });
  }

  /**
   * What a number, a content kind or a stream item costs, before calling or playing: {result, matched, label,
   * tariff}; for an item also {itemId, kind, priceSource, itemPointsPerMinute}, rated as its sessions are.
   */
  private void rate(RoutingContext ctx, Meter meter) {
    String number = ctx.request().getParam("number");
    String kind = ctx.request().getParam("kind");
    String itemId = ctx.request().getParam("itemId");
    int given = (number == null ? 0 : 1) + (kind == null ? 0 : 1) + (itemId == null ? 0 : 1);
    if (given != 1) throw new IllegalArgumentException("give exactly one of number, kind and itemId");
    if (itemId != null) {
      rateItem(ctx, meter, itemId(itemId));
      return;
    }
    Rating r = number != null ? meter.tariffs().current().rateCall(number)
        : meter.tariffs().current().rateStream(kind(kind));
    json(ctx, 200, rating(r));
  }

  private void rateItem(RoutingContext ctx, Meter meter, long itemId) {
    Optional<ItemRates> rates = feature.itemRates();
    if (rates.isEmpty()) {
      Errors.send(ctx, 503, "streams_unavailable", "stream items are not served by this gateway");
      return;
    }
    boolean operator = Caller.of(ctx).map(c -> c.hasRole(Access.ROLE_OPERATOR)).orElse(false);
    rates.get().rate(itemId, operator, meter.tariffs().current()).onFailure(ctx::fail).onSuccess(found -> {
      switch (found.lookup()) {
        case NO_SUCH_ITEM -> Errors.notFound(ctx, "no stream item " + itemId);
        case RETIRED -> Errors.notFound(ctx, "stream item " + itemId + " is retired and has no price");
        case FOUND -> json(ctx, 200, rating(found.rating()).put("itemId", itemId).put("kind", found.kind().name())
            .put("priceSource", found.itemPointsPerMinute() != null ? "ITEM" : "KIND")
            .put("itemPointsPerMinute", found.itemPointsPerMinute()));
      }
    });
  }

  private static JsonObject rating(Rating r) {
    JsonObject out = new JsonObject().put("result", r.result().name()).put("matched", r.matched())
        .put("label", r.label());
    if (r.tariff() != null) out.put("tariff", MeteringJson.tariff(r.tariff()));
    return out;
  }

  private static long itemId(String text) {
    try {
      long id = Long.parseLong(text);
      if (id < 1) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("itemId must be a positive integer");
    }
  }

  private static ContentKind kind(String text) {
    try {
      return ContentKind.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind must be one of VIDEO, MUSIC, VOICE, SOFTWARE, DATABASE");
    }
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null) throw new IllegalArgumentException("a JSON body is required");
    return body;
  }

  static <T> Future<T> on(RoutingContext ctx, CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, ctx.vertx().getOrCreateContext());
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8")
        .end(body.encode());
  }
}
