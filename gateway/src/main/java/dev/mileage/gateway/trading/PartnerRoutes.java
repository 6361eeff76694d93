package dev.mileage.gateway.trading;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Access;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.trading.OrderRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The partner API (signed requests, see {@link Partners}) and the operators' registration of shops.
 * A shop reports points it issued to a customer (once per issuance key) or the customer's whole balance held
 * at the shop (versioned: the ledger is brought to the reported balance from the shop's issuance account), and
 * reads its events. Customers are named by their verified phone number.
 */
final class PartnerRoutes {
  static final int KEY_LENGTH_MAX = 64;
  static final int NAME_LENGTH_MAX = 100;
  static final int URL_LENGTH_MAX = 500;

  private final GatewayContext context;
  private final Partners partners;
  private final Outbox outbox;

  PartnerRoutes(GatewayContext context, Partners partners, Outbox outbox) {
    this.context = context;
    this.partners = partners;
    this.outbox = outbox;
  }

  void mount(Router api) {
    api.post("/trading/admin/partners").handler(Web.handle(this::register));
    api.get("/trading/admin/partners").handler(Web.handle(this::list));
    api.route("/trading/partner/*").handler(PartnerRoutes::signedBodyOnly);
    api.post("/trading/partner/issuances").handler(Web.handle(this::issue));
    api.post("/trading/partner/portfolios").handler(Web.handle(this::portfolio));
    api.get("/trading/partner/events").handler(Web.handle(this::events));
  }

  /** Partners only, and the body must be the one whose digest the signature covers. */
  private static void signedBodyOnly(RoutingContext ctx) {
    Optional<Caller> c = Caller.of(ctx);
    if (c.isEmpty() || c.get().kind() != Caller.Kind.PARTNER) {
      Web.error(ctx, 403, "forbidden", "partner shops only: sign the request with the shop's key");
      return;
    }
    byte[] body = ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (!PartnerSignature.same(PartnerSignature.sha256Hex(body), ctx.request().getHeader(PartnerSignature.CONTENT_SHA256))) {
      Web.error(ctx, 401, "unauthorized", "the body does not match the signed " + PartnerSignature.CONTENT_SHA256);
      return;
    }
    ctx.next();
  }

  private static long partnerId(RoutingContext ctx) {
    return Long.parseLong(Caller.of(ctx).orElseThrow().id());
  }

  private void register(RoutingContext ctx) {
    if (Access.requireRole(ctx, Access.ROLE_OPERATOR).isEmpty()) return;
    JsonObject b = Web.body(ctx);
    String name = Web.requireText(b, "name", NAME_LENGTH_MAX);
    String code = Web.requireText(b, "code", dev.mileage.points.ledger.PointType.CODE_LENGTH_MAX);
    if (!code.matches("[A-Z][A-Z0-9_]*")) throw new IllegalArgumentException("code must be upper-case letters, digits and _");
    long cash = Web.requireLong(b, "cashMicrosPerUnit", 1, Rates.CASH_MICROS_MAX);
    String url = Web.optionalText(b, "webhookUrl", URL_LENGTH_MAX);
    if (url != null && !url.matches("https?://[^\\s]+")) throw new IllegalArgumentException("webhookUrl must be an http(s) URL");
    partners.register(name, code, cash, url).onSuccess(p -> {
      if (p == null) Web.error(ctx, 409, "code_taken", "that point type code belongs to another issuer");
      else Web.json(ctx, 201, p);
    }).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    if (Access.requireRole(ctx, Access.ROLE_OPERATOR).isEmpty()) return;
    partners.list().onSuccess(l -> Web.json(ctx, 200, l)).onFailure(ctx::fail);
  }

  static String requirePhone(JsonObject b, String field) {
    String phone = Web.requireText(b, field, 16);
    if (!phone.matches("\\+[1-9][0-9]{6,14}")) throw new IllegalArgumentException(field + " must be E.164, e.g. +821012345678");
    return phone;
  }

  /** The verified member with that phone number, or null. */
  static Future<Long> memberByPhone(SqlClient sql, String phone) {
    return sql.preparedQuery("SELECT id FROM members.member WHERE phone = $1 AND phone_verified_at IS NOT NULL")
        .execute(Tuple.of(phone)).map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
  }

  /** Moves {@code amount} of the shop's points from its issuance account (which may go negative) to the member. */
  private Future<TransferResult> move(Partners.Partner p, long memberId, long amount, boolean toMember, String key, int code) {
    return f(context.ledger().openAccount(Partners.owner(p.id()), p.pointType(), 0)).compose(shop ->
        f(context.ledger().openAccount("member:" + memberId, p.pointType(), AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS))
            .compose(member -> f(context.ledger().submit(Transfer.single(Transfer.idOf(key),
                toMember ? shop.id() : member.id(), toMember ? member.id() : shop.id(), amount, code,
                "partner shop " + p.id())))));
  }

  private void issue(RoutingContext ctx) {
    long pid = partnerId(ctx);
    JsonObject b = Web.body(ctx);
    String key = Web.requireText(b, "issuanceKey", KEY_LENGTH_MAX);
    String phone = requirePhone(b, "phone");
    long amount = Web.requireLong(b, "amount", 1, OrderRequest.AMOUNT_MAX);
    partners.get(pid).compose(p -> memberByPhone(context.pool(), phone).compose(member -> {
      if (member == null) return Future.succeededFuture(new JsonObject().put("status", 404));
      return context.pool().preparedQuery("INSERT INTO trading.partner_issuance (partner_id, issuance_key, member_id, amount, created_at)"
              + " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
          .execute(Tuple.of(pid, key, member, amount, context.clock().instant().atOffset(ZoneOffset.UTC)))
          .compose(ins -> context.pool().preparedQuery("SELECT member_id, amount FROM trading.partner_issuance"
              + " WHERE partner_id = $1 AND issuance_key = $2").execute(Tuple.of(pid, key)))
          .compose(rows -> {
            Row r = rows.iterator().next();
            if (r.getLong("member_id") != member.longValue() || r.getLong("amount") != amount) {
              return Future.succeededFuture(new JsonObject().put("status", 409));
            }
            // resubmitted after a crash between the row and the transfer: the transfer id makes it once only
            return move(p.orElseThrow(), member, amount, true, "partner:" + pid + ":issue:" + key, TransferCodes.PARTNER_ISSUE)
                .compose(result -> {
                  if (!result.applied()) return Future.succeededFuture(new JsonObject().put("status", 500).put("result", result.name()));
                  JsonObject data = new JsonObject().put("issuanceKey", key).put("phone", phone).put("memberId", member)
                      .put("pointType", p.get().pointType()).put("amount", amount);
                  return outbox.record(pid, "issue:" + key, "points.issued", data).map(v -> new JsonObject()
                      .put("status", result == TransferResult.OK ? 201 : 200)
                      .put("body", data.copy().put("result", result == TransferResult.OK ? "ISSUED" : "EXISTS")));
                });
          });
    })).onSuccess(o -> answer(ctx, o, "no verified member has that phone number",
        "issuanceKey already used for a different customer or amount")).onFailure(ctx::fail);
  }

  private static void answer(RoutingContext ctx, JsonObject o, String notFound, String conflict) {
    int status = o.getInteger("status");
    switch (status) {
      case 200, 201 -> Web.json(ctx, status, o.getJsonObject("body"));
      case 404 -> Web.error(ctx, 404, "not_found", notFound);
      case 409 -> Web.error(ctx, 409, "conflict", conflict);
      case 422 -> Web.error(ctx, 409, "insufficient_points", o.getString("reason"));
      default -> ctx.fail(new IllegalStateException("ledger refused a partner transfer: " + o.getString("result")));
    }
  }

  /**
   * The customer's balance held at the shop, as of {@code version} (increasing per customer). The ledger is
   * brought to it by the difference from the last report; an older version is refused, the same one answered
   * again. A lower balance takes points back only if the customer still has them.
   */
  private void portfolio(RoutingContext ctx) {
    long pid = partnerId(ctx);
    JsonObject b = Web.body(ctx);
    String phone = requirePhone(b, "phone");
    long balance = Web.requireLong(b, "balance", 0, OrderRequest.AMOUNT_MAX);
    long version = Web.requireLong(b, "version", 1, Long.MAX_VALUE);
    partners.get(pid).compose(p -> memberByPhone(context.pool(), phone).compose(member -> {
      if (member == null) return Future.succeededFuture(new JsonObject().put("status", 404));
      return context.pool().withTransaction(sql -> sql.preparedQuery("INSERT INTO trading.partner_portfolio"
              + " (partner_id, member_id, version, reported_balance, synced_balance, reported_at) VALUES ($1, $2, 0, 0, 0, $3)"
              + " ON CONFLICT DO NOTHING").execute(Tuple.of(pid, member, context.clock().instant().atOffset(ZoneOffset.UTC)))
          .compose(x -> sql.preparedQuery("SELECT version, reported_balance, synced_balance FROM trading.partner_portfolio"
              + " WHERE partner_id = $1 AND member_id = $2 FOR UPDATE").execute(Tuple.of(pid, member)))
          .compose(rows -> {
            Row r = rows.iterator().next();
            long known = r.getLong("version");
            JsonObject data = new JsonObject().put("phone", phone).put("memberId", member).put("pointType", p.get().pointType())
                .put("balance", balance).put("version", version);
            if (version == known && balance == r.getLong("reported_balance")) {
              return Future.succeededFuture(new JsonObject().put("status", 200).put("body", data.copy().put("result", "UNCHANGED")));
            }
            if (version <= known) return Future.succeededFuture(new JsonObject().put("status", 409));
            long delta = balance - r.getLong("synced_balance");
            Future<TransferResult> moved = delta == 0 ? Future.succeededFuture(TransferResult.OK)
                : move(p.orElseThrow(), member, Math.abs(delta), delta > 0,
                    "partner:" + pid + ":portfolio:" + member + ":" + version, TransferCodes.PARTNER_PORTFOLIO_SYNC);
            return moved.compose(result -> {
              if (result == TransferResult.EXCEEDS_CREDITS) {
                return Future.succeededFuture(new JsonObject().put("status", 422)
                    .put("reason", "the customer has already used points the shop now reports as gone"));
              }
              if (!result.applied()) return Future.succeededFuture(new JsonObject().put("status", 500).put("result", result.name()));
              return sql.preparedQuery("UPDATE trading.partner_portfolio SET version = $3, reported_balance = $4,"
                      + " synced_balance = $4, reported_at = $5 WHERE partner_id = $1 AND member_id = $2")
                  .execute(Tuple.of(pid, member, version, balance, context.clock().instant().atOffset(ZoneOffset.UTC)))
                  .compose(u -> outbox.record(pid, "portfolio:" + member + ":" + version, "portfolio.synced",
                      data.copy().put("change", delta)))
                  .map(v -> new JsonObject().put("status", 200).put("body", data.copy().put("result", "SYNCED").put("change", delta)));
            });
          }));
    })).onSuccess(o -> answer(ctx, o, "no verified member has that phone number",
        "an older version than the last report: send the newest balance with a higher version"))
        .onFailure(ctx::fail);
  }

  private void events(RoutingContext ctx) {
    long pid = partnerId(ctx);
    long after = longParam(ctx, "after", 0);
    int limit = (int) Math.min(longParam(ctx, "limit", 50), Outbox.EVENTS_PAGE_MAX);
    outbox.events(pid, after, Math.max(1, limit)).onSuccess(e -> Web.json(ctx, 200, new JsonObject().put("events", e)))
        .onFailure(ctx::fail);
  }

  static long longParam(RoutingContext ctx, String name, long fallback) {
    String v = ctx.queryParams().get(name);
    if (v == null || v.isEmpty()) return fallback;
    try {
      long n = Long.parseLong(v);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number >= 0");
    }
  }
}
