package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Checkout: stock is reserved in the order's transaction, points are reserved in the ledger, then the
 * card is charged; the outcome posts or voids the points, credits mileage and settles the order. Every
 * step is idempotent (ledger ids and the provider key come from the order id), so repeating a checkout
 * with the same checkout key resumes a PENDING order instead of charging twice.
 *
 * <p>Mileage is earned on the part paid in cash: {@code floor(items' mileage * cash / total)}.
 */
public final class OrderService {
  public static final int LINES_MAX = 20;
  public static final int QUANTITY_MAX = 99;
  public static final int POINTS_HOLD_SECONDS = 900;
  public static final int HISTORY_MAX = 50;
  /** A checkout still PENDING after this long was cut short (a crash): recovery finishes it. */
  public static final java.time.Duration STALE_AFTER = java.time.Duration.ofMinutes(10);
  public static final int RECOVER_BATCH_MAX = 100;
  public static final Set<Integer> ACCEPTED_POINT_TYPES = Set.of(StandardPointTypes.MILEAGE,
      StandardPointTypes.CYBER_MONEY, StandardPointTypes.PURCHASE_POINTS, StandardPointTypes.AD_CLICK_POINTS,
      StandardPointTypes.THANK_YOU_COUPON);

  public enum Result { PAID, DECLINED, PAYMENT_FAILED, OUT_OF_STOCK, INSUFFICIENT_POINTS, UNKNOWN_PRODUCT, BAD_VARIANT,
    POINTS_EXCEED_TOTAL, POINT_TYPE_NOT_ACCEPTED, NOT_VERIFIED, PENDING, CHECKOUT_KEY_REUSED }

  public record Line(long productId, int quantity, String variant) {
    public Line {
      if (productId <= 0) throw new IllegalArgumentException("productId must be positive");
      if (quantity < 1 || quantity > QUANTITY_MAX) throw new IllegalArgumentException("quantity must be 1.." + QUANTITY_MAX);
      variant = variant == null ? "" : variant;
    }
  }

  public record Request(String checkoutKey, List<Line> lines, int pointsType, long pointsAmount, String paymentToken) {
    public Request {
      if (checkoutKey == null || !checkoutKey.matches("[A-Za-z0-9_-]{8,64}")) {
        throw new IllegalArgumentException("checkoutKey must be 8..64 of letters, digits, '-', '_'");
      }
      lines = List.copyOf(lines);
      if (lines.isEmpty() || lines.size() > LINES_MAX) throw new IllegalArgumentException("an order has 1.." + LINES_MAX + " lines");
      if (pointsAmount < 0) throw new IllegalArgumentException("pointsAmount must not be negative");
      paymentToken = paymentToken == null ? "" : paymentToken;
    }
  }

  public record Outcome(Result result, long orderId, String reason) { }

  private final Pool pool;
  private final Clock clock;
  private final LedgerAccess accounts;
  private final PaymentProvider payments;
  private final Points points;

  public OrderService(Pool pool, Clock clock, LedgerAccess accounts, PaymentProvider payments, Points points) {
    this.pool = pool;
    this.clock = clock;
    this.accounts = accounts;
    this.payments = payments;
    this.points = points;
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  static UUID id(long orderId, String step) {
    return Transfer.idOf("order:" + orderId + ":" + step);
  }

  public Future<Outcome> checkout(long memberId, Request req) {
    if (req.pointsAmount() > 0 && !ACCEPTED_POINT_TYPES.contains(req.pointsType())) {
      return Future.succeededFuture(new Outcome(Result.POINT_TYPE_NOT_ACCEPTED, 0, "the shop does not take these points"));
    }
    return pool.preparedQuery("SELECT phone_verified_at IS NOT NULL FROM members.member WHERE id = $1")
        .execute(Tuple.of(memberId)).compose(v -> {
          if (v.size() == 0 || !v.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new Outcome(Result.NOT_VERIFIED, 0, "verify your phone number first"));
          }
          return byKey(memberId, req.checkoutKey()).compose(found -> {
            if (found != null && !sameRequest(found, req)) {
              return Future.succeededFuture(new Outcome(Result.CHECKOUT_KEY_REUSED, 0,
                  "this checkoutKey was used for a different order; use a new key for a new cart"));
            }
            if (found != null) return found.status() == Order.Status.PENDING ? process(found, req.paymentToken()) : Future.succeededFuture(outcome(found));
            Future<Long> value = req.pointsAmount() == 0 ? Future.succeededFuture(0L) : points.cashMicrosPerUnit(req.pointsType());
            return value.compose(micros -> pool.withTransaction(c -> create(c, memberId, req, micros)))
                .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
                    ? byKey(memberId, req.checkoutKey()).map(o -> new Outcome(Result.PENDING, o.id(), "")) : Future.failedFuture(e))
                .compose(o -> o.result() != Result.PENDING ? Future.succeededFuture(o)
                    : load(o.orderId()).compose(order -> process(order, req.paymentToken())));
          });
        });
  }

  /** Whether a repeated checkout asks for the order made under its key: the same lines in order, the same points. */
  static boolean sameRequest(Order o, Request req) {
    if (o.pointsAmount() != req.pointsAmount() || (req.pointsAmount() > 0 && o.pointsType() != req.pointsType())) return false;
    if (o.items().size() != req.lines().size()) return false;
    for (int i = 0; i < o.items().size(); i++) {
      Order.Item item = o.items().get(i);
      Line line = req.lines().get(i);
      String variant = item.variant() == null ? "" : item.variant();
      if (item.productId() != line.productId() || item.quantity() != line.quantity() || !variant.equals(line.variant())) {
        return false;
      }
    }
    return true;
  }

  /** Checks the lines against locked product rows, takes the stock and writes the PENDING order. */
  private Future<Outcome> create(SqlConnection c, long memberId, Request req, long pointMicros) {
    Long[] ids = req.lines().stream().map(Line::productId).distinct().toArray(Long[]::new);
    return c.preparedQuery("SELECT " + Catalog.COLUMNS + " FROM shop.product WHERE id = ANY($1) AND active ORDER BY id FOR UPDATE")
        .execute(Tuple.of(ids)).compose(rows -> {
          Map<Long, Product> products = new HashMap<>();
          rows.forEach(r -> products.put(r.getLong("id"), Catalog.product(r)));
          Map<Long, Integer> wanted = new HashMap<>();
          long total = 0;
          long mileage = 0;
          for (Line l : req.lines()) {
            Product p = products.get(l.productId());
            if (p == null) return Future.succeededFuture(new Outcome(Result.UNKNOWN_PRODUCT, 0, "no product " + l.productId()));
            if (!p.hasVariant(l.variant())) return Future.succeededFuture(new Outcome(Result.BAD_VARIANT, 0, p.name() + " has no variant '" + l.variant() + "'"));
            wanted.merge(p.id(), l.quantity(), Integer::sum);
            total = Math.addExact(total, p.priceWon() * l.quantity());
            mileage += p.mileage().forLine(p.priceWon(), l.quantity());
          }
          for (var w : wanted.entrySet()) {
            Product p = products.get(w.getKey());
            if (p.stock() < w.getValue()) return Future.succeededFuture(new Outcome(Result.OUT_OF_STOCK, 0, p.name() + ": only " + p.stock() + " left"));
          }
          long pointsValue = Math.multiplyHigh(req.pointsAmount(), pointMicros) != 0 ? Long.MAX_VALUE
              : req.pointsAmount() * pointMicros / 1_000_000;
          if (pointsValue > total) return Future.succeededFuture(new Outcome(Result.POINTS_EXCEED_TOTAL, 0, "more points than the order costs"));
          long cash = total - pointsValue;
          long earned = total == 0 ? 0 : mileage * cash / total;
          List<Tuple> stock = new ArrayList<>();
          wanted.forEach((id, q) -> stock.add(Tuple.of(id, q)));
          final long totalWon = total;
          return c.preparedQuery("UPDATE shop.product SET stock = stock - $2 WHERE id = $1").executeBatch(stock)
              .compose(v -> c.preparedQuery("INSERT INTO shop.orders (member_id, checkout_key, status, total_won, points_type,"
                      + " points_amount, points_value_won, cash_won, mileage_earned, created_at) VALUES ($1,$2,'PENDING',$3,$4,$5,$6,$7,$8,$9) RETURNING id")
                  .execute(Tuple.from(new Object[] {memberId, req.checkoutKey(), totalWon,
                      req.pointsAmount() == 0 ? null : req.pointsType(), req.pointsAmount(), pointsValue, cash, earned, now()})))
              .compose(ins -> {
                long orderId = ins.iterator().next().getLong(0);
                List<Tuple> items = new ArrayList<>();
                for (int i = 0; i < req.lines().size(); i++) {
                  Line l = req.lines().get(i);
                  Product p = products.get(l.productId());
                  items.add(Tuple.from(new Object[] {orderId, i + 1, p.id(), p.name(), l.variant(), p.priceWon(), l.quantity(),
                      p.mileage().forLine(p.priceWon(), l.quantity())}));
                }
                return c.preparedQuery("INSERT INTO shop.order_item (order_id, line, product_id, name, variant, unit_price_won,"
                        + " quantity, mileage) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)").executeBatch(items)
                    .map(v -> new Outcome(Result.PENDING, orderId, ""));
              });
        });
  }

  /** Reserve points, charge, then settle. Safe to run again on a PENDING order. */
  private Future<Outcome> process(Order o, String token) {
    Future<TransferResult> hold = o.pointsAmount() == 0 ? Future.succeededFuture(TransferResult.OK)
        : accounts.member(o.memberId(), o.pointsType()).compose(m -> accounts.issuance(o.pointsType()).compose(op ->
            accounts.submit(Transfer.reserve(id(o.id(), "points"), m.id(), op.id(), o.pointsAmount(), POINTS_HOLD_SECONDS,
                TransferCodes.ORDER_PAID_WITH_POINTS, "order " + o.id()))));
    return hold.compose(held -> {
      if (!held.applied()) return finish(o, Order.Status.FAILED, "not enough points", Result.INSUFFICIENT_POINTS);
      Future<PaymentProvider.Result> paid = o.cashWon() == 0
          ? Future.succeededFuture(new PaymentProvider.Result(PaymentProvider.Outcome.APPROVED, "points-only", ""))
          : payments.charge("order:" + o.id(), o.cashWon(), token);
      return paid.compose(p -> switch (p.outcome()) {
        case APPROVED -> settle(o, p.reference());
        case DECLINED -> release(o).compose(v -> finish(o, Order.Status.DECLINED, p.reason(), Result.DECLINED));
        case FAILED -> release(o).compose(v -> finish(o, Order.Status.FAILED, p.reason(), Result.PAYMENT_FAILED));
      });
    });
  }

  private Future<Void> release(Order o) {
    if (o.pointsAmount() == 0) return Future.succeededFuture();
    return accounts.submit(Transfer.voidPending(id(o.id(), "points-void"), id(o.id(), "points"),
        TransferCodes.ORDER_PAID_WITH_POINTS, "order " + o.id() + " not paid")).mapEmpty();
  }

  private Future<Outcome> settle(Order o, String paymentRef) {
    Future<TransferResult> post = o.pointsAmount() == 0 ? Future.succeededFuture(TransferResult.OK)
        : accounts.submit(Transfer.post(id(o.id(), "points-post"), id(o.id(), "points"), o.pointsAmount(),
            TransferCodes.ORDER_PAID_WITH_POINTS, "order " + o.id()));
    return post.compose(posted -> {
      if (!posted.applied()) {
        // the points hold ran out before the card answered: give the money back, sell nothing
        return payments.refund("order:" + o.id() + ":reversal", paymentRef, o.cashWon())
            .compose(r -> finish(o, Order.Status.FAILED, "points reservation expired (" + posted + ")", Result.PAYMENT_FAILED));
      }
      Future<TransferResult> mileage = o.mileageEarned() == 0 ? Future.succeededFuture(TransferResult.OK)
          : accounts.credit(o.memberId(), StandardPointTypes.MILEAGE, o.mileageEarned(), "order:" + o.id() + ":mileage",
              TransferCodes.ORDER_MILEAGE, "mileage for order " + o.id());
      return mileage.compose(m -> {
        if (!m.applied()) return Future.failedFuture(new IllegalStateException("mileage credit refused: " + m));
        return pool.preparedQuery("UPDATE shop.orders SET status = 'PAID', paid_at = $2, payment_ref = $3 WHERE id = $1 AND status = 'PENDING'")
            .execute(Tuple.of(o.id(), now(), paymentRef)).map(new Outcome(Result.PAID, o.id(), ""));
      });
    });
  }

  /**
   * Finishes checkouts cut short by a crash, well before their points hold expires: if the provider took
   * the money the order is settled (points posted, mileage credited), otherwise it is ended and everything
   * it held is released. Answers how many orders it finished.
   */
  public Future<Integer> recoverStale() {
    return pool.preparedQuery("SELECT id FROM shop.orders WHERE status = 'PENDING' AND created_at < $1 ORDER BY id LIMIT $2")
        .execute(Tuple.of(now().minus(STALE_AFTER), RECOVER_BATCH_MAX)).compose(rows -> {
          Future<Integer> chain = Future.succeededFuture(0);
          for (Row r : rows) {
            long id = r.getLong(0);
            chain = chain.compose(n -> load(id).compose(o -> payments.lookup("order:" + id).compose(p ->
                p.outcome() == PaymentProvider.Outcome.APPROVED ? settle(o, p.reference())
                    : release(o).compose(v -> finish(o, Order.Status.FAILED, "checkout interrupted; nothing was charged",
                        Result.PAYMENT_FAILED)))).map(done -> n + 1));
          }
          return chain;
        });
  }

  /** Ends an unpaid order and puts its stock back, once. */
  private Future<Outcome> finish(Order o, Order.Status status, String reason, Result result) {
    return pool.withTransaction(c -> c.preparedQuery("UPDATE shop.orders SET status = $2, decline_reason = $3 WHERE id = $1 AND status = 'PENDING'")
            .execute(Tuple.of(o.id(), status.name(), reason))
            .compose(u -> u.rowCount() == 0 ? Future.succeededFuture() : restock(c, o)))
        .map(v -> new Outcome(result, o.id(), reason));
  }

  static Future<Void> restock(SqlConnection c, Order o) {
    List<Tuple> back = o.items().stream().map(i -> Tuple.of(i.productId(), i.quantity())).toList();
    return c.preparedQuery("UPDATE shop.product SET stock = stock + $2 WHERE id = $1").executeBatch(back).mapEmpty();
  }

  static Outcome outcome(Order o) {
    return switch (o.status()) {
      case PAID, REFUNDED -> new Outcome(Result.PAID, o.id(), "");
      case DECLINED -> new Outcome(Result.DECLINED, o.id(), o.declineReason());
      case FAILED -> new Outcome(Result.PAYMENT_FAILED, o.id(), o.declineReason());
      case PENDING -> new Outcome(Result.PENDING, o.id(), "");
    };
  }

  private Future<Order> byKey(long memberId, String key) {
    return pool.preparedQuery("SELECT id FROM shop.orders WHERE member_id = $1 AND checkout_key = $2")
        .execute(Tuple.of(memberId, key)).compose(r -> r.size() == 0 ? Future.succeededFuture(null) : load(r.iterator().next().getLong(0)));
  }

  public Future<Order> load(long orderId) {
    return pool.preparedQuery("SELECT " + Order.COLUMNS + " FROM shop.orders WHERE id = $1").execute(Tuple.of(orderId))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(null);
          Row r = rows.iterator().next();
          return items(orderId).map(items -> Order.of(r, items));
        });
  }

  private Future<List<Order.Item>> items(long orderId) {
    return pool.preparedQuery("SELECT line, product_id, name, variant, unit_price_won, quantity, mileage FROM shop.order_item"
            + " WHERE order_id = $1 ORDER BY line").execute(Tuple.of(orderId))
        .map(rows -> {
          List<Order.Item> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Order.Item(r.getInteger(0), r.getLong(1), r.getString(2), r.getString(3),
              r.getLong(4), r.getInteger(5), r.getLong(6))));
          return out;
        });
  }

  /** The newest orders of a member (memberId > 0) or of everybody (0, for the back office). */
  public Future<List<Order>> history(long memberId) {
    return pool.preparedQuery("SELECT id FROM shop.orders WHERE ($1 = 0 OR member_id = $1) ORDER BY id DESC LIMIT $2")
        .execute(Tuple.of(memberId, HISTORY_MAX)).compose(rows -> {
          List<Future<Order>> loads = new ArrayList<>();
          rows.forEach(r -> loads.add(load(r.getLong(0))));
          return Future.all(loads).map(all -> { List<Order> out = new ArrayList<>(); for (int i = 0; i < loads.size(); i++) out.add(all.resultAt(i)); return out; });
        });
  }
}
