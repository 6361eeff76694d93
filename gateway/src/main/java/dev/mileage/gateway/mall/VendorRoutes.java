package dev.mileage.gateway.mall;
import dev.mileage.gateway.http.ClientAddress;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The vendors' (and their POS terminals') and the operator's side of the mall's HTTP edge. A vendor key
 * reaches only that vendor's stock, customers, auctions and report; a vendor not yet approved gets 403.
 */
final class VendorRoutes extends RoutesBase {
  private final Journal journal;
  private final Issuance issuance;
  private final Settlements settlements;
  private final Auctions auctions;
  private final Reports reports;
  private final PayCodes payCodes;

  VendorRoutes(Vendors vendors, Journal journal, Issuance issuance, Settlements settlements, Auctions auctions, Reports reports,
               PayCodes payCodes) {
    super(vendors);
    this.journal = journal;
    this.issuance = issuance;
    this.settlements = settlements;
    this.auctions = auctions;
    this.reports = reports;
    this.payCodes = payCodes;
  }

  // ---- applications and the operator ---------------------------------------------------------------

  void apply(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElseThrow();
    if (c.kind() != Caller.Kind.MEMBER && !c.hasRole(Access.ROLE_OPERATOR)) {
      Web.error(ctx, 403, "forbidden", "vendors apply as a signed-in member (or an operator registers them)");
      return;
    }
    JsonObject b = Web.body(ctx);
    String name = Web.requireText(b, "name", MallOptions.NAME_LENGTH_MAX);
    String kind = Web.requireText(b, "kind", 20);
    if (!kind.equals(Vendor.SHOP) && !kind.equals(Vendor.MANUFACTURER)) throw new IllegalArgumentException("kind must be SHOP or MANUFACTURER");
    String code = Web.requireText(b, "tokenCode", 20);
    if (!code.matches("[A-Z][A-Z0-9]{1,19}")) throw new IllegalArgumentException("tokenCode must be 2..20 upper-case letters and digits");
    long rate = Web.requireLong(b, "rateWon", 1, MallOptions.RATE_WON_MAX);
    // the rules a later change of the list follows too: "<vendorId>:<sku>", at most ALLOWED_PRODUCTS_MAX, no duplicates
    List<String> allowed = ProductListRoutes.products(b, "allowedProducts");
    if (kind.equals(Vendor.MANUFACTURER) && allowed.isEmpty()) {
      throw new IllegalArgumentException("a manufacturer lists the products (\"<vendorId>:<sku>\") its tokens pay for");
    }
    if (kind.equals(Vendor.SHOP) && !allowed.isEmpty()) throw new IllegalArgumentException("only manufacturers list allowedProducts");
    vendors.apply(name, kind, code, rate, allowed, c.owner()).onSuccess(a -> {
      switch (a.outcome()) {
        case APPLIED -> Web.json(ctx, 201, a.vendor().toJson().put("apiKey", a.apiKey()));
        case NAME_TAKEN -> Web.error(ctx, 409, "name_taken", "a vendor with this name exists");
        case TOKEN_CODE_TAKEN -> Web.error(ctx, 409, "token_code_taken", "this token code is taken");
        case TOO_MANY_VENDORS -> Web.error(ctx, 409, "too_many", "the mall is full");
        case TOO_MANY_PENDING -> Web.error(ctx, 409, "too_many", "you have " + MallOptions.PENDING_APPLICATIONS_PER_APPLICANT_MAX
            + " applications waiting for approval already");
      }
    }).onFailure(ctx::fail);
  }

  void adminVendors(RoutingContext ctx) {
    then(ctx, vendors.all(false), l -> Web.json(ctx, 200, new JsonArray(l.stream().map(Vendor::toJson).toList())));
  }

  void approve(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, vendors.approve(id), a -> {
      switch (a) {
        case APPROVED, ALREADY_APPROVED -> then(ctx, vendors.find(id), v -> Web.json(ctx, 200, v.toJson()));
        case NOT_FOUND -> Web.error(ctx, 404, "not_found", "no such vendor");
        case TOKEN_CODE_TAKEN -> Web.error(ctx, 409, "token_code_taken", "a point type with this code belongs to someone else");
      }
    });
  }

  void setRate(RoutingContext ctx) {
    long rate = Web.requireLong(Web.body(ctx), "rateWon", 1, MallOptions.RATE_WON_MAX);
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> then(ctx, vendors.setRate(v, rate), u -> Web.json(ctx, 200, u.toJson())));
  }

  void adminPayOwed(RoutingContext ctx) {
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> then(ctx, settlements.payOwed(v, Settlements.BY_OPERATOR), s -> Web.json(ctx, 200, s)));
  }

  void operatorReport(RoutingContext ctx) {
    then(ctx, reports.operator(), r -> Web.json(ctx, 200, r));
  }

  // ---- vendors and POS terminals -------------------------------------------------------------------

  void posSale(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String code = Web.requireText(b, "payCode", 40);
    String sku = Web.requireText(b, "sku", 32);
    String key = requestKey(b, "requestKey");
    then(ctx, vendor(ctx, true), v -> payCodes.sell(v, code, sku, key, ClientAddress.of(ctx))
        .onSuccess(r -> {
          if (r.outcome() == Outcome.TOO_MANY && r.body().containsKey("retryAfterSeconds")) {
            ctx.response().putHeader("Retry-After", r.body().getLong("retryAfterSeconds").toString());
            Web.json(ctx, 429, r.body());
          } else {
            answer(ctx, r);
          }
        }).onFailure(ctx::fail));
  }

  void notifications(RoutingContext ctx) {
    journal.pool().query("SELECT n.*, v.name FROM mall.notification n JOIN mall.vendor v ON v.id = n.vendor_id ORDER BY n.id DESC LIMIT "
        + MallOptions.HISTORY_ROWS_MAX).execute().onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("kind", r.getString("kind")).put("vendorId", r.getLong("vendor_id"))
                .put("vendorName", r.getString("name")).put("memberId", r.getLong("member_id")).put("tokens", r.getLong("tokens"))
                .put("amountWon", r.getLong("amount_won")).put("detail", r.getString("detail"))
                .put("at", r.getOffsetDateTime("at").toInstant().toString()));
          }
          Web.json(ctx, 200, out);
        }).onFailure(ctx::fail);
  }

  void vendorMe(RoutingContext ctx) {
    then(ctx, vendor(ctx, false), v -> Web.json(ctx, 200, v.toJson()));
  }

  void putProduct(RoutingContext ctx) {
    String sku = ctx.pathParam("sku");
    if (sku == null || !sku.matches(SKU_PATTERN)) throw new IllegalArgumentException("sku must be 1..32 letters, digits, '.', '_' or '-'");
    JsonObject b = Web.body(ctx);
    String name = Web.requireText(b, "name", MallOptions.NAME_LENGTH_MAX);
    String description = Web.optionalText(b, "description", 500);
    long price = Web.requireLong(b, "priceTokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    then(ctx, vendor(ctx, true), v -> then(ctx, vendors.putProduct(v.id(), sku, name, description == null ? "" : description, price),
        ok -> {
          if (ok) Web.json(ctx, 200, new JsonObject().put("sku", sku).put("name", name).put("priceTokens", price));
          else answer(ctx, Outcome.TOO_MANY.error());
        }));
  }

  void setAcceptance(RoutingContext ctx) {
    long tokenVendorId = pathId(ctx, "tokenVendorId");
    Object accept = Web.body(ctx).getValue("accept");
    if (!(accept instanceof Boolean a)) throw new IllegalArgumentException("accept must be true or false");
    then(ctx, vendor(ctx, true), v -> then(ctx, approved(ctx, tokenVendorId), t -> then(ctx,
        vendors.setAccepted(v.id(), t.id(), a).map(x -> Boolean.TRUE),
        x -> Web.json(ctx, 200, new JsonObject().put("vendorId", v.id()).put("tokenVendorId", t.id()).put("accept", a)))));
  }

  void issue(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    long tokens = Web.requireLong(b, "tokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    String key = requestKey(b, "requestKey");
    String card = Web.requireText(b, "cardToken", 128);
    String kind = MallRoutes.tokenKind(b, "tokenKind");
    then(ctx, vendor(ctx, true), v -> then(ctx, ownToken(ctx, v, kind), t -> result(ctx, issuance.issue(t, tokens, key, card))));
  }

  void allot(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    long memberId = Web.requireLong(b, "memberId", 1, Long.MAX_VALUE);
    long tokens = Web.requireLong(b, "tokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    String why = Web.requireText(b, "reason", 20);
    if (!Set.of("OFFLINE_PURCHASE", "LOYALTY").contains(why)) throw new IllegalArgumentException("reason must be OFFLINE_PURCHASE or LOYALTY");
    String key = requestKey(b, "requestKey");
    String kind = MallRoutes.tokenKind(b, "tokenKind");
    then(ctx, vendor(ctx, true), v -> then(ctx, ownToken(ctx, v, kind), t -> result(ctx, issuance.allot(t, memberId, tokens, why, key))));
  }

  void customers(RoutingContext ctx) {
    then(ctx, vendor(ctx, true), v -> journal.pool().preparedQuery("SELECT member_id, registered_at FROM mall.registration"
            + " WHERE vendor_id = $1 ORDER BY registered_at DESC LIMIT " + MallOptions.HISTORY_ROWS_MAX).execute(Tuple.of(v.id()))
        .onSuccess(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("memberId", r.getLong(0)).put("registeredAt", r.getOffsetDateTime(1).toInstant().toString()));
          }
          Web.json(ctx, 200, out);
        }).onFailure(ctx::fail));
  }

  void customerInfo(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    long about = Web.requireLong(b, "vendorId", 1, Long.MAX_VALUE);
    long memberId = Web.requireLong(b, "memberId", 1, Long.MAX_VALUE);
    String key = requestKey(b, "requestKey");
    then(ctx, vendor(ctx, true), v -> {
      if (v.id() == about) throw new IllegalArgumentException("ask about another vendor's customers");
      then(ctx, approved(ctx, about), other -> result(ctx, settlements.customerInfo(v, other, memberId, key)));
    });
  }

  void payOwed(RoutingContext ctx) {
    then(ctx, vendor(ctx, true), v -> then(ctx, settlements.payOwed(v, Settlements.BY_VENDOR), s -> Web.json(ctx, 200, s)));
  }

  void openAuction(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String title = Web.requireText(b, "title", MallOptions.NAME_LENGTH_MAX);
    long starting = Web.requireLong(b, "startingBid", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    long seconds = Web.requireLong(b, "durationSeconds", 60, MallOptions.AUCTION_LENGTH_MAX.toSeconds());
    String key = requestKey(b, "requestKey");
    String kind = MallRoutes.tokenKind(b, "tokenKind");
    if (kind != null && !kind.equals(Vendor.AUCTION) && !kind.equals(Vendor.STANDARD)) {
      throw new IllegalArgumentException("an auction is paid in AUCTION tokens or the vendor's own (STANDARD) tokens");
    }
    then(ctx, vendor(ctx, true), v -> then(ctx, ownToken(ctx, v, Vendor.STANDARD.equals(kind) ? null : kind),
        t -> result(ctx, auctions.open(t, title, starting, Duration.ofSeconds(seconds), key))));
  }

  /** The calling vendor seen through its token of {@code kind} (null: its own), or answers 404. */
  private io.vertx.core.Future<Vendor> ownToken(RoutingContext ctx, Vendor v, String kind) {
    return vendors.token(v, kind).map(t -> {
      if (t == null) answer(ctx, Outcome.NO_SUCH_TOKEN.error());
      return t;
    });
  }

  void addToken(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    String kind = Web.requireText(Web.body(ctx), "kind", 20);
    if (!Vendor.EXTRA_TOKEN_KINDS.contains(kind)) throw new IllegalArgumentException("kind must be one of " + Vendor.EXTRA_TOKEN_KINDS);
    then(ctx, vendors.addToken(id, kind), a -> {
      switch (a.outcome()) {
        case ADDED, ALREADY_ADDED -> Web.json(ctx, a.outcome() == Vendors.TokenAdded.ADDED ? 201 : 200, tokenJson(a.token()));
        case NOT_FOUND -> answer(ctx, Outcome.NO_SUCH_VENDOR.error());
        case TOKEN_CODE_TAKEN -> Web.error(ctx, 409, "token_code_taken", "a point type with this code belongs to someone else");
      }
    });
  }

  static JsonObject tokenJson(Vendor t) {
    return new JsonObject().put("vendorId", t.id()).put("kind", t.tokenKind()).put("token", t.pointTypeCode())
        .put("pointType", t.pointType()).put("rateWon", t.rateWon()).put("exchangeable", t.exchangeable());
  }

  void vendorTokens(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, approved(ctx, id), v -> then(ctx, vendors.extraTokens(id), extra -> {
      JsonArray out = new JsonArray().add(tokenJson(v));
      for (Vendor t : extra) out.add(tokenJson(t));
      Web.json(ctx, 200, out);
    }));
  }

  void closeAuction(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, vendor(ctx, true), v -> result(ctx, auctions.close(id, v.id())));
  }

  void vendorReport(RoutingContext ctx) {
    then(ctx, vendor(ctx, true), v -> then(ctx, reports.vendor(v.id()), r -> Web.json(ctx, 200, r)));
  }
}