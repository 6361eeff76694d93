package dev.mileage.gateway.streams;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.Authorization;
import dev.mileage.points.metering.CommandResult;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.LiveBalance;
import dev.mileage.points.metering.Rating;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.UsageQuery;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;

/**
 * {@code /api/v1/streams}: the catalog (everyone signed in; operators also create, upload and retire),
 * the member's streams (start, play, pause, stop, heartbeat, database queries), the paced media links and
 * the member's history. The owner always comes from the credentials, never from the request.
 */
final class StreamsRoutes {
  static final int HISTORY_LIMIT_DEFAULT = 20;

  private final GatewayContext gateway;
  private final Catalog catalog;
  private final Streams streams;
  private final InfoService info = new InfoService();
  private final MediaDelivery delivery;
  private final ItemAdmin admin;

  StreamsRoutes(GatewayContext gateway, Catalog catalog, Streams streams) {
    this.gateway = gateway;
    this.catalog = catalog;
    this.streams = streams;
    this.delivery = new MediaDelivery(streams);
    this.admin = new ItemAdmin(catalog, streams.media(), this::priced);
  }

  void mount(Router api) {
    Handler<RoutingContext> operator = Access.role(Access.ROLE_OPERATOR);
    api.get("/streams/items").handler(this::list);
    api.post("/streams/items").handler(operator).handler(admin::create);
    api.get("/streams/items/:id").handler(this::item);
    api.patch("/streams/items/:id").handler(operator).handler(admin::update);
    api.put("/streams/items/:id/media").handler(operator).handler(admin::upload);
    api.put("/streams/items/:id/price").handler(operator).handler(admin::setPrice);
    api.delete("/streams/items/:id/price").handler(operator).handler(admin::clearPrice);
    api.post("/streams/sessions").handler(StreamsRoutes::member).handler(this::start);
    api.get("/streams/sessions/:sessionId").handler(StreamsRoutes::member).handler(mine(this::show));
    api.post("/streams/sessions/:sessionId/play").handler(StreamsRoutes::member).handler(mine(this::play));
    api.post("/streams/sessions/:sessionId/pause").handler(StreamsRoutes::member).handler(mine(this::pause));
    api.post("/streams/sessions/:sessionId/stop").handler(StreamsRoutes::member).handler(mine(this::stop));
    api.post("/streams/sessions/:sessionId/heartbeat").handler(StreamsRoutes::member).handler(mine(this::heartbeat));
    api.get("/streams/sessions/:sessionId/query").handler(StreamsRoutes::member).handler(mine(this::query));
    api.get("/streams/media/:token").handler(StreamsRoutes::member).handler(delivery::serve);
    api.get("/streams/my/history").handler(StreamsRoutes::member).handler(this::history);
  }

  static void member(RoutingContext ctx) {
    Optional<Caller> caller = Caller.of(ctx);
    if (caller.isEmpty()) Errors.send(ctx, 401, "unauthorized", "sign in to stream");
    else if (caller.get().kind() != Caller.Kind.MEMBER) Errors.forbidden(ctx, "members only");
    else ctx.next();
  }

  /** The caller's own stream from the path, or 404 (another member's stream is not theirs to know of). */
  private Handler<RoutingContext> mine(BiConsumer<RoutingContext, StreamSession> handler) {
    return ctx -> {
      UUID id;
      try {
        id = UUID.fromString(ctx.pathParam("sessionId"));
      } catch (IllegalArgumentException e) {
        Errors.badRequest(ctx, "sessionId must be a UUID");
        return;
      }
      String owner = Caller.of(ctx).orElseThrow().owner();
      Optional<StreamSession> s = streams.session(id).filter(x -> x.owner.equals(owner));
      if (s.isEmpty()) Errors.notFound(ctx, "no such stream");
      else handler.accept(ctx, s.get());
    };
  }

  private void list(RoutingContext ctx) {
    Caller caller = Caller.of(ctx).orElseThrow();
    String kindText = ctx.request().getParam("kind");
    ContentKind kind = kindText == null ? null : kind(kindText);
    boolean operator = caller.hasRole(Access.ROLE_OPERATOR);
    catalog.list(kind, operator).onFailure(ctx::fail).onSuccess(items -> {
      JsonArray out = new JsonArray();
      for (Item i : items) out.add(priced(i));
      json(ctx, 200, new JsonObject().put("items", out));
    });
  }

  /** One item with its price and, for a member, how many minutes their balance buys. */
  private void item(RoutingContext ctx) {
    Caller caller = Caller.of(ctx).orElseThrow();
    boolean operator = caller.hasRole(Access.ROLE_OPERATOR);
    catalog.get(id(ctx)).onFailure(ctx::fail).onSuccess(found -> {
      if (found.isEmpty() || (!operator && found.get().status() != Item.Status.READY)) {
        Errors.notFound(ctx, "no such item");
        return;
      }
      Item item = found.get();
      JsonObject out = priced(item);
      Optional<Tariff> tariff = price(item);
      if (tariff.isEmpty() || caller.kind() != Caller.Kind.MEMBER) {
        json(ctx, 200, out);
        return;
      }
      Tariff t = tariff.get();
      Future.fromCompletionStage(gateway.ledger().accountOf(caller.owner(), t.pointTypes().get(0)), ctx.vertx().getOrCreateContext())
          .onFailure(ctx::fail).onSuccess(account -> {
            long available = account.map(a -> a.available()).orElse(0L);
            long maxSeconds = t.maxSecondsFor(available);
            json(ctx, 200, out.put("pointsPerMinute", t.pointsPerMinute()).put("tariff", tariffJson(t))
                .put("balance", available).put("affordableSeconds", maxSeconds).put("affordableMinutes", maxSeconds / 60));
          });
    });
  }

  private void start(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    if (body == null || body.getNumber("itemId") == null) {
      Errors.badRequest(ctx, "itemId is required");
      return;
    }
    String owner = Caller.of(ctx).orElseThrow().owner();
    catalog.get(body.getLong("itemId")).compose(found -> {
      if (found.isEmpty() || found.get().status() != Item.Status.READY) return Future.succeededFuture(null);
      return streams.start(owner, found.get(), ctx.vertx().getOrCreateContext());
    }).onFailure(ctx::fail).onSuccess(started -> {
      if (started == null || started.result() == Streams.StartResult.NOT_PLAYABLE) {
        Errors.notFound(ctx, "no such item to play");
      } else if (started.result() == Streams.StartResult.TOO_MANY_STREAMS) {
        ctx.response().putHeader("Retry-After", "5");
        Errors.send(ctx, 503, "streams_busy", "too many streams in progress; try again shortly");
      } else if (!started.authorization().ok()) {
        refused(ctx, started.authorization());
      } else {
        StreamSession s = started.session();
        Authorization a = started.authorization();
        json(ctx, 201, sessionJson(s).put("tariff", tariffJson(a.tariff())).put("balanceBefore", a.balanceBefore())
            .put("maxSeconds", a.maxSeconds()).put("grantedSeconds", a.grantedSeconds()));
      }
    });
  }

  private static void refused(RoutingContext ctx, Authorization a) {
    switch (a.result()) {
      case INSUFFICIENT_BALANCE, NO_ACCOUNT -> Errors.send(ctx, 402, "insufficient_balance",
          "your balance does not pay for the first second of this stream");
      case TOO_MANY_SESSIONS -> Errors.send(ctx, 429, "too_many_sessions", "stop another stream or call first");
      case NO_TARIFF -> Errors.send(ctx, 409, "no_tariff", "this kind of content has no price yet");
      case METER_FULL -> {
        ctx.response().putHeader("Retry-After", "5");
        Errors.send(ctx, 503, "meter_full", "the meter is full; try again shortly");
      }
      default -> Errors.send(ctx, 409, "refused", "the stream was refused: " + a.result());
    }
  }

  private void show(RoutingContext ctx, StreamSession s) {
    json(ctx, 200, sessionJson(s));
  }

  private void play(RoutingContext ctx, StreamSession s) {
    answer(ctx, s, streams.play(s, ctx.vertx().getOrCreateContext()));
  }

  private void pause(RoutingContext ctx, StreamSession s) {
    JsonObject body = ctx.body().asJsonObject();
    boolean stalled = body != null && "STALLED".equals(body.getString("reason"));
    answer(ctx, s, streams.pause(s, stalled, ctx.vertx().getOrCreateContext()));
  }

  private void heartbeat(RoutingContext ctx, StreamSession s) {
    if (s.ended()) {
      Errors.send(ctx, 410, "stream_ended", "the stream has ended");
      return;
    }
    s.touch(streams.nowMs(), streams.options().linkIdle().toMillis());
    json(ctx, 200, sessionJson(s));
  }

  private void answer(RoutingContext ctx, StreamSession s, Future<CommandResult> command) {
    command.onFailure(ctx::fail).onSuccess(result -> {
      if (result == CommandResult.ALREADY_ENDED || s.ended()) Errors.send(ctx, 410, "stream_ended", "the stream has ended");
      else if (result != CommandResult.OK) Errors.send(ctx, 409, "wrong_state", "not possible now: " + result);
      else json(ctx, 200, sessionJson(s));
    });
  }

  private void stop(RoutingContext ctx, StreamSession s) {
    JsonObject body = ctx.body().asJsonObject();
    // the end of the content is the content's doing; a stop button is the member's
    EndReason reason = body != null && "END_OF_CONTENT".equals(body.getString("reason")) ? EndReason.CALLEE_HANGUP
        : EndReason.CALLER_HANGUP;
    streams.stop(s, reason, ctx.vertx().getOrCreateContext()).onFailure(ctx::fail).onSuccess(out -> {
      JsonObject j = sessionJson(s);
      if (out.record() != null) j.put("record", recordJson(out.record(), s.item.title()));
      json(ctx, 200, j);
    });
  }

  private void query(RoutingContext ctx, StreamSession s) {
    if (s.item.kind() != ContentKind.DATABASE) {
      Errors.send(ctx, 409, "not_a_database", "only database items are queried");
      return;
    }
    String q = ctx.request().getParam("q");
    if (q == null || q.isBlank() || q.length() > InfoService.QUERY_LENGTH_MAX) {
      Errors.badRequest(ctx, "q must be 1.." + InfoService.QUERY_LENGTH_MAX + " characters");
      return;
    }
    StreamSession.State state;
    synchronized (s) {
      state = s.state;
    }
    if (state == StreamSession.State.ENDED) {
      Errors.send(ctx, 410, "stream_ended", "the session has ended: open the database again to search");
      return;
    }
    if (state != StreamSession.State.PLAYING) {
      Errors.send(ctx, 409, "not_open", "open (or resume) the session to search: queries are metered while it runs");
      return;
    }
    s.touch(streams.nowMs(), streams.options().linkIdle().toMillis());
    ctx.vertx().executeBlocking(() -> info.search(streams.media().path(s.item.fileName()), q), false)
        .onFailure(ctx::fail).onSuccess(result -> json(ctx, 200, result.put("session", sessionJson(s))));
  }

  private void history(RoutingContext ctx) {
    String owner = Caller.of(ctx).orElseThrow().owner();
    String beforeText = ctx.request().getParam("before");
    String limitText = ctx.request().getParam("limit");
    UsageQuery query;
    try {
      query = new UsageQuery(owner, beforeText == null ? null : Instant.parse(beforeText),
          limitText == null ? HISTORY_LIMIT_DEFAULT : Integer.parseInt(limitText));
    } catch (DateTimeParseException | NumberFormatException e) {
      throw new IllegalArgumentException("before must be an ISO-8601 instant and limit 1.." + UsageQuery.LIMIT_MAX);
    }
    Future.fromCompletionStage(streams.meter().usage(query), ctx.vertx().getOrCreateContext()).compose(records -> {
      List<UsageRecord> mine = records.stream().filter(r -> r.contentKind() != null).toList();
      List<Future<Optional<Item>>> items = new ArrayList<>();
      for (UsageRecord r : mine) items.add(catalog.get(parseId(r.contentId())));
      return Future.all(items).map(all -> {
        JsonArray out = new JsonArray();
        for (int i = 0; i < mine.size(); i++) {
          Optional<Item> item = all.resultAt(i);
          out.add(recordJson(mine.get(i), item.map(Item::title).orElse("(removed item)")));
        }
        String next = records.size() == query.limit() ? records.get(records.size() - 1).endedAt().toString() : null;
        return new JsonObject().put("streams", out).put("next", next);
      });
    }).onFailure(ctx::fail).onSuccess(out -> json(ctx, 200, out));
  }

  /** The tariff a session of the item would start with now: its own price on its kind's rules, or its kind's. */
  private Optional<Tariff> price(Item item) {
    return streams.meterIfRunning().map(m -> item.rate(m.tariffs().current())).filter(Rating::rated).map(Rating::tariff);
  }

  /**
   * The item with the price it sells at now: {@code pointsPerMinute} (null when neither it nor its kind has a
   * price), {@code priceSource} ITEM or KIND, and {@code itemPointsPerMinute} (its own price, or null).
   */
  JsonObject priced(Item item) {
    return item.json().put("pointsPerMinute", price(item).map(Tariff::pointsPerMinute).orElse(null))
        .put("priceSource", item.pointsPerMinute() != null ? "ITEM" : "KIND");
  }

  JsonObject sessionJson(StreamSession s) {
    JsonObject j;
    synchronized (s) {
      j = new JsonObject().put("sessionId", s.id.toString()).put("itemId", s.item.id()).put("kind", s.item.kind().name())
          .put("title", s.item.title()).put("contentType", s.item.contentType()).put("state", s.state.name())
          .put("stalled", s.stalled).put("linkExpiresAt", Instant.ofEpochMilli(s.linkExpiresAtMs).toString())
          .put("endReason", s.endReason == null ? null : s.endReason.name());
      if (s.item.kind() != ContentKind.DATABASE) j.put("mediaUrl", "/api/v1/streams/media/" + s.token);
    }
    streams.live(s).ifPresent(l -> j.put("live", liveJson(l)));
    return j;
  }

  static JsonObject liveJson(LiveBalance l) {
    return new JsonObject().put("state", l.state().name()).put("usedSeconds", l.usedSeconds()).put("usedPoints", l.usedPoints())
        .put("remainingPoints", l.remainingPoints()).put("remainingSeconds", l.remainingSeconds())
        .put("finalUnit", l.finalUnit()).put("balanceBefore", l.balanceBefore());
  }

  static JsonObject recordJson(UsageRecord r, String title) {
    return new JsonObject().put("sessionId", r.sessionId().toString()).put("itemId", parseId(r.contentId())).put("title", title)
        .put("kind", r.contentKind().name()).put("startedAt", r.answeredAt() == null ? null : r.answeredAt().toString())
        .put("endedAt", r.endedAt().toString()).put("usedSeconds", r.usedSeconds()).put("billedSeconds", r.billedSeconds())
        .put("points", r.points()).put("pointsPerMinute", r.tariff().pointsPerMinute()).put("reason", r.reason().name());
  }

  static JsonObject tariffJson(Tariff t) {
    return new JsonObject().put("pointsPerMinute", t.pointsPerMinute()).put("initialIncrementSeconds", t.initialIncrementSeconds())
        .put("subsequentIncrementSeconds", t.subsequentIncrementSeconds()).put("minimumChargePoints", t.minimumChargePoints());
  }

  private static long parseId(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static long id(RoutingContext ctx) {
    try {
      long id = Long.parseLong(ctx.pathParam("id"));
      if (id < 1) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("id must be a positive integer");
    }
  }

  static ContentKind kind(String text) {
    try {
      return ContentKind.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("kind must be one of VIDEO, MUSIC, VOICE, SOFTWARE, DATABASE");
    }
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(body.encode());
  }
}
