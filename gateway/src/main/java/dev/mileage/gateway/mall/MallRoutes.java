package dev.mileage.gateway.mall;

import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP edge of the mall: checks who calls and what they send, calls a service, maps its {@link Outcome}
 * to an answer. Members reach only their own tokens (the member id comes from the session, never from the
 * request); a vendor key reaches only that vendor's stock, customers and reports.
 */
final class MallRoutes {
  static final String KEY_PATTERN = "[A-Za-z0-9._:-]{8," + MallOptions.KEY_LENGTH_MAX + "}";
  static final String SKU_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,31}";

  private final MallOptions options;
  private final MallLedger ledger;
  private final Vendors vendors;
  private final Journal journal;
  private final Issuance issuance;
  private final Spending spending;
  private final Settlements settlements;
  private final Auctions auctions;
  private final Reports reports;
  private final PayCodes payCodes;

  MallRoutes(MallOptions options, MallLedger ledger, Vendors vendors, Journal journal, Issuance issuance, Spending spending,
             Settlements settlements, Auctions auctions, Reports reports, PayCodes payCodes) {
    this.options = options;
    this.ledger = ledger;
    this.vendors = vendors;
    this.journal = journal;
    this.issuance = issuance;
    this.spending = spending;
    this.settlements = settlements;
    this.auctions = auctions;
    this.reports = reports;
    this.payCodes = payCodes;
  }

  // ---- who is calling ------------------------------------------------------------------------------

  private static Long member(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, 403, "members_only", "sign in as a member to use your tokens");
      return null;
    }
    return Long.parseLong(c.id());
  }

  /** The calling vendor, approved; otherwise answers 403 (and the future is empty). */
  private Future<Vendor> vendor(RoutingContext ctx, boolean approvedOnly) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.VENDOR) {
      Web.error(ctx, 403, "vendors_only", "this needs a vendor key (X-Vendor-Key)");
      return Future.succeededFuture(null);
    }
    return vendors.find(Long.parseLong(c.id())).map(v -> {
      if (approvedOnly && (v == null || !v.approved())) {
        answer(ctx, Outcome.VENDOR_NOT_APPROVED.error());
        return null;
      }
      return v;
    });
  }

  private static void answer(RoutingContext ctx, Outcome.Result r) {
    Web.json(ctx, r.outcome().status, r.body());
  }

  private static long pathId(RoutingContext ctx, String name) {
    try {
      long id = Long.parseLong(ctx.pathParam(name));
      if (id <= 0) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a positive number");
    }
  }

  private static String requestKey(JsonObject b, String field) {
    String key = Web.requireText(b, field, MallOptions.KEY_LENGTH_MAX);
    if (!key.matches(KEY_PATTERN)) {
      throw new IllegalArgumentException(field + " must be 8 to " + MallOptions.KEY_LENGTH_MAX + " letters, digits, '.', '_', ':' or '-'");
    }
    return key;
  }

  /** An approved vendor by id, or answers 404. */
  private Future<Vendor> approved(RoutingContext ctx, long id) {
    return vendors.find(id).map(v -> {
      if (v == null || !v.approved()) {
        answer(ctx, Outcome.NO_SUCH_VENDOR.error());
        return null;
      }
      return v;
    });
  }

  private static <T> void then(RoutingContext ctx, Future<T> f, java.util.function.Consumer<T> ok) {
    f.onSuccess(v -> {
      if (v != null) ok.accept(v);
    }).onFailure(ctx::fail);
  }

  private static void result(RoutingContext ctx, Future<Outcome.Result> f) {
    f.onSuccess(r -> answer(ctx, r)).onFailure(ctx::fail);
  }

  // ---- directory, shops, acceptance listing (any signed-in caller) ----------------------------------

  void directory(RoutingContext ctx) {
    Future.all(vendors.all(true), vendors.acceptances(), vendors.tokenTypes()).onSuccess(all -> {
      List<Vendor> list = all.resultAt(0);
      Map<Long, List<Long>> accepts = all.resultAt(1);
      Map<Integer, PointType> types = all.resultAt(2);
      Map<Long, Vendor> byId = new java.util.HashMap<>();
      for (Vendor v : list) byId.put(v.id(), v);
      JsonArray out = new JsonArray();
      for (Vendor v : list) out.add(directoryEntry(v, accepts.getOrDefault(v.id(), List.of()), byId, types));
      Web.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  private static JsonObject directoryEntry(Vendor v, List<Long> accepted, Map<Long, Vendor> byId, Map<Integer, PointType> types) {
    JsonArray tokens = new JsonArray();
    List<Long> all = new ArrayList<>();
    if (!v.manufacturer()) all.add(v.id());
    all.addAll(accepted);
    for (Long id : all) {
      Vendor t = byId.get(id);
      if (t == null) continue;
      PointType type = types.get(t.pointType());
      tokens.add(new JsonObject().put("vendorId", t.id()).put("vendorName", t.name()).put("token", t.pointTypeCode())
          .put("pointType", t.pointType()).put("rateWon", Spending.rateWon(type)).put("restricted", type.restricted()));
    }
    PointType own = types.get(v.pointType());
    return new JsonObject().put("id", v.id()).put("name", v.name()).put("kind", v.kind()).put("token", v.pointTypeCode())
        .put("pointType", v.pointType()).put("rateWon", Spending.rateWon(own))
        .put("allowedProducts", new JsonArray(v.allowedProducts())).put("acceptedTokens", tokens);
  }

  void shop(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, approved(ctx, id), v -> Future.all(vendors.products(id), vendors.acceptances(), vendors.all(true), vendors.tokenTypes())
        .onSuccess(all -> {
          List<Vendor> list = all.resultAt(2);
          Map<Long, Vendor> byId = new java.util.HashMap<>();
          for (Vendor x : list) byId.put(x.id(), x);
          Map<Long, List<Long>> accepts = all.resultAt(1);
          JsonObject body = directoryEntry(v, accepts.getOrDefault(id, List.of()), byId, all.resultAt(3));
          Web.json(ctx, 200, body.put("products", new JsonArray(all.<List<JsonObject>>resultAt(0))));
        }).onFailure(ctx::fail));
  }

  void acceptances(RoutingContext ctx) {
    directory(ctx);
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
    List<String> allowed = new ArrayList<>();
    Object listed = b.getValue("allowedProducts");
    if (listed != null) {
      if (!(listed instanceof JsonArray arr) || arr.size() > MallOptions.ALLOWED_PRODUCTS_MAX) {
        throw new IllegalArgumentException("allowedProducts must be a list of at most " + MallOptions.ALLOWED_PRODUCTS_MAX);
      }
      for (Object o : arr) {
        if (!(o instanceof String s) || !s.matches("[1-9][0-9]{0,17}:" + SKU_PATTERN)) {
          throw new IllegalArgumentException("allowedProducts entries are \"<vendorId>:<sku>\"");
        }
        allowed.add(s);
      }
    }
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
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> then(ctx, settlements.payOwed(v), s -> Web.json(ctx, 200, s)));
  }

  void operatorReport(RoutingContext ctx) {
    then(ctx, reports.operator(), r -> Web.json(ctx, 200, r));
  }

  // ---- members -----------------------------------------------------------------------------------

  void register(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> then(ctx, vendors.register(v.id(), m),
        fresh -> Web.json(ctx, fresh ? 201 : 200, new JsonObject().put("vendorId", v.id()).put("registered", true))));
  }

  void buyTokens(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    long tokens = Web.requireLong(b, "tokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    String key = requestKey(b, "requestKey");
    String card = Web.requireText(b, "cardToken", 128);
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> result(ctx, issuance.sell(v, m, tokens, key, card)));
  }

  void spend(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    String sku = Web.requireText(b, "sku", 32);
    long tokenVendorId = Web.requireLong(b, "tokenVendorId", 1, Long.MAX_VALUE);
    String key = requestKey(b, "requestKey");
    then(ctx, approved(ctx, pathId(ctx, "id")), at -> then(ctx, approved(ctx, tokenVendorId),
        token -> result(ctx, spending.spend(m, at, token, sku, key))));
  }

  void wallet(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    Future.all(ledger.f(ledger.ledger().accountsOf(MallLedger.member(m))), vendors.all(true), vendors.tokenTypes()).onSuccess(all -> {
      List<Account> accounts = all.resultAt(0);
      List<Vendor> list = all.resultAt(1);
      Map<Integer, PointType> types = all.resultAt(2);
      JsonArray out = new JsonArray();
      for (Vendor v : list) {
        Account a = accounts.stream().filter(x -> x.pointType() == v.pointType()).findFirst().orElse(null);
        if (a == null) continue;
        PointType t = types.get(v.pointType());
        out.add(new JsonObject().put("vendorId", v.id()).put("vendorName", v.name()).put("token", v.pointTypeCode())
            .put("pointType", v.pointType()).put("available", a.available()).put("held", a.debitsPending())
            .put("rateWon", Spending.rateWon(t)).put("valueWon", Math.multiplyExact(a.available(), Spending.rateWon(t)))
            .put("restricted", t.restricted()).put("allowedProducts", new JsonArray(List.copyOf(t.allowedProducts()))));
      }
      Web.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  void history(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    then(ctx, journal.ofMember(m), l -> Web.json(ctx, 200, new JsonArray(l.stream().map(Entry::toJson).toList())));
  }

  private Future<Vendor[]> pair(RoutingContext ctx, long from, long to) {
    if (from == to) {
      answer(ctx, Outcome.SAME_TOKEN.error());
      return Future.succeededFuture(null);
    }
    return Future.all(vendors.find(from), vendors.find(to), vendors.tokenTypes()).map(all -> {
      Vendor a = all.resultAt(0);
      Vendor b = all.resultAt(1);
      if (a == null || b == null || !a.approved() || !b.approved()) {
        answer(ctx, Outcome.NO_SUCH_VENDOR.error());
        return null;
      }
      Map<Integer, PointType> types = all.resultAt(2);
      if (types.get(a.pointType()).restricted() || types.get(b.pointType()).restricted()) {
        answer(ctx, Outcome.TOKEN_NOT_ALLOWED.with(new JsonObject().put("error", Outcome.TOKEN_NOT_ALLOWED.error)
            .put("reason", "manufacturer tokens pay only for their listed products; they are not exchanged")));
        return null;
      }
      return new Vendor[] {a, b};
    });
  }

  private static long queryLong(RoutingContext ctx, String name, long max) {
    try {
      long v = Long.parseLong(ctx.queryParams().get(name) == null ? "" : ctx.queryParams().get(name));
      if (v <= 0 || v > max) throw new NumberFormatException();
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number in 1.." + max);
    }
  }

  void quote(RoutingContext ctx) {
    if (member(ctx) == null) return;
    long tokens = queryLong(ctx, "tokens", MallOptions.TOKENS_PER_REQUEST_MAX);
    then(ctx, pair(ctx, queryLong(ctx, "from", Long.MAX_VALUE), queryLong(ctx, "to", Long.MAX_VALUE)),
        p -> result(ctx, spending.quote(p[0], p[1], tokens)));
  }

  void exchange(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    long from = Web.requireLong(b, "fromVendorId", 1, Long.MAX_VALUE);
    long to = Web.requireLong(b, "toVendorId", 1, Long.MAX_VALUE);
    long tokens = Web.requireLong(b, "tokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    Long expected = b.getValue("expectedCredited") == null ? null : Web.requireLong(b, "expectedCredited", 0, Long.MAX_VALUE);
    String key = requestKey(b, "requestKey");
    then(ctx, pair(ctx, from, to), p -> result(ctx, spending.exchange(m, p[0], p[1], tokens, expected, key)));
  }

  void auctions(RoutingContext ctx) {
    then(ctx, auctions.list(), l -> Web.json(ctx, 200, l));
  }

  void auction(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElseThrow();
    Long m = c.kind() == Caller.Kind.MEMBER ? Long.parseLong(c.id()) : null;
    auctions.view(pathId(ctx, "id"), m).onSuccess(a -> {
      if (a == null) answer(ctx, Outcome.NO_SUCH_AUCTION.error());
      else Web.json(ctx, 200, a);
    }).onFailure(ctx::fail);
  }

  void bid(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    long amount = Web.requireLong(b, "amount", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    result(ctx, auctions.bid(m, pathId(ctx, "id"), amount, requestKey(b, "bidKey")));
  }

  void payCode(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    long at = Web.requireLong(b, "vendorId", 1, Long.MAX_VALUE);
    long token = Web.requireLong(b, "tokenVendorId", 1, Long.MAX_VALUE);
    then(ctx, approved(ctx, at), shop -> then(ctx, approved(ctx, token), t -> then(ctx, vendors.accepts(at, token), ok -> {
      if (!ok) {
        answer(ctx, Outcome.NOT_ACCEPTED.error());
        return;
      }
      payCodes.create(m, shop, t).onSuccess(code -> {
        if (code == null) answer(ctx, Outcome.TOO_MANY.error());
        else Web.json(ctx, 201, code);
      }).onFailure(ctx::fail);
    })));
  }

  // ---- vendors and POS terminals -------------------------------------------------------------------

  void posSale(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String code = Web.requireText(b, "payCode", 40);
    String sku = Web.requireText(b, "sku", 32);
    String key = requestKey(b, "requestKey");
    var remote = ctx.request().remoteAddress();
    then(ctx, vendor(ctx, true), v -> payCodes.sell(v, code, sku, key, remote == null ? "unknown" : remote.hostAddress())
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
    then(ctx, vendor(ctx, true), v -> result(ctx, issuance.issue(v, tokens, key, card)));
  }

  void allot(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    long memberId = Web.requireLong(b, "memberId", 1, Long.MAX_VALUE);
    long tokens = Web.requireLong(b, "tokens", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    String why = Web.requireText(b, "reason", 20);
    if (!Set.of("OFFLINE_PURCHASE", "LOYALTY").contains(why)) throw new IllegalArgumentException("reason must be OFFLINE_PURCHASE or LOYALTY");
    String key = requestKey(b, "requestKey");
    then(ctx, vendor(ctx, true), v -> result(ctx, issuance.allot(v, memberId, tokens, why, key)));
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
    then(ctx, vendor(ctx, true), v -> then(ctx, settlements.payOwed(v), s -> Web.json(ctx, 200, s)));
  }

  void openAuction(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String title = Web.requireText(b, "title", MallOptions.NAME_LENGTH_MAX);
    long starting = Web.requireLong(b, "startingBid", 1, MallOptions.TOKENS_PER_REQUEST_MAX);
    long seconds = Web.requireLong(b, "durationSeconds", 60, MallOptions.AUCTION_LENGTH_MAX.toSeconds());
    String key = requestKey(b, "requestKey");
    then(ctx, vendor(ctx, true), v -> result(ctx, auctions.open(v, title, starting, Duration.ofSeconds(seconds), key)));
  }

  void closeAuction(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, vendor(ctx, true), v -> result(ctx, auctions.close(id, v.id())));
  }

  void vendorReport(RoutingContext ctx) {
    then(ctx, vendor(ctx, true), v -> then(ctx, reports.vendor(v.id()), r -> Web.json(ctx, 200, r)));
  }
}
