package dev.mileage.gateway.trading;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.http.Authenticator;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.SecretBox;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.Points;
import dev.mileage.gateway.shop.Wallet;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
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

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Trading: members' portfolios at current cash values, limit orders ({@link OrderRoutes}), gifts by phone
 * number, exchange rates from operators or a feed ({@link Rates}), buying and cashing out points
 * ({@link CashRoutes}), partner shops with signed requests ({@link PartnerRoutes}) and their webhook
 * outbox ({@link Outbox}), and the members' trading history. A member only ever reaches {@code member:<own id>}
 * accounts: the owner comes from the session, never from the request.
 */
public final class TradingFeature implements Feature {
  public static final long EXPIRY_INTERVAL_MS = 1_000;
  public static final Duration NONCE_SWEEP_INTERVAL = Duration.ofMinutes(1);
  public static final Duration CASH_RECOVERY_INTERVAL = Duration.ofMinutes(1);
  public static final int DEPTH_MAX = 50;
  public static final int LIFETIME_SECONDS_DEFAULT = 24 * 3600;
  public static final int HISTORY_CASH_MAX = 100;
  /** Gifts to unknown phone numbers a member may try per window: nobody maps members' numbers by guessing. */
  public static final int PHONE_MISSES_MAX = 5;
  /**
   * The same from one source address, whichever members it signs in as: accounts cost nothing to make, so the
   * per-member count alone would let one client map every member's number with fresh accounts.
   */
  public static final int PHONE_MISSES_PER_SOURCE_MAX = 20;
  public static final Duration PHONE_MISS_WINDOW = Duration.ofMinutes(15);
  public static final int PHONE_MISS_KEYS_MAX = 100_000;
  /**
   * What members trade, give, buy and cash out here: their currencies. Vendor tokens are the mall's, under its rules
   * (gift and auction tokens are never exchanged, manufacturer tokens pay only for listed products, its exchange has
   * its own charge); certificates, cash and phone-bill types are the operator's own bookkeeping.
   */
  static final java.util.Set<PointKind> TRADABLE_KINDS = java.util.EnumSet.of(PointKind.MILEAGE, PointKind.CYBER_MONEY,
      PointKind.PURCHASE_POINTS, PointKind.AD_CLICK_POINTS, PointKind.THANK_YOU_COUPON);
  private static final Logger LOG = Logger.getLogger(TradingFeature.class.getName());

  private final TradingSettings settings;
  private GatewayContext context;
  private TradingDesk desk;
  private PgBookJournal journal;
  private Partners partners;
  private Outbox outbox;
  private Rates rates;
  private Wallet wallet;
  private CashRecovery cashRecovery;

  public TradingFeature() {
    this(TradingSettings.fromEnvironment());
  }

  public TradingFeature(TradingSettings settings) {
    this.settings = settings;
  }

  @Override
  public String name() {
    return "trading";
  }

  @Override
  public boolean hasSchema() {
    return true;
  }

  @Override
  public void start(GatewayContext ctx) {
    context = ctx;
    journal = new PgBookJournal(ctx.pool());
    desk = new TradingDesk(ctx.ledger(), ctx.clock(), TradingOptions.DEFAULTS, journal);
    try {
      partners = new Partners(ctx.vertx(), ctx.pool(), ctx.ledger(), ctx.clock(), SecretBox.load(
          Optional.ofNullable(System.getenv(SecretBox.ENV_KEY)), ctx.config().dataDir()));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("the secrets key could not be read or made", e);
    }
    outbox = new Outbox(ctx.vertx(), ctx.pool(), ctx.clock(), partners);
    rates = new Rates(ctx, settings.rateFeed() == null ? null : settings.rateFeed().apply(ctx.vertx()));
    LedgerAccess access = new LedgerAccess(ctx.ledger(), ctx.vertx());
    wallet = new Wallet(access, new Points(access));
  }

  public TradingDesk desk() {
    return desk;
  }

  /** Delivers due webhooks now (tests; the verticle does it every {@code outboxInterval}). */
  public Future<Integer> deliverWebhooks() {
    return outbox.deliverDue();
  }

  /** Pulls the rate feed now (tests and operators; the verticle does it every {@code ratePollInterval}). */
  public Future<JsonObject> pullRates() {
    return rates.pull().map(Rates.PullReport::json);
  }

  /** Finishes purchases and cash-outs interrupted by a crash (tests; the verticle does it every minute). */
  public Future<Integer> finishStaleCash() {
    return cashRecovery == null ? Future.succeededFuture(0) : cashRecovery.finishStale();
  }

  @Override
  public List<Authenticator> authenticators(GatewayContext ctx) {
    return List.of(partners);
  }

  @Override
  public void mountApi(Router api, GatewayContext ctx) {
    api.get("/trading/point-types").handler(Web.handle(this::pointTypes));
    api.get("/trading/portfolio").handler(Web.handle(this::portfolio));
    api.get("/trading/history").handler(Web.handle(this::history));
    new OrderRoutes(ctx, desk, GuessLimiter.persistent("trading.phone_miss", PHONE_MISSES_MAX, PHONE_MISS_WINDOW,
        PHONE_MISS_KEYS_MAX, ctx.clock(), ctx.pool()),
        GuessLimiter.persistent("trading.phone_miss_source", PHONE_MISSES_PER_SOURCE_MAX, PHONE_MISS_WINDOW,
            PHONE_MISS_KEYS_MAX, ctx.clock(), ctx.pool()),
        outbox).mount(api);
    rates.mount(api);
    CashRoutes cash = new CashRoutes(ctx, settings.payments(), settings.cash(), partners, outbox, rates);
    cash.mount(api);
    cashRecovery = new CashRecovery(ctx, settings.payments(), cash);
    new PartnerRoutes(ctx, partners, outbox).mount(api);
  }

  @Override
  public List<Deployable> verticles(GatewayContext ctx) {
    return List.of(new VerticleBase() {
      @Override
      public Future<?> start() {
        return partners.load().compose(v -> journal.load()).compose(open -> Web.future(vertx, desk.restore(open)))
            .onSuccess(n -> {
              if (n > 0) LOG.info(n + " open trading orders restored");
              vertx.setPeriodic(EXPIRY_INTERVAL_MS, t -> desk.expireDue());
              vertx.setPeriodic(settings.outboxInterval().toMillis(), t -> outbox.deliverDue()
                  .onFailure(e -> LOG.warning("webhook delivery round failed: " + e.getMessage())));
              vertx.setPeriodic(NONCE_SWEEP_INTERVAL.toMillis(), t -> partners.forgetOldNonces());
              vertx.setPeriodic(CASH_RECOVERY_INTERVAL.toMillis(), t -> finishStaleCash()
                  .onFailure(e -> LOG.warning("finishing interrupted purchases failed: " + e.getMessage())));
              rates.feed().ifPresent(feed -> vertx.setPeriodic(settings.ratePollInterval().toMillis(), t -> rates.pull()
                  .onFailure(e -> LOG.warning("rate feed " + feed.name() + " failed: " + e.getMessage()))));
            });
      }

      @Override
      public Future<?> stop() {
        outbox.close();
        rates.feed().ifPresent(feed -> {
          if (feed instanceof HttpRateFeed http) http.close();
        });
        return Future.succeededFuture();
      }
    });
  }

  // ---- member routes --------------------------------------------------------------------------------

  /** The signed-in member's id, or answers 403 and is null. */
  static Long member(RoutingContext ctx) {
    Optional<Caller> c = Caller.of(ctx);
    if (c.isEmpty() || c.get().kind() != Caller.Kind.MEMBER) {
      Web.error(ctx, 403, "forbidden", "members only: sign in as a member");
      return null;
    }
    return Long.parseLong(c.get().owner().substring("member:".length()));
  }

  static boolean tradable(PointType t) {
    return t != null && TRADABLE_KINDS.contains(t.kind()) && !t.restricted();
  }

  /** False when one of {@code typeIds} is a point type that is not traded here (unknown ids are left to the caller). */
  static Future<Boolean> tradable(GatewayContext context, int... typeIds) {
    return Web.future(context.vertx(), context.ledger().pointTypes()).map(types -> {
      for (int id : typeIds) {
        if (types.stream().anyMatch(t -> t.id() == id && !tradable(t))) return false;
      }
      return true;
    });
  }

  static final String NOT_TRADABLE = "these points are not traded, given or cashed here: vendor tokens follow the mall's rules";

  static String owner(long memberId) {
    return "member:" + memberId;
  }

  private <T> Future<T> f(java.util.concurrent.CompletionStage<T> stage) {
    return Web.future(context.vertx(), stage);
  }

  /** The tradable point types with their current cash values, for members choosing a pair. */
  private void pointTypes(RoutingContext ctx) {
    if (member(ctx) == null) return;
    f(context.ledger().pointTypes()).onSuccess(types -> Web.json(ctx, 200, new JsonArray(types.stream()
        .filter(TradingFeature::tradable)
        .map(t -> new JsonObject().put("id", t.id()).put("code", t.code()).put("cashMicrosPerUnit", t.cashMicrosPerUnit())
            .put("partnerId", partners.ofPointType(t.id()).orElse(null)))
        .toList()))).onFailure(ctx::fail);
  }

  private void portfolio(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    rates.types().compose(types -> f(context.ledger().accountsOf(owner(id))).map(accounts -> {
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

  /** Every movement of the member's points with its reason in words, and their purchases and cash-outs. */
  private void history(RoutingContext ctx) {
    Long id = member(ctx);
    if (id == null) return;
    wallet.wallet(id).compose(w -> context.pool().preparedQuery("SELECT id, kind, point_type, points, gross_won, fee_won,"
            + " net_won, state, reason, created_at FROM trading.cash_movement WHERE member_id = $1 ORDER BY id DESC LIMIT "
            + HISTORY_CASH_MAX).execute(Tuple.of(id)).map(rows -> {
              JsonArray cash = new JsonArray();
              for (Row r : rows) {
                cash.add(new JsonObject().put("id", r.getLong("id")).put("kind", r.getString("kind"))
                    .put("pointType", r.getInteger("point_type")).put("points", r.getLong("points"))
                    .put("grossWon", r.getLong("gross_won")).put("feeWon", r.getLong("fee_won"))
                    .put("netWon", r.getLong("net_won")).put("state", r.getString("state"))
                    .put("reason", r.getString("reason") == null ? "" : r.getString("reason"))
                    .put("at", r.getOffsetDateTime("created_at").toInstant().toString()));
              }
              return new JsonObject().put("movements", w.getJsonArray("movements")).put("cash", cash);
            }))
        .onSuccess(h -> Web.json(ctx, 200, h)).onFailure(ctx::fail);
  }
}
