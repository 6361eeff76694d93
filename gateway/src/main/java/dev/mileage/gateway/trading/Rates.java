package dev.mileage.gateway.trading;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Exchange rates: a cash value per point type (the ledger holds the current one) and absolute rates between
 * two types, set by operators or pulled from a {@link RateFeed}. Every change is appended to a history with
 * who set it. A feed's quote that moves a rate by more than {@link #CHANGE_FACTOR_MAX} times at once is
 * refused (a broken feed must not wipe out members' holdings), as are quotes for unknown types.
 */
final class Rates {
  static final long CASH_MICROS_MAX = 1_000_000_000_000L;
  static final int HISTORY_MAX = 100;
  static final long CHANGE_FACTOR_MAX = 10;

  /** What a pull did: how many rates changed and why the others were refused. */
  record PullReport(int applied, List<String> refused) {
    JsonObject json() {
      return new JsonObject().put("applied", applied).put("refused", new JsonArray(refused));
    }
  }

  private final GatewayContext context;
  private final RateFeed feed;

  Rates(GatewayContext context, RateFeed feed) {
    this.context = context;
    this.feed = feed;
  }

  void mount(Router api) {
    api.get("/trading/rates").handler(Web.handle(this::current));
    api.get("/trading/rates/:pointType").handler(Web.handle(this::history));
    api.get("/trading/pair-rates").handler(Web.handle(this::pairHistory));
    api.put("/trading/admin/rates/:pointType").handler(Web.handle(this::setCash));
    api.put("/trading/admin/pair-rates").handler(Web.handle(this::setPair));
    api.post("/trading/admin/rate-feed/pull").handler(Web.handle(this::pullNow));
  }

  Optional<RateFeed> feed() {
    return Optional.ofNullable(feed);
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
  }

  Future<Map<Integer, PointType>> types() {
    return f(context.ledger().pointTypes()).map(l -> l.stream().collect(Collectors.toMap(PointType::id, Function.identity())));
  }

  private Future<Map<String, PointType>> typesByCode() {
    return f(context.ledger().pointTypes()).map(l -> l.stream().collect(Collectors.toMap(PointType::code, Function.identity())));
  }

  Future<PointType> setCashValue(int type, long micros, String setBy) {
    return f(context.ledger().setCashValue(type, micros)).compose(t -> context.pool()
        .preparedQuery("INSERT INTO trading.rate_history (point_type, cash_micros_per_unit, set_by, set_at) VALUES ($1, $2, $3, $4)")
        .execute(Tuple.of(type, micros, setBy, context.clock().instant().atOffset(ZoneOffset.UTC))).map(r -> t));
  }

  Future<Void> setPairRate(int from, int to, long micros, String setBy) {
    return context.pool().preparedQuery("INSERT INTO trading.pair_rate_history (from_type, to_type, micros_per_unit, set_by, set_at)"
            + " VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(from, to, micros, setBy, context.clock().instant().atOffset(ZoneOffset.UTC))).mapEmpty();
  }

  private Future<Long> currentPair(int from, int to) {
    return context.pool().preparedQuery("SELECT micros_per_unit FROM trading.pair_rate_history WHERE from_type = $1 AND to_type = $2"
            + " ORDER BY id DESC LIMIT 1").execute(Tuple.of(from, to))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong(0));
  }

  private static boolean jump(Long before, long after) {
    return before != null && before > 0
        && (after > before * CHANGE_FACTOR_MAX || after * CHANGE_FACTOR_MAX < before);
  }

  /** Pulls the feed once and applies its quotes one by one (each is independent). */
  Future<PullReport> pull() {
    if (feed == null) return Future.failedFuture(new IllegalStateException("no rate feed configured"));
    String setBy = "feed:" + feed.name();
    return feed.fetch().compose(quotes -> typesByCode().compose(types -> {
      List<String> refused = new ArrayList<>();
      Future<Integer> chain = Future.succeededFuture(0);
      for (RateFeed.Quote q : quotes) {
        chain = chain.compose(n -> {
          PointType from = types.get(q.fromCode());
          PointType to = q.toCode() == null ? null : types.get(q.toCode());
          if (from == null || (q.toCode() != null && to == null)) {
            refused.add(q.fromCode() + (q.toCode() == null ? "" : "/" + q.toCode()) + ": unknown point type");
            return Future.succeededFuture(n);
          }
          if (to == null) {
            if (jump(from.cashMicrosPerUnit(), q.microsPerUnit())) {
              refused.add(q.fromCode() + ": changes more than " + CHANGE_FACTOR_MAX + "x at once");
              return Future.succeededFuture(n);
            }
            if (from.cashMicrosPerUnit() == q.microsPerUnit()) return Future.succeededFuture(n);
            return setCashValue(from.id(), q.microsPerUnit(), setBy).map(t -> n + 1);
          }
          return currentPair(from.id(), to.id()).compose(before -> {
            if (jump(before, q.microsPerUnit())) {
              refused.add(q.fromCode() + "/" + q.toCode() + ": changes more than " + CHANGE_FACTOR_MAX + "x at once");
              return Future.succeededFuture(n);
            }
            if (before != null && before == q.microsPerUnit()) return Future.succeededFuture(n);
            return setPairRate(from.id(), to.id(), q.microsPerUnit(), setBy).map(v -> n + 1);
          });
        });
      }
      return chain.map(n -> new PullReport(n, refused));
    }));
  }

  // ---- routes ---------------------------------------------------------------------------------------

  static int typePath(RoutingContext ctx) {
    try {
      int t = Integer.parseInt(ctx.pathParam("pointType"));
      if (t <= 0) throw new NumberFormatException();
      return t;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("pointType must be a point type id");
    }
  }

  private static boolean signedIn(RoutingContext ctx) {
    if (Caller.of(ctx).isPresent()) return true;
    Web.error(ctx, 401, "unauthorized", "credentials required");
    return false;
  }

  /** Every type's cash value and the newest absolute rate of every pair that has one. */
  private void current(RoutingContext ctx) {
    if (!signedIn(ctx)) return;
    types().compose(types -> context.pool().query("SELECT DISTINCT ON (from_type, to_type) from_type, to_type, micros_per_unit,"
        + " set_by, set_at FROM trading.pair_rate_history ORDER BY from_type, to_type, id DESC").execute().map(rows -> {
          JsonArray cash = new JsonArray();
          types.values().stream().sorted(java.util.Comparator.comparingInt(PointType::id)).forEach(t -> cash.add(new JsonObject()
              .put("pointType", t.id()).put("code", t.code()).put("cashMicrosPerUnit", t.cashMicrosPerUnit())));
          JsonArray pairs = new JsonArray();
          for (Row r : rows) pairs.add(pairJson(r));
          return new JsonObject().put("cash", cash).put("pairs", pairs);
        })).onSuccess(o -> Web.json(ctx, 200, o)).onFailure(ctx::fail);
  }

  private static JsonObject pairJson(Row r) {
    return new JsonObject().put("fromType", r.getInteger("from_type")).put("toType", r.getInteger("to_type"))
        .put("microsPerUnit", r.getLong("micros_per_unit")).put("source", source(r.getString("set_by")))
        .put("at", r.getOffsetDateTime("set_at").toInstant().toString());
  }

  /** Operators' names stay private: members see whether a rate came from an operator or a feed. */
  private static String source(String setBy) {
    return setBy.startsWith("feed:") ? setBy : "operator";
  }

  private void setCash(RoutingContext ctx) {
    Optional<Caller> operator = Access.requireRole(ctx, Access.ROLE_OPERATOR);
    if (operator.isEmpty()) return;
    int type = typePath(ctx);
    long micros = Web.requireLong(Web.body(ctx), "cashMicrosPerUnit", 1, CASH_MICROS_MAX);
    types().compose(types -> !types.containsKey(type) ? Future.succeededFuture((PointType) null)
            : setCashValue(type, micros, operator.get().owner()))
        .onSuccess(t -> {
          if (t == null) Web.error(ctx, 404, "not_found", "no such point type");
          else Web.json(ctx, 200, new JsonObject().put("pointType", t.id()).put("code", t.code())
              .put("cashMicrosPerUnit", t.cashMicrosPerUnit()));
        }).onFailure(ctx::fail);
  }

  private void setPair(RoutingContext ctx) {
    Optional<Caller> operator = Access.requireRole(ctx, Access.ROLE_OPERATOR);
    if (operator.isEmpty()) return;
    JsonObject b = Web.body(ctx);
    int from = (int) Web.requireLong(b, "fromType", 1, Integer.MAX_VALUE);
    int to = (int) Web.requireLong(b, "toType", 1, Integer.MAX_VALUE);
    long micros = Web.requireLong(b, "microsPerUnit", 1, CASH_MICROS_MAX);
    if (from == to) throw new IllegalArgumentException("fromType and toType must differ");
    types().compose(types -> !types.containsKey(from) || !types.containsKey(to) ? Future.succeededFuture(false)
            : setPairRate(from, to, micros, operator.get().owner()).map(true))
        .onSuccess(ok -> {
          if (!ok) Web.error(ctx, 404, "not_found", "no such point type");
          else Web.json(ctx, 200, new JsonObject().put("fromType", from).put("toType", to).put("microsPerUnit", micros));
        }).onFailure(ctx::fail);
  }

  private void pullNow(RoutingContext ctx) {
    if (Access.requireRole(ctx, Access.ROLE_OPERATOR).isEmpty()) return;
    if (feed == null) {
      Web.error(ctx, 409, "no_feed", "no rate feed is configured (MILEAGE_RATE_FEED)");
      return;
    }
    pull().onSuccess(r -> Web.json(ctx, 200, r.json()))
        .onFailure(e -> Web.error(ctx, 502, "feed_failed", "the rate feed failed: " + e.getMessage()));
  }

  private void history(RoutingContext ctx) {
    if (!signedIn(ctx)) return;
    int type = typePath(ctx);
    context.pool().preparedQuery("SELECT cash_micros_per_unit, set_by, set_at FROM trading.rate_history"
            + " WHERE point_type = $1 ORDER BY id DESC LIMIT " + HISTORY_MAX)
        .execute(Tuple.of(type)).onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("cashMicrosPerUnit", r.getLong("cash_micros_per_unit"))
                .put("source", source(r.getString("set_by"))).put("at", r.getOffsetDateTime("set_at").toInstant().toString()));
          }
          Web.json(ctx, 200, new JsonObject().put("pointType", type).put("history", out));
        }).onFailure(ctx::fail);
  }

  private void pairHistory(RoutingContext ctx) {
    if (!signedIn(ctx)) return;
    int from = (int) PartnerRoutes.longParam(ctx, "from", 0);
    int to = (int) PartnerRoutes.longParam(ctx, "to", 0);
    if (from <= 0 || to <= 0) throw new IllegalArgumentException("from and to must be point type ids");
    context.pool().preparedQuery("SELECT from_type, to_type, micros_per_unit, set_by, set_at FROM trading.pair_rate_history"
            + " WHERE from_type = $1 AND to_type = $2 ORDER BY id DESC LIMIT " + HISTORY_MAX)
        .execute(Tuple.of(from, to)).onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) out.add(pairJson(r));
          Web.json(ctx, 200, new JsonObject().put("fromType", from).put("toType", to).put("history", out));
        }).onFailure(ctx::fail);
  }
}
