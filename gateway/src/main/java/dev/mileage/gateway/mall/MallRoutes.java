package dev.mileage.gateway.mall;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.PointType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The members' side of the mall's HTTP edge (directory, shops, wallet, spending, exchange, auctions, pay
 * codes): checks what they send, calls a service, maps its {@link Outcome} to an answer. A member reaches
 * only their own tokens: the member id comes from the session, never from the request.
 */
final class MallRoutes extends RoutesBase {
  private final MallLedger ledger;
  private final Journal journal;
  private final Issuance issuance;
  private final Spending spending;
  private final Auctions auctions;
  private final PayCodes payCodes;

  MallRoutes(MallLedger ledger, Vendors vendors, Journal journal, Issuance issuance, Spending spending, Auctions auctions,
             PayCodes payCodes) {
    super(vendors);
    this.ledger = ledger;
    this.journal = journal;
    this.issuance = issuance;
    this.spending = spending;
    this.auctions = auctions;
    this.payCodes = payCodes;
  }

  /** The optional token kind a member names ({@code field}); null means the vendor's own token. */
  static String tokenKind(JsonObject body, String field) {
    return tokenKind(Web.optionalText(body, field, 20), field);
  }

  /** The same check for a kind given elsewhere (a query parameter). */
  static String tokenKind(String given, String field) {
    if (given == null) return null;
    if (!Vendor.TOKEN_KINDS.contains(given)) throw new IllegalArgumentException(field + " must be one of " + Vendor.TOKEN_KINDS);
    return given;
  }

  /** The vendor seen through its token of {@code kind}, or answers 404 (and the future is empty). */
  private Future<Vendor> token(RoutingContext ctx, Vendor v, String kind) {
    return vendors.token(v, kind).map(t -> {
      if (t == null) answer(ctx, Outcome.NO_SUCH_TOKEN.error());
      return t;
    });
  }

  // ---- directory, shops, acceptance listing (any signed-in caller) ----------------------------------

  void directory(RoutingContext ctx) {
    Future.all(vendors.all(true), vendors.acceptances(), vendors.tokenTypes(), vendors.extraTokens()).onSuccess(all -> {
      List<Vendor> list = all.resultAt(0);
      Map<Long, List<Long>> accepts = all.resultAt(1);
      Map<Integer, PointType> types = all.resultAt(2);
      Map<Long, Vendor> byId = new java.util.HashMap<>();
      for (Vendor v : list) byId.put(v.id(), v);
      Map<Long, List<String>> extra = extraKinds(all.resultAt(3));
      JsonArray out = new JsonArray();
      for (Vendor v : list) out.add(directoryEntry(v, accepts.getOrDefault(v.id(), List.of()), byId, types, extra));
      Web.json(ctx, 200, out);
    }).onFailure(ctx::fail);
  }

  /** vendor id -> the kinds of its extra tokens. */
  private static Map<Long, List<String>> extraKinds(List<Vendor> extraTokens) {
    Map<Long, List<String>> out = new java.util.HashMap<>();
    for (Vendor t : extraTokens) out.computeIfAbsent(t.id(), k -> new ArrayList<>()).add(t.tokenKind());
    return out;
  }

  /**
   * A vendor with its token kinds and the tokens it accepts; with each accepted vendor's tokens, the kinds it
   * takes: the vendor's own and its gift certificates (auction tokens pay only for bids, so never listed).
   */
  private static JsonObject directoryEntry(Vendor v, List<Long> accepted, Map<Long, Vendor> byId, Map<Integer, PointType> types,
                                           Map<Long, List<String>> extra) {
    JsonArray tokens = new JsonArray();
    List<Long> all = new ArrayList<>();
    if (!v.manufacturer()) all.add(v.id());
    all.addAll(accepted);
    for (Long id : all) {
      Vendor t = byId.get(id);
      if (t == null) continue;
      PointType type = types.get(t.pointType());
      tokens.add(new JsonObject().put("vendorId", t.id()).put("vendorName", t.name()).put("token", t.pointTypeCode())
          .put("pointType", t.pointType()).put("rateWon", Spending.rateWon(type)).put("restricted", type.restricted())
          .put("kinds", new JsonArray(acceptedKinds(t, extra))));
    }
    PointType own = types.get(v.pointType());
    return new JsonObject().put("id", v.id()).put("name", v.name()).put("kind", v.kind()).put("token", v.pointTypeCode())
        .put("pointType", v.pointType()).put("rateWon", Spending.rateWon(own))
        .put("allowedProducts", new JsonArray(v.allowedProducts())).put("acceptedTokens", tokens)
        .put("tokenKinds", new JsonArray(allKinds(v, extra)));
  }

  private static List<String> allKinds(Vendor v, Map<Long, List<String>> extra) {
    List<String> kinds = new ArrayList<>(List.of(v.tokenKind()));
    kinds.addAll(extra.getOrDefault(v.id(), List.of()));
    return kinds;
  }

  private static List<String> acceptedKinds(Vendor v, Map<Long, List<String>> extra) {
    return allKinds(v, extra).stream().filter(k -> !k.equals(Vendor.AUCTION)).toList();
  }

  void shop(RoutingContext ctx) {
    long id = pathId(ctx, "id");
    then(ctx, approved(ctx, id), v -> Future.all(List.of(vendors.products(id), vendors.acceptances(), vendors.all(true), vendors.tokenTypes(),
            vendors.extraTokens()))
        .onSuccess(all -> {
          List<Vendor> list = all.resultAt(2);
          Map<Long, Vendor> byId = new java.util.HashMap<>();
          for (Vendor x : list) byId.put(x.id(), x);
          Map<Long, List<Long>> accepts = all.resultAt(1);
          JsonObject body = directoryEntry(v, accepts.getOrDefault(id, List.of()), byId, all.resultAt(3), extraKinds(all.resultAt(4)));
          Web.json(ctx, 200, body.put("products", new JsonArray(all.<List<JsonObject>>resultAt(0))));
        }).onFailure(ctx::fail));
  }

  void acceptances(RoutingContext ctx) {
    directory(ctx);
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
    String kind = tokenKind(b, "tokenKind");
    then(ctx, approved(ctx, pathId(ctx, "id")), v -> then(ctx, token(ctx, v, kind), t -> result(ctx, issuance.sell(t, m, tokens, key, card))));
  }

  void spend(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    JsonObject b = Web.body(ctx);
    String sku = Web.requireText(b, "sku", 32);
    long tokenVendorId = Web.requireLong(b, "tokenVendorId", 1, Long.MAX_VALUE);
    String kind = tokenKind(b, "tokenKind");
    String key = requestKey(b, "requestKey");
    then(ctx, approved(ctx, pathId(ctx, "id")), at -> then(ctx, approved(ctx, tokenVendorId),
        v -> then(ctx, token(ctx, v, kind), token -> result(ctx, spending.spend(m, at, token, sku, key)))));
  }

  void wallet(RoutingContext ctx) {
    Long m = member(ctx);
    if (m == null) return;
    Future.all(ledger.f(ledger.ledger().accountsOf(MallLedger.member(m))), vendors.all(true), vendors.tokenTypes(),
        vendors.extraTokens()).onSuccess(all -> {
      List<Account> accounts = all.resultAt(0);
      List<Vendor> list = new ArrayList<>(all.<List<Vendor>>resultAt(1));
      list.addAll(all.<List<Vendor>>resultAt(3));
      Map<Integer, PointType> types = all.resultAt(2);
      JsonArray out = new JsonArray();
      for (Vendor v : list) {
        Account a = accounts.stream().filter(x -> x.pointType() == v.pointType()).findFirst().orElse(null);
        if (a == null) continue;
        PointType t = types.get(v.pointType());
        out.add(new JsonObject().put("vendorId", v.id()).put("vendorName", v.name()).put("token", v.pointTypeCode())
            .put("kind", v.tokenKind()).put("exchangeable", v.exchangeable())
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

  /** Only vendors' own STANDARD tokens are exchanged: gift-certificate and auction tokens are refused (409). */
  private Future<Vendor[]> pair(RoutingContext ctx, long from, long to, String fromKind, String toKind) {
    for (String k : new String[] {fromKind, toKind}) {
      if (k != null && (k.equals(Vendor.GIFT_CERTIFICATE) || k.equals(Vendor.AUCTION))) {
        answer(ctx, Outcome.NOT_EXCHANGEABLE.with(new JsonObject().put("error", Outcome.NOT_EXCHANGEABLE.error)
            .put("reason", Outcome.NOT_EXCHANGEABLE.reason).put("tokenKind", k)));
        return Future.succeededFuture(null);
      }
    }
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
    then(ctx, pair(ctx, queryLong(ctx, "from", Long.MAX_VALUE), queryLong(ctx, "to", Long.MAX_VALUE),
            tokenKind(ctx.queryParams().get("fromTokenKind"), "fromTokenKind"), tokenKind(ctx.queryParams().get("toTokenKind"), "toTokenKind")),
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
    String fromKind = tokenKind(b, "fromTokenKind");
    String toKind = tokenKind(b, "toTokenKind");
    String key = requestKey(b, "requestKey");
    then(ctx, pair(ctx, from, to, fromKind, toKind), p -> result(ctx, spending.exchange(m, p[0], p[1], tokens, expected, key)));
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
    String kind = tokenKind(b, "tokenKind");
    if (Vendor.AUCTION.equals(kind)) {
      answer(ctx, Outcome.AUCTION_TOKENS_ONLY.error());
      return;
    }
    then(ctx, approved(ctx, at), shop -> then(ctx, approved(ctx, token), v -> then(ctx, token(ctx, v, kind), t -> then(ctx, vendors.accepts(at, token), ok -> {
      if (!ok) {
        answer(ctx, Outcome.NOT_ACCEPTED.error());
        return;
      }
      payCodes.create(m, shop, t).onSuccess(code -> {
        if (code == null) answer(ctx, Outcome.TOO_MANY.error());
        else Web.json(ctx, 201, code);
      }).onFailure(ctx::fail);
    }))));
  }
}
