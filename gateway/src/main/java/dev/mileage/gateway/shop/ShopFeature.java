package dev.mileage.gateway.shop;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The shop: the catalog (public browsing at {@code /catalog}), checkout, orders, refunds and the wallet
 * for members, catalog and order management for operators, shop managers and cashiers.
 */
public final class ShopFeature implements Feature {
  private static final Set<String> CATALOG_ROLES = Set.of(Access.ROLE_OPERATOR, Access.ROLE_SHOP_MANAGER);
  private static final Set<String> ORDER_ROLES = Set.of(Access.ROLE_OPERATOR, Access.ROLE_SHOP_MANAGER, Access.ROLE_CASHIER);
  public static final int PRODUCT_BODY_BYTES_MAX = 96 * 1024;
  public static final long RECOVERY_INTERVAL_MS = 60_000;

  private final PaymentProvider payments;
  private Catalog catalog;
  private OrderService orders;
  private Refunds refunds;
  private Wallet wallet;

  public ShopFeature() {
    this(new SandboxPaymentProvider());
  }

  public ShopFeature(PaymentProvider payments) {
    this.payments = payments;
  }

  @Override
  public String name() {
    return "shop";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void start(GatewayContext ctx) {
    LedgerAccess accounts = new LedgerAccess(ctx.ledger(), ctx.vertx());
    Points points = new Points(accounts);
    catalog = new Catalog(ctx.pool(), ctx.clock());
    orders = new OrderService(ctx.pool(), ctx.clock(), accounts, payments, points);
    refunds = new Refunds(ctx.pool(), ctx.clock(), accounts, payments, orders, points);
    wallet = new Wallet(accounts, points);
  }

  public OrderService orders() {
    return orders;
  }

  public Catalog catalog() {
    return catalog;
  }

  @Override
  public void mountRoot(Router root, GatewayContext ctx) {
    root.get("/catalog/kinds").handler(Web.handle(c -> catalog.kinds()
        .onSuccess(k -> Web.json(c, 200, new JsonArray(k))).onFailure(c::fail)));
    root.get("/catalog/products").handler(Web.handle(this::browse));
    root.get("/catalog/products/:id").handler(Web.handle(this::product));
    root.get("/catalog/products/:id/image.svg").handler(Web.handle(this::image));
    root.get("/catalog/accepted-points").handler(Web.handle(c -> Web.json(c, 200,
        new JsonArray(OrderService.ACCEPTED_POINT_TYPES.stream().sorted().toList()))));
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    api.post("/shop/orders").handler(Web.handle(this::checkout));
    api.get("/shop/orders").handler(Web.handle(this::myOrders));
    api.get("/shop/orders/:id").handler(Web.handle(this::myOrder));
    api.post("/shop/orders/:id/refund").handler(Web.handle(this::myRefund));
    api.get("/shop/wallet").handler(Web.handle(this::wallet));
    api.get("/shop/balances").handler(Web.handle(this::balances));
    api.get("/shop/admin/products").handler(Web.handle(this::allProducts));
    api.post("/shop/admin/products").handler(Web.handle(this::createProduct));
    api.put("/shop/admin/products/:id").handler(Web.handle(this::updateProduct));
    api.get("/shop/admin/orders").handler(Web.handle(this::allOrders));
    api.post("/shop/admin/orders/:id/refund").handler(Web.handle(this::staffRefund));
  }

  @Override
  public List<Deployable> verticles(GatewayContext ctx) {
    Deployable recovery = new io.vertx.core.VerticleBase() {
      @Override
      public Future<?> start() {
        vertx.setPeriodic(0, RECOVERY_INTERVAL_MS, t -> orders.recoverStale().onFailure(e ->
            java.util.logging.Logger.getLogger(ShopFeature.class.getName()).warning("order recovery failed: " + e)));
        return Future.succeededFuture();
      }
    };
    return ctx.config().demo() ? List.of(recovery, new DemoData.Seeder(ctx, catalog)) : List.of(recovery);
  }

  private void browse(RoutingContext ctx) {
    String kind = ctx.queryParams().get("kind");
    String q = ctx.queryParams().get("q");
    if (q != null && q.length() > 100) throw new IllegalArgumentException("search text too long");
    catalog.browse(kind == null || kind.isBlank() ? null : kind, q)
        .onSuccess(list -> Web.json(ctx, 200, new JsonArray(list.stream().map(Product::toJson).toList())))
        .onFailure(ctx::fail);
  }

  private static long pathId(RoutingContext ctx) {
    try {
      long id = Long.parseLong(ctx.pathParam("id"));
      if (id <= 0) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("id must be a positive number");
    }
  }

  private void product(RoutingContext ctx) {
    catalog.get(pathId(ctx)).onSuccess(p -> {
      if (p.isEmpty() || !p.get().active()) Web.error(ctx, 404, "not_found", "no such product");
      else Web.json(ctx, 200, p.get().toJson());
    }).onFailure(ctx::fail);
  }

  private void image(RoutingContext ctx) {
    catalog.image(pathId(ctx)).onSuccess(svg -> {
      if (svg.isEmpty()) {
        Web.error(ctx, 404, "not_found", "no image");
        return;
      }
      // an operator's SVG must never run script, even opened on its own
      ctx.response().putHeader("Content-Type", "image/svg+xml")
          .putHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
          .putHeader("Cache-Control", "public, max-age=300").end(svg.get());
    }).onFailure(ctx::fail);
  }

  private static Long member(RoutingContext ctx) {
    Optional<Caller> c = Caller.of(ctx);
    if (c.isEmpty() || c.get().kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, 403, "forbidden", "members only: sign in as a member");
      return null;
    }
    return Long.parseLong(c.get().id());
  }

  private static boolean staff(RoutingContext ctx, Set<String> roles) {
    Optional<Caller> c = Caller.of(ctx);
    if (c.isPresent() && c.get().kind() == Caller.Kind.OPERATOR && c.get().roles().stream().anyMatch(roles::contains)) return true;
    Web.error(ctx, 403, "forbidden", "this needs one of the roles " + roles);
    return false;
  }

  private void checkout(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    JsonObject b = Web.body(ctx);
    JsonArray items = b.getJsonArray("items");
    if (items == null) throw new IllegalArgumentException("items are required");
    if (items.size() > OrderService.LINES_MAX) throw new IllegalArgumentException("at most " + OrderService.LINES_MAX + " lines");
    List<OrderService.Line> lines = new ArrayList<>();
    for (Object o : items) {
      if (!(o instanceof JsonObject i)) throw new IllegalArgumentException("each item is an object");
      lines.add(new OrderService.Line(Web.requireLong(i, "productId", 1, Long.MAX_VALUE),
          (int) Web.requireLong(i, "quantity", 1, OrderService.QUANTITY_MAX), Web.optionalText(i, "variant", 64)));
    }
    JsonObject pts = b.getJsonObject("points");
    int type = pts == null ? 0 : (int) Web.requireLong(pts, "pointType", 1, Integer.MAX_VALUE);
    long amount = pts == null ? 0 : Web.requireLong(pts, "amount", 0, Long.MAX_VALUE / 1_000_000_000L);
    var req = new OrderService.Request(Web.requireText(b, "checkoutKey", 64), lines, type, amount,
        Web.optionalText(b, "paymentToken", 64));
    orders.checkout(memberId, req).compose(out -> out.orderId() == 0 ? Future.succeededFuture(out)
        : orders.load(out.orderId()).map(o -> {
          respond(ctx, out, o);
          return out;
        })).onSuccess(out -> {
          if (out.orderId() == 0) respond(ctx, out, null);
        }).onFailure(ctx::fail);
  }

  private static void respond(RoutingContext ctx, OrderService.Outcome out, Order o) {
    JsonObject body = new JsonObject().put("result", out.result().name()).put("reason", out.reason())
        .put("order", o == null ? null : o.toJson(false));
    int status = switch (out.result()) {
      case PAID -> 201;
      case PENDING -> 202;
      case DECLINED, INSUFFICIENT_POINTS -> 402;
      case PAYMENT_FAILED -> 502;
      case OUT_OF_STOCK, CHECKOUT_KEY_REUSED -> 409;
      case NOT_VERIFIED -> 403;
      case UNKNOWN_PRODUCT, BAD_VARIANT, POINTS_EXCEED_TOTAL, POINT_TYPE_NOT_ACCEPTED -> 400;
    };
    if (status >= 400) body.put("error", out.result().name().toLowerCase(java.util.Locale.ROOT));
    Web.json(ctx, status, body);
  }

  private void myOrders(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    orders.history(memberId).onSuccess(list -> Web.json(ctx, 200,
        new JsonArray(list.stream().map(o -> o.toJson(false)).toList()))).onFailure(ctx::fail);
  }

  /** Another member's order answers exactly like a missing one. */
  private void myOrder(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    orders.load(pathId(ctx)).onSuccess(o -> {
      if (o == null || o.memberId() != memberId) Web.error(ctx, 404, "not_found", "no such order");
      else Web.json(ctx, 200, o.toJson(false));
    }).onFailure(ctx::fail);
  }

  private void myRefund(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    refunds.refund(pathId(ctx), memberId).onSuccess(r -> refundAnswer(ctx, r, false)).onFailure(ctx::fail);
  }

  private void staffRefund(RoutingContext ctx) {
    if (!staff(ctx, ORDER_ROLES)) return;
    refunds.refund(pathId(ctx), 0).onSuccess(r -> refundAnswer(ctx, r, true)).onFailure(ctx::fail);
  }

  private static void refundAnswer(RoutingContext ctx, Refunds.Outcome r, boolean staff) {
    switch (r.result()) {
      case REFUNDED, ALREADY_REFUNDED -> Web.json(ctx, 200, new JsonObject().put("result", r.result().name())
          .put("order", r.order().toJson(staff)));
      case NOT_FOUND -> Web.error(ctx, 404, "not_found", "no such order");
      case NOT_REFUNDABLE -> Web.error(ctx, 409, "not_refundable", r.reason());
      case BALANCE_CHANGED -> Web.error(ctx, 409, "balance_changed", r.reason());
      case PROVIDER_REFUSED -> Web.error(ctx, 502, "refund_refused", r.reason());
    }
  }

  private void wallet(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    wallet.wallet(memberId).onSuccess(w -> Web.json(ctx, 200, w)).onFailure(ctx::fail);
  }

  private void balances(RoutingContext ctx) {
    Long memberId = member(ctx);
    if (memberId == null) return;
    wallet.balances(memberId).onSuccess(b -> Web.json(ctx, 200, b)).onFailure(ctx::fail);
  }

  private void allProducts(RoutingContext ctx) {
    if (!staff(ctx, CATALOG_ROLES)) return;
    catalog.everything().onSuccess(list -> Web.json(ctx, 200, new JsonArray(list.stream().map(Product::toJson).toList())))
        .onFailure(ctx::fail);
  }

  private void createProduct(RoutingContext ctx) {
    if (!staff(ctx, CATALOG_ROLES)) return;
    JsonObject b = Web.body(ctx, PRODUCT_BODY_BYTES_MAX);
    catalog.upsert(Product.fromJson(0, b), Web.optionalText(b, "imageSvg", Catalog.IMAGE_BYTES_MAX))
        .onSuccess(p -> Web.json(ctx, 201, p.toJson())).onFailure(ctx::fail);
  }

  private void updateProduct(RoutingContext ctx) {
    if (!staff(ctx, CATALOG_ROLES)) return;
    JsonObject b = Web.body(ctx, PRODUCT_BODY_BYTES_MAX);
    catalog.update(pathId(ctx), Product.fromJson(pathId(ctx), b), Web.optionalText(b, "imageSvg", Catalog.IMAGE_BYTES_MAX))
        .onSuccess(p -> {
          if (p.isEmpty()) Web.error(ctx, 404, "not_found", "no such product");
          else Web.json(ctx, 200, p.get().toJson());
        }).onFailure(ctx::fail);
  }

  private void allOrders(RoutingContext ctx) {
    if (!staff(ctx, ORDER_ROLES)) return;
    orders.history(0).onSuccess(list -> Web.json(ctx, 200, new JsonArray(list.stream().map(o -> o.toJson(true)).toList())))
        .onFailure(ctx::fail);
  }
}
