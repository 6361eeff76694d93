package dev.mileage.gateway.trading;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.trading.OrderRequest;
import dev.mileage.points.trading.OrderView;
import dev.mileage.points.trading.Placement;
import dev.mileage.points.trading.TradeFill;
import dev.mileage.points.trading.TradingDesk;
import dev.mileage.points.trading.TradingOptions;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Trading for members: the portfolio at current cash values, limit orders on the books of
 * {@link TradingDesk}, the books' depth and fills, and gifts of points to another member by phone number.
 * Operators set a point type's cash value; every change is kept in {@code trading.rate_history}.
 * A member only ever reaches {@code member:<own id>} accounts: the owner comes from the session, never
 * from the request.
 */
public final class TradingFeature implements Feature {
  public static final long EXPIRY_INTERVAL_MS = 1_000;
  public static final int DEPTH_MAX = 50;
  public static final int LIFETIME_SECONDS_DEFAULT = 24 * 3600;
  public static final int RATE_HISTORY_MAX = 100;
  /** Gifts to unknown phone numbers a member may try per window: nobody maps members' numbers by guessing. */
  public static final int PHONE_MISSES_MAX = 5;
  public static final java.time.Duration PHONE_MISS_WINDOW = java.time.Duration.ofMinutes(15);
  public static final int PHONE_MISS_KEYS_MAX = 100_000;

  private GatewayContext context;
  private TradingDesk desk;
  private dev.mileage.gateway.members.GuessLimiter phoneMisses;

  @Override
  public String name() {
    return "trading";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  synchronized void init(GatewayContext ctx) {
    if (context != null) return;
    context = ctx;
    desk = new TradingDesk(ctx.ledger(), ctx.clock(), TradingOptions.DEFAULTS);
    phoneMisses = new dev.mileage.gateway.members.GuessLimiter(PHONE_MISSES_MAX, PHONE_MISS_WINDOW, PHONE_MISS_KEYS_MAX,
        ctx.clock());
  }

  public TradingDesk desk() {
    return desk;
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    init(ctx);
    api.get("/trading/point-types").handler(Web.handle(this::pointTypes));
    api.get("/trading/portfolio").handler(Web.handle(this::portfolio));
    api.post("/trading/orders").handler(Web.handle(this::place));
    api.get("/trading/orders").handler(Web.handle(this::myOrders));
    api.get("/trading/orders/:id").handler(Web.handle(this::myOrder));
    api.post("/trading/orders/:id/cancel").handler(Web.handle(this::cancel));
    api.get("/trading/book").handler(Web.handle(this::book));
    api.post("/trading/transfers").handler(Web.handle(this::transfer));
    api.get("/trading/rates/:pointType").handler(Web.handle(this::rateHistory));
    api.put("/trading/admin/rates/:pointType").handler(Web.handle(this::setRate));
  }

  @Override
  public List<Deployable> verticles(GatewayContext ctx) {
    init(ctx);
    return List.of(new VerticleBase() {
      @Override
      public Future<?> start() {
        vertx.setPeriodic(EXPIRY_INTERVAL_MS, t -> desk.expireDue());
        return Future.succeededFuture();
      }
    });
  }

  // ---- member routes --------------------------------------------------------------------------------

  private static Long member(RoutingContext ctx) {
    Optional<Caller> c = Caller.of(ctx);
    if (c.isEmpty() || c.get().kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, 403, "forbidden", "members only: sign in as a member");
      return null;
    }
    return Long.parseLong(c.get().owner().substring("member:".length()));
  }

  private static String owner(long memberId) {
    return "member:" + memberId;
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
  }

  private Future<Map<Integer, PointType>> types() {
    return f(context.ledger().pointTypes()).map(l -> l.stream().collect(Collectors.toMap(PointType::id, Function.identity())));
  }

  /** The tradable point types with their current cash values, for members choosing a pair. */
  private void pointTypes(RoutingContext ctx) {
    if (member(ctx) == null) return;
    f(context.ledger().pointTypes()).onSuccess(types -> Web.json(ctx, 200, new JsonArray(types.stream()
        .map(t -> new JsonObject().put("id", t.id()).put("code", t.code()).put("cashMicrosPerUnit", t.cashMicrosPerUnit()))
        .toList()))).onFailure(ctx::fail);
  }

  private void portfolio(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    types().compose(types -> f(context.ledger().accountsOf(owner(id))).map(accounts -> {
      JsonArray holdings = new JsonArray();
      long totalMicros = 0;
      for (Account a : accounts) {
        PointType t = types.get(a.pointType());
        long cash = t == null ? 0 : Math.multiplyExact(a.posted(), t.cashMicrosPerUnit());
        totalMicros = Math.addExact(totalMicros, cash);
        holdings.add(new JsonObject().put("pointType", a.pointType()).put("code", t == null ? "?" : t.code())
            .put("balance", a.posted()).put("available", a.available()).put("heldForOrders", a.debitsPending())
            .put("cashMicrosPerUnit", t == null ? 0 : t.cashMicrosPerUnit()).put("cashValueMicros", cash));
      }
      return new JsonObject().put("holdings", holdings).put("totalCashValueMicros", totalMicros);
    })).onSuccess(p -> Web.json(ctx, 200, p)).onFailure(ctx::fail);
  }

  private void place(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    OrderRequest request = new OrderRequest(owner(id),
        (int) Web.requireLong(b, "sellType", 1, Integer.MAX_VALUE),
        Web.requireLong(b, "sellAmount", 1, OrderRequest.AMOUNT_MAX),
        (int) Web.requireLong(b, "buyType", 1, Integer.MAX_VALUE),
        Web.requireLong(b, "buyAmount", 1, OrderRequest.AMOUNT_MAX),
        b.getValue("lifetimeSeconds") == null ? LIFETIME_SECONDS_DEFAULT
            : (int) Web.requireLong(b, "lifetimeSeconds", 1, TradingOptions.DEFAULTS.lifetimeSecondsMax()));
    f(desk.place(request)).onSuccess(p -> placed(ctx, p)).onFailure(ctx::fail);
  }

  private static void placed(RoutingContext ctx, Placement p) {
    switch (p.result()) {
      case PLACED, FILLED -> Web.json(ctx, 201, new JsonObject().put("result", p.result().name())
          .put("order", orderJson(p.order())).put("fills", new JsonArray(p.fills().stream().map(TradingFeature::fillJson).toList())));
      case SAME_POINT_TYPE -> Web.error(ctx, 400, "invalid_request", "sellType and buyType must differ");
      case LIFETIME_TOO_LONG -> Web.error(ctx, 400, "invalid_request", "lifetimeSeconds is too long");
      case UNKNOWN_POINT_TYPE -> Web.error(ctx, 400, "invalid_request", "no such point type");
      case TOO_MANY_ORDERS -> Web.error(ctx, 409, "too_many_orders", "too many open orders: cancel some first");
      case BOOK_FULL -> Web.error(ctx, 409, "book_full", "this side of the book is full");
      case INSUFFICIENT_POINTS -> Web.error(ctx, 409, "insufficient_points", "not enough points available to offer");
      case BUSY -> {
        ctx.response().putHeader("Retry-After", "1");
        Web.error(ctx, 503, "busy", "the trading desk is busy: retry");
      }
    }
  }

  private void myOrders(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    Web.json(ctx, 200, new JsonArray(desk.ordersOf(owner(id)).stream().map(TradingFeature::orderJson).toList()));
  }

  private static UUID orderId(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("id must be an order id");
    }
  }

  /** Another member's order answers exactly like a missing one. */
  private void myOrder(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    desk.order(owner(id), orderId(ctx)).ifPresentOrElse(o -> Web.json(ctx, 200, orderJson(o)),
        () -> Web.error(ctx, 404, "not_found", "no such order"));
  }

  private void cancel(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    UUID order = orderId(ctx);
    f(desk.cancel(owner(id), order)).onSuccess(r -> {
      switch (r) {
        case CANCELLED -> Web.json(ctx, 200, new JsonObject().put("result", r.name()));
        case NOT_FOUND -> Web.error(ctx, 404, "not_found", "no such order");
        case ALREADY_CLOSED -> Web.error(ctx, 409, "already_closed", "the order is already filled, cancelled or expired");
        case BUSY -> Web.error(ctx, 503, "busy", "the trading desk is busy: retry");
      }
    }).onFailure(ctx::fail);
  }

  private static int typeParam(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    try {
      int t = Integer.parseInt(v == null ? "" : v);
      if (t <= 0) throw new NumberFormatException();
      return t;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a point type id");
    }
  }

  /** Both sides of the book of a pair, best first, without owners; and its recent fills. */
  private void book(RoutingContext ctx) {
    if (member(ctx) == null) return;
    int base = typeParam(ctx, "base");
    int quote = typeParam(ctx, "quote");
    if (base == quote) throw new IllegalArgumentException("base and quote must differ");
    JsonArray sellBase = new JsonArray(desk.depth(base, quote, DEPTH_MAX).stream().map(TradingFeature::depthJson).toList());
    JsonArray sellQuote = new JsonArray(desk.depth(quote, base, DEPTH_MAX).stream().map(TradingFeature::depthJson).toList());
    JsonArray fills = new JsonArray(desk.recentFills(base, quote).stream().map(TradingFeature::fillJson).toList());
    Web.json(ctx, 200, new JsonObject().put("base", base).put("quote", quote).put("sellingBase", sellBase)
        .put("sellingQuote", sellQuote).put("recentFills", fills));
  }

  // ---- gifts ----------------------------------------------------------------------------------------

  /** A gift of points to the verified member with that phone number; idempotent by {@code transferKey}. */
  private void transfer(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    String phone = Web.requireText(b, "phone", 16);
    if (!phone.matches("\\+[1-9][0-9]{6,14}")) throw new IllegalArgumentException("phone must be E.164, e.g. +821012345678");
    int type = (int) Web.requireLong(b, "pointType", 1, Integer.MAX_VALUE);
    long amount = Web.requireLong(b, "amount", 1, OrderRequest.AMOUNT_MAX);
    String key = Web.requireText(b, "transferKey", 64);
    long wait = phoneMisses.retryAfterSeconds(owner(id));
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      Web.error(ctx, 429, "too_many_attempts", "too many unknown phone numbers: try again later");
      return;
    }
    context.pool().preparedQuery("SELECT id FROM members.member WHERE phone = $1 AND phone_verified_at IS NOT NULL")
        .execute(Tuple.of(phone)).compose(rows -> {
          if (rows.size() == 0) {
            phoneMisses.recordFailure(owner(id));
            return Future.succeededFuture(new JsonObject().put("status", 404));
          }
          long to = rows.iterator().next().getLong("id");
          if (to == id) return Future.succeededFuture(new JsonObject().put("status", 400));
          int flags = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;
          return f(context.ledger().openAccount(owner(id), type, flags)).compose(from ->
              f(context.ledger().openAccount(owner(to), type, flags)).compose(dest ->
                  f(context.ledger().submit(Transfer.single(Transfer.idOf("trading:gift:" + id + ":" + key), from.id(),
                      dest.id(), amount, TransferCodes.MEMBER_TRANSFER, "gift to a member")))))
              .map(r -> new JsonObject().put("status", r.applied() ? 200 : 409).put("result", r.name()));
        }).onSuccess(o -> {
          int status = o.getInteger("status");
          String result = o.getString("result");
          if (status == 200) Web.json(ctx, 200, new JsonObject().put("result", result));
          else if (status == 404) Web.error(ctx, 404, "not_found", "no verified member has that phone number");
          else if (status == 400) Web.error(ctx, 400, "invalid_request", "cannot give points to yourself");
          else if ("EXCEEDS_CREDITS".equals(result)) Web.error(ctx, 409, "insufficient_points", "not enough points");
          else Web.error(ctx, 409, "conflict", "transferKey already used for a different transfer (" + result + ")");
        }).onFailure(ctx::fail);
  }

  // ---- rates ----------------------------------------------------------------------------------------

  private static int typePath(RoutingContext ctx) {
    try {
      int t = Integer.parseInt(ctx.pathParam("pointType"));
      if (t <= 0) throw new NumberFormatException();
      return t;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("pointType must be a point type id");
    }
  }

  private void setRate(RoutingContext ctx) {
    Optional<Caller> operator = Access.requireRole(ctx, Access.ROLE_OPERATOR);
    if (operator.isEmpty()) return;
    int type = typePath(ctx);
    long micros = Web.requireLong(Web.body(ctx), "cashMicrosPerUnit", 1, 1_000_000_000_000L);
    types().compose(types -> {
      if (!types.containsKey(type)) return Future.succeededFuture((PointType) null);
      return f(context.ledger().setCashValue(type, micros)).compose(t -> context.pool()
          .preparedQuery("INSERT INTO trading.rate_history (point_type, cash_micros_per_unit, set_by, set_at) VALUES ($1, $2, $3, $4)")
          .execute(Tuple.of(type, micros, operator.get().owner(), context.clock().instant().atOffset(ZoneOffset.UTC)))
          .map(r -> t));
    }).onSuccess(t -> {
      if (t == null) Web.error(ctx, 404, "not_found", "no such point type");
      else Web.json(ctx, 200, new JsonObject().put("pointType", t.id()).put("code", t.code())
          .put("cashMicrosPerUnit", t.cashMicrosPerUnit()));
    }).onFailure(ctx::fail);
  }

  private void rateHistory(RoutingContext ctx) {
    if (Caller.of(ctx).isEmpty()) {
      Web.error(ctx, 401, "unauthorized", "credentials required");
      return;
    }
    int type = typePath(ctx);
    context.pool().preparedQuery("SELECT cash_micros_per_unit, set_by, set_at FROM trading.rate_history"
            + " WHERE point_type = $1 ORDER BY id DESC LIMIT " + RATE_HISTORY_MAX)
        .execute(Tuple.of(type)).onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("cashMicrosPerUnit", r.getLong("cash_micros_per_unit"))
                .put("at", r.getOffsetDateTime("set_at").toInstant().toString()));
          }
          Web.json(ctx, 200, new JsonObject().put("pointType", type).put("history", out));
        }).onFailure(ctx::fail);
  }

  // ---- JSON -----------------------------------------------------------------------------------------

  static JsonObject orderJson(OrderView o) {
    return new JsonObject().put("id", o.id().toString()).put("sellType", o.sellType()).put("sellAmount", o.sellAmount())
        .put("buyType", o.buyType()).put("buyAmount", o.buyAmount()).put("remaining", o.remaining())
        .put("received", o.received()).put("status", o.status().name()).put("placedAt", o.placedAt().toString())
        .put("expiresAt", o.expiresAt().toString());
  }

  static JsonObject depthJson(OrderView o) {
    return new JsonObject().put("sellType", o.sellType()).put("sellAmount", o.sellAmount()).put("buyType", o.buyType())
        .put("buyAmount", o.buyAmount()).put("remaining", o.remaining()).put("placedAt", o.placedAt().toString());
  }

  static JsonObject fillJson(TradeFill f) {
    return new JsonObject().put("id", f.id().toString()).put("makerSellType", f.makerSellType())
        .put("makerGives", f.makerGives()).put("takerSellType", f.takerSellType()).put("takerGives", f.takerGives())
        .put("at", f.at().toString());
  }
}
