package dev.mileage.gateway.trading;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.trading.OrderRequest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * Buying points with money and cashing them out, through the payment provider, at the current cash value.
 * The member confirms the won amount shown by the quote ({@code expectedWon}); if the rate moved meanwhile the
 * request is refused with the new quote. Each request key is one row: repeating it never charges, pays or
 * moves points twice (provider keys and transfer ids derive from the row). Daily won limits are taken with a
 * conditional update, so racing requests cannot both pass, and given back when the money did not move.
 * Cash-out holds the points (a ledger reservation), pays out, then posts the hold or voids it.
 */
final class CashRoutes {
  static final int KEY_LENGTH_MAX = 64;
  static final int TOKEN_LENGTH_MAX = 100;
  /** Points per request, so the won amounts stay far inside a long. */
  static final long POINTS_MAX = 1_000_000_000L;

  private final GatewayContext context;
  private final PaymentProvider payments;
  private final CashOptions options;
  private final Partners partners;
  private final Outbox outbox;
  private final Rates rates;

  CashRoutes(GatewayContext context, PaymentProvider payments, CashOptions options, Partners partners, Outbox outbox,
             Rates rates) {
    this.context = context;
    this.payments = payments;
    this.options = options;
    this.partners = partners;
    this.outbox = outbox;
    this.rates = rates;
  }

  void mount(Router api) {
    api.get("/trading/quote").handler(Web.handle(this::quote));
    api.post("/trading/purchases").handler(Web.handle(ctx -> request(ctx, CashQuote.Kind.BUY)));
    api.post("/trading/cash-outs").handler(Web.handle(ctx -> request(ctx, CashQuote.Kind.CASH_OUT)));
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
  }

  private Future<CashQuote> quoteOf(CashQuote.Kind kind, int type, long points) {
    return rates.types().map(types -> {
      PointType t = types.get(type);
      if (t == null) throw new IllegalArgumentException("no such point type");
      if (!TradingFeature.tradable(t)) throw new IllegalArgumentException(TradingFeature.NOT_TRADABLE);
      if (t.cashMicrosPerUnit() <= 0) throw new IllegalArgumentException("this point type has no cash value");
      return CashQuote.of(kind, type, points, t.cashMicrosPerUnit(), options.feeOf(kind));
    });
  }

  private LocalDate today() {
    return context.clock().instant().atOffset(ZoneOffset.UTC).toLocalDate();
  }

  private Future<Long> usedToday(long member, CashQuote.Kind kind) {
    return context.pool().preparedQuery("SELECT used_won FROM trading.daily_cash WHERE member_id = $1 AND day = $2 AND kind = $3")
        .execute(Tuple.of(member, today(), kind.name())).map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
  }

  private void quote(RoutingContext ctx) {
    Long member = TradingFeature.member(ctx);
    if (member == null) return;
    CashQuote.Kind kind = kindParam(ctx.queryParams().get("kind"));
    int type = (int) PartnerRoutes.longParam(ctx, "pointType", 0);
    long points = PartnerRoutes.longParam(ctx, "points", 0);
    if (type <= 0) throw new IllegalArgumentException("pointType must be a point type id");
    if (points <= 0 || points > POINTS_MAX) throw new IllegalArgumentException("points must be in 1.." + POINTS_MAX);
    quoteOf(kind, type, points).compose(q -> usedToday(member, kind).map(used -> q.json()
            .put("dailyLimitWon", options.dailyMaxOf(kind)).put("usedTodayWon", used)))
        .onSuccess(q -> Web.json(ctx, 200, q))
        .onFailure(e -> fail(ctx, e));
  }

  private static void fail(RoutingContext ctx, Throwable e) {
    if (e instanceof IllegalArgumentException) Web.error(ctx, 400, "invalid_request", e.getMessage());
    else ctx.fail(e);
  }

  private static CashQuote.Kind kindParam(String v) {
    if ("BUY".equals(v)) return CashQuote.Kind.BUY;
    if ("CASH_OUT".equals(v)) return CashQuote.Kind.CASH_OUT;
    throw new IllegalArgumentException("kind must be BUY or CASH_OUT");
  }

  /** A stored request: what was asked and where it stands. */
  record Movement(long id, boolean fresh, int pointType, long points, long grossWon, long feeWon, long netWon,
                  String state, String reason, LocalDate day) {
    JsonObject json(CashQuote.Kind kind) {
      return new JsonObject().put("id", id).put("kind", kind.name()).put("state", state).put("pointType", pointType)
          .put("points", points).put("grossWon", grossWon).put("feeWon", feeWon).put("netWon", netWon)
          .put("reason", reason == null ? "" : reason);
    }
  }

  private void request(RoutingContext ctx, CashQuote.Kind kind) {
    Long member = TradingFeature.member(ctx);
    if (member == null) return;
    JsonObject b = Web.body(ctx);
    int type = (int) Web.requireLong(b, "pointType", 1, Integer.MAX_VALUE);
    long points = Web.requireLong(b, "points", 1, POINTS_MAX);
    long expected = Web.requireLong(b, "expectedWon", 0, OrderRequest.AMOUNT_MAX);
    String key = Web.requireText(b, "requestKey", KEY_LENGTH_MAX);
    String token = Web.requireText(b, kind == CashQuote.Kind.BUY ? "paymentToken" : "payoutToken", TOKEN_LENGTH_MAX);
    quoteOf(kind, type, points).compose(q -> {
      if (q.netWon() <= 0) return Future.succeededFuture(Answer.error(400, "invalid_request", "worth less than one won after the fee"));
      return store(member, kind, key, q).compose(m -> {
        if (m.pointType() != type || m.points() != points) {
          return Future.succeededFuture(Answer.error(409, "conflict", "requestKey already used for a different request"));
        }
        if (!m.state().equals("PENDING")) return Future.succeededFuture(Answer.of(m, kind));
        if (m.fresh() && q.netWon() != expected) {
          return forget(m).map(v -> Answer.rateChanged(q));
        }
        Future<Boolean> limit = m.fresh() ? takeLimit(member, kind, q.grossWon()) : Future.succeededFuture(true);
        return limit.compose(ok -> {
          if (!ok) {
            return finish(m, "DECLINED", null, "daily limit of " + options.dailyMaxOf(kind) + " won reached")
                .map(x -> Answer.error(409, "daily_limit", "daily limit of " + options.dailyMaxOf(kind) + " won reached"));
          }
          return kind == CashQuote.Kind.BUY ? buy(member, m, token) : cashOut(member, m, token);
        });
      });
    }).onSuccess(a -> a.send(ctx)).onFailure(e -> fail(ctx, e));
  }

  private Future<Movement> store(long member, CashQuote.Kind kind, String key, CashQuote q) {
    return context.pool().preparedQuery("INSERT INTO trading.cash_movement (member_id, kind, request_key, point_type, points,"
            + " gross_won, fee_won, net_won, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'PENDING', $9)"
            + " ON CONFLICT DO NOTHING RETURNING id")
        .execute(Tuple.from(new Object[] {member, kind.name(), key, q.pointType(), q.points(), q.grossWon(), q.feeWon(),
            q.netWon(), context.clock().instant().atOffset(ZoneOffset.UTC)}))
        .compose(ins -> context.pool().preparedQuery("SELECT " + MOVEMENT_COLUMNS
                + " FROM trading.cash_movement WHERE member_id = $1 AND kind = $2 AND request_key = $3")
            .execute(Tuple.of(member, kind.name(), key)).map(rows -> movement(rows.iterator().next(), ins.size() == 1)));
  }

  static final String MOVEMENT_COLUMNS = "id, member_id, kind, point_type, points, gross_won, fee_won, net_won, state, reason, created_at";

  static Movement movement(Row r, boolean fresh) {
    return new Movement(r.getLong("id"), fresh, r.getInteger("point_type"), r.getLong("points"), r.getLong("gross_won"),
        r.getLong("fee_won"), r.getLong("net_won"), r.getString("state"), r.getString("reason"),
        r.getOffsetDateTime("created_at").withOffsetSameInstant(ZoneOffset.UTC).toLocalDate());
  }

  /** A request refused before anything moved leaves no row, so the member can confirm the new quote with the same key. */
  private Future<Void> forget(Movement m) {
    return context.pool().preparedQuery("DELETE FROM trading.cash_movement WHERE id = $1 AND state = 'PENDING'")
        .execute(Tuple.of(m.id())).mapEmpty();
  }

  private Future<Boolean> takeLimit(long member, CashQuote.Kind kind, long won) {
    long max = options.dailyMaxOf(kind);
    if (won > max) return Future.succeededFuture(false);
    return context.pool().preparedQuery("INSERT INTO trading.daily_cash (member_id, day, kind, used_won) VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (member_id, day, kind) DO UPDATE SET used_won = trading.daily_cash.used_won + EXCLUDED.used_won"
            + " WHERE trading.daily_cash.used_won + EXCLUDED.used_won <= $5 RETURNING used_won")
        .execute(Tuple.of(member, today(), kind.name(), won, max)).map(rows -> rows.size() == 1);
  }

  /** The won taken from the limit of the day the request was made. */
  private Future<Void> giveLimitBack(long member, CashQuote.Kind kind, Movement m) {
    return context.pool().preparedQuery("UPDATE trading.daily_cash SET used_won = GREATEST(0, used_won - $4)"
            + " WHERE member_id = $1 AND day = $2 AND kind = $3").execute(Tuple.of(member, m.day(), kind.name(), m.grossWon())).mapEmpty();
  }

  private Future<Movement> finish(Movement m, String state, String providerRef, String reason) {
    return context.pool().preparedQuery("UPDATE trading.cash_movement SET state = $2, provider_ref = $3, reason = $4"
            + " WHERE id = $1 AND state = 'PENDING'").execute(Tuple.of(m.id(), state, providerRef, reason))
        .map(r -> new Movement(m.id(), false, m.pointType(), m.points(), m.grossWon(), m.feeWon(), m.netWon(), state, reason, m.day()));
  }

  /** Partner points come from and go back to the shop's issuance account; the operator's own from its own. */
  private Future<Account> issuer(int type) {
    String owner = partners.ofPointType(type).map(Partners::owner).orElse(StandardPointTypes.OPERATOR);
    return f(context.ledger().openAccount(owner, type, AccountFlags.NONE));
  }

  private Future<Account> memberAccount(long member, int type) {
    return f(context.ledger().openAccount("member:" + member, type, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
  }

  static String buyKey(Movement m) {
    return "trading:buy:" + m.id();
  }

  static String cashOutKey(Movement m) {
    return "trading:cashout:" + m.id();
  }

  private Future<Answer> buy(long member, Movement m, String token) {
    return payments.charge(buyKey(m), m.netWon(), token).compose(paid -> settleBuy(member, m, paid));
  }

  /** Finishes a purchase once the provider's outcome is known (also used by {@link CashRecovery}). */
  Future<Answer> settleBuy(long member, Movement m, PaymentProvider.Result paid) {
    String key = buyKey(m);
    return switch (paid.outcome()) {
      case DECLINED -> giveLimitBack(member, CashQuote.Kind.BUY, m)
          .compose(v -> finish(m, "DECLINED", null, paid.reason())).map(x -> Answer.error(402, "payment_declined", paid.reason()));
      case FAILED -> giveLimitBack(member, CashQuote.Kind.BUY, m)
          .compose(v -> finish(m, "FAILED", null, paid.reason()))
          .map(x -> Answer.error(502, "payment_unavailable", paid.reason() + ": nothing was charged; try again with a new request"));
      case APPROVED -> issuer(m.pointType()).compose(from -> memberAccount(member, m.pointType()).compose(to ->
              f(context.ledger().submit(Transfer.single(Transfer.idOf(key), from.id(), to.id(), m.points(),
                  TransferCodes.POINTS_BOUGHT, "points bought, " + m.netWon() + " won")))))
          .compose(r -> {
            if (!r.applied()) return Future.failedFuture(new IllegalStateException("issuing bought points refused: " + r));
            return finish(m, "DONE", paid.reference(), null).compose(done -> event(member, done, CashQuote.Kind.BUY))
                .map(done -> Answer.of(done, CashQuote.Kind.BUY));
          });
    };
  }

  private Future<Answer> cashOut(long member, Movement m, String token) {
    String key = cashOutKey(m);
    return memberAccount(member, m.pointType()).compose(from -> issuer(m.pointType()).compose(to ->
        f(context.ledger().submit(Transfer.reserve(Transfer.idOf(key + ":hold"), from.id(), to.id(), m.points(),
            options.cashOutHoldSeconds(), TransferCodes.CASH_OUT, "cash-out " + m.id())))))
        .compose(held -> {
          if (held == TransferResult.EXCEEDS_CREDITS) {
            return giveLimitBack(member, CashQuote.Kind.CASH_OUT, m)
                .compose(v -> finish(m, "DECLINED", null, "not enough points available"))
                .map(x -> Answer.error(409, "insufficient_points", "not enough points available"));
          }
          if (!held.applied()) return Future.failedFuture(new IllegalStateException("cash-out hold refused: " + held));
          return payments.payout(key, m.netWon(), token).compose(paid -> settleCashOut(member, m, paid));
        });
  }

  /** Posts or voids the cash-out's hold once the payout's outcome is known (also used by {@link CashRecovery}). */
  Future<Answer> settleCashOut(long member, Movement m, PaymentProvider.Result paid) {
    String key = cashOutKey(m);
    if (paid.outcome() == PaymentProvider.Outcome.APPROVED) {
      return f(context.ledger().submit(Transfer.post(Transfer.idOf(key + ":post"), Transfer.idOf(key + ":hold"),
          m.points(), TransferCodes.CASH_OUT, "cash-out " + m.id()))).compose(r -> {
            if (!r.applied()) return Future.failedFuture(new IllegalStateException("cash-out post refused: " + r));
            return finish(m, "DONE", paid.reference(), null).compose(done -> event(member, done, CashQuote.Kind.CASH_OUT))
                .map(done -> Answer.of(done, CashQuote.Kind.CASH_OUT));
          });
    }
    boolean declined = paid.outcome() == PaymentProvider.Outcome.DECLINED;
    return f(context.ledger().submit(Transfer.voidPending(Transfer.idOf(key + ":void"), Transfer.idOf(key + ":hold"),
            TransferCodes.CASH_OUT_RELEASE, "cash-out " + m.id() + " not paid")))
        .compose(r -> giveLimitBack(member, CashQuote.Kind.CASH_OUT, m))
        .compose(v -> finish(m, declined ? "DECLINED" : "FAILED", null, paid.reason()))
        .map(x -> declined ? Answer.error(402, "payout_declined", paid.reason())
            : Answer.error(502, "payment_unavailable", paid.reason() + ": your points were released; try again with a new request"));
  }

  private Future<Movement> event(long member, Movement m, CashQuote.Kind kind) {
    return outbox.recordFor(m.pointType(), (kind == CashQuote.Kind.BUY ? "buy:" : "cashout:") + m.id(),
            kind == CashQuote.Kind.BUY ? "points.bought" : "points.cashed_out",
            m.json(kind).put("memberId", member).put("at", context.clock().instant().toString()))
        .map(m);
  }

  /** The HTTP answer of a request, built without touching the routing context until the end. */
  record Answer(int status, JsonObject body) {
    static Answer error(int status, String error, String reason) {
      return new Answer(status, new JsonObject().put("error", error).put("reason", reason));
    }

    static Answer of(Movement m, CashQuote.Kind kind) {
      return switch (m.state()) {
        case "DONE" -> new Answer(201, m.json(kind));
        case "DECLINED" -> error(402, kind == CashQuote.Kind.BUY ? "payment_declined" : "payout_declined", m.reason());
        default -> error(502, "payment_unavailable", m.reason() + ": try again with a new request");
      };
    }

    static Answer rateChanged(CashQuote q) {
      return new Answer(409, new JsonObject().put("error", "rate_changed")
          .put("reason", "the rate changed: confirm the new amount of " + q.netWon() + " won").put("quote", q.json()));
    }

    void send(RoutingContext ctx) {
      Web.json(ctx, status, body);
    }
  }
}
