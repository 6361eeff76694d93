package dev.mileage.gateway.trading;

import dev.mileage.gateway.http.ClientAddress;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.trading.OrderRequest;
import dev.mileage.points.trading.OrderView;
import dev.mileage.points.trading.Placement;
import dev.mileage.points.trading.TradeFill;
import dev.mileage.points.trading.TradingDesk;
import dev.mileage.points.trading.TradingOptions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static dev.mileage.gateway.trading.TradingFeature.member;
import static dev.mileage.gateway.trading.TradingFeature.owner;

/**
 * Members' limit orders on the books of {@link TradingDesk}, the books' depth and fills, and gifts of points
 * to another member by phone number. Every fill and gift of a partner shop's points is recorded for that shop.
 */
final class OrderRoutes {
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(OrderRoutes.class.getName());
  private final GatewayContext context;
  private final TradingDesk desk;
  private final GuessLimiter phoneMisses;
  private final GuessLimiter sourcePhoneMisses;
  private final Outbox outbox;

  OrderRoutes(GatewayContext context, TradingDesk desk, GuessLimiter phoneMisses, GuessLimiter sourcePhoneMisses, Outbox outbox) {
    this.context = context;
    this.desk = desk;
    this.phoneMisses = phoneMisses;
    this.sourcePhoneMisses = sourcePhoneMisses;
    this.outbox = outbox;
  }

  void mount(Router api) {
    api.post("/trading/orders").handler(Web.handle(this::place));
    api.get("/trading/orders").handler(Web.handle(this::myOrders));
    api.get("/trading/orders/:id").handler(Web.handle(this::myOrder));
    api.post("/trading/orders/:id/cancel").handler(Web.handle(this::cancel));
    api.get("/trading/book").handler(Web.handle(this::book));
    api.post("/trading/transfers").handler(Web.handle(this::transfer));
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
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
        b.getValue("lifetimeSeconds") == null ? TradingFeature.LIFETIME_SECONDS_DEFAULT
            : (int) Web.requireLong(b, "lifetimeSeconds", 1, TradingOptions.DEFAULTS.lifetimeSecondsMax()));
    TradingFeature.tradable(context, request.sellType(), request.buyType()).onSuccess(ok -> {
      if (!ok) {
        Web.error(ctx, 409, "not_tradable", TradingFeature.NOT_TRADABLE);
        return;
      }
      f(desk.place(request)).compose(p -> recordFills(p.fills()).map(p))
          .onSuccess(p -> placed(ctx, p)).onFailure(ctx::fail);
    }).onFailure(ctx::fail);
  }

  private Future<Void> recordFills(List<TradeFill> fills) {
    List<Future<Void>> all = new ArrayList<>();
    for (TradeFill fill : fills) {
      JsonObject data = fillJson(fill);
      all.add(outbox.recordFor(fill.makerSellType(), "fill:" + fill.id(), "trade.filled", data));
      all.add(outbox.recordFor(fill.takerSellType(), "fill:" + fill.id(), "trade.filled", data));
    }
    // the fills are settled in the ledger already: a failed event write must not turn the answer into an error
    return Future.all(all).<Void>mapEmpty().recover(e -> {
      LOG.warning("could not record trade events for partner shops: " + e.getMessage());
      return Future.succeededFuture();
    });
  }

  private static void placed(RoutingContext ctx, Placement p) {
    switch (p.result()) {
      case PLACED, FILLED -> Web.json(ctx, 201, new JsonObject().put("result", p.result().name())
          .put("order", orderJson(p.order())).put("fills", new JsonArray(p.fills().stream().map(OrderRoutes::fillJson).toList())));
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
    Web.json(ctx, 200, new JsonArray(desk.ordersOf(owner(id)).stream().map(OrderRoutes::orderJson).toList()));
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
    JsonArray sellBase = new JsonArray(desk.depth(base, quote, TradingFeature.DEPTH_MAX).stream().map(OrderRoutes::depthJson).toList());
    JsonArray sellQuote = new JsonArray(desk.depth(quote, base, TradingFeature.DEPTH_MAX).stream().map(OrderRoutes::depthJson).toList());
    JsonArray fills = new JsonArray(desk.recentFills(base, quote).stream().map(OrderRoutes::fillJson).toList());
    Web.json(ctx, 200, new JsonObject().put("base", base).put("quote", quote).put("sellingBase", sellBase)
        .put("sellingQuote", sellQuote).put("recentFills", fills));
  }

  /** A gift to the verified member with that phone number; idempotent by {@code transferKey}. */
  private void transfer(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    JsonObject b = Web.body(ctx);
    String phone = PartnerRoutes.requirePhone(b, "phone");
    int type = (int) Web.requireLong(b, "pointType", 1, Integer.MAX_VALUE);
    long amount = Web.requireLong(b, "amount", 1, OrderRequest.AMOUNT_MAX);
    String key = Web.requireText(b, "transferKey", 64);
    String source = ClientAddress.of(ctx);
    long wait = Math.max(phoneMisses.retryAfterSeconds(owner(id)), sourcePhoneMisses.retryAfterSeconds(source));
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      Web.error(ctx, 429, "too_many_attempts", "too many unknown phone numbers: try again later");
      return;
    }
    UUID transferId = Transfer.idOf("trading:gift:" + id + ":" + key);
    TradingFeature.tradable(context, type).compose(ok -> !ok ? Future.succeededFuture(new JsonObject().put("status", 422))
        : PartnerRoutes.memberByPhone(context.pool(), phone).compose(to -> {
      if (to == null) {
        phoneMisses.recordFailure(owner(id));
        sourcePhoneMisses.recordFailure(source);
        return Future.succeededFuture(new JsonObject().put("status", 404));
      }
      if (to.longValue() == id) return Future.succeededFuture(new JsonObject().put("status", 400));
      int flags = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;
      return f(context.ledger().openAccount(owner(id), type, flags)).compose(from ->
          f(context.ledger().openAccount(owner(to), type, flags)).compose(dest ->
              f(context.ledger().submit(Transfer.single(transferId, from.id(), dest.id(), amount,
                  TransferCodes.MEMBER_TRANSFER, "gift to a member")))))
          .compose(r -> !r.applied() ? Future.succeededFuture(r) : outbox.recordFor(type, "gift:" + transferId,
              "points.transferred", new JsonObject().put("transferId", transferId.toString()).put("fromMemberId", id)
                  .put("toMemberId", to).put("pointType", type).put("amount", amount)).map(r))
          .map(r -> new JsonObject().put("status", r.applied() ? 200 : 409).put("result", r.name()));
    })).onSuccess(o -> {
      int status = o.getInteger("status");
      String result = o.getString("result");
      if (status == 200) Web.json(ctx, 200, new JsonObject().put("result", result));
      else if (status == 422) Web.error(ctx, 409, "not_tradable", TradingFeature.NOT_TRADABLE);
      else if (status == 404) Web.error(ctx, 404, "not_found", "no verified member has that phone number");
      else if (status == 400) Web.error(ctx, 400, "invalid_request", "cannot give points to yourself");
      else if ("EXCEEDS_CREDITS".equals(result)) Web.error(ctx, 409, "insufficient_points", "not enough points");
      else Web.error(ctx, 409, "conflict", "transferKey already used for a different transfer (" + result + ")");
    }).onFailure(ctx::fail);
  }

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
