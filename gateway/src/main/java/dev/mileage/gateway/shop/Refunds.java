package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Cancelling a paid order. The policy for mileage the order earned:
 * <ol>
 *   <li>the mileage still in the member's account (up to what the order earned) is taken back;</li>
 *   <li>mileage already spent is deducted from the cash refund at its cash value, rounded up to a won;</li>
 *   <li>if the cash refund is too small to cover it, the rest is written off by the operator: the balance
 *       is never pushed below zero;</li>
 *   <li>points the member paid with are given back in full; the stock is put back.</li>
 * </ol>
 * The amounts are decided once and stored on the order before anything moves, so a retried refund repeats
 * exactly the same idempotent transfers and the same provider call.
 */
public final class Refunds {
  public enum Result { REFUNDED, ALREADY_REFUNDED, NOT_REFUNDABLE, NOT_FOUND, BALANCE_CHANGED, PROVIDER_REFUSED }

  public record Outcome(Result result, Order order, String reason) { }

  private final Pool pool;
  private final Clock clock;
  private final LedgerAccess accounts;
  private final PaymentProvider payments;
  private final OrderService orders;
  private final Points points;

  public Refunds(Pool pool, Clock clock, LedgerAccess accounts, PaymentProvider payments, OrderService orders, Points points) {
    this.pool = pool;
    this.clock = clock;
    this.accounts = accounts;
    this.payments = payments;
    this.orders = orders;
    this.points = points;
  }

  /** @param memberId the member asking (only their own orders), or 0 for back-office staff */
  public Future<Outcome> refund(long orderId, long memberId) {
    return orders.load(orderId).compose(o -> {
      if (o == null || (memberId != 0 && o.memberId() != memberId)) return done(Result.NOT_FOUND, null, "no such order");
      if (o.status() == Order.Status.REFUNDED) return done(Result.ALREADY_REFUNDED, o, "");
      if (o.status() != Order.Status.PAID) return done(Result.NOT_REFUNDABLE, o, "only paid orders can be refunded");
      return (o.refundedAt() != null ? Future.succeededFuture(o) : decide(o)).compose(this::execute);
    });
  }

  /** Fixes the reversal and the deduction on the order (first caller wins; others read what it fixed). */
  private Future<Order> decide(Order o) {
    return accounts.member(o.memberId(), StandardPointTypes.MILEAGE).compose(acct -> points.cashMicrosPerUnit(StandardPointTypes.MILEAGE)
        .compose(micros -> {
          long reversal = Math.min(o.mileageEarned(), Math.max(0, acct.available()));
          long spent = o.mileageEarned() - reversal;
          long deduction = Math.min(o.cashWon(), (spent * micros + 999_999) / 1_000_000);
          return pool.preparedQuery("UPDATE shop.orders SET refunded_at = $2, mileage_reversed = $3, refund_deduction_won = $4"
                  + " WHERE id = $1 AND status = 'PAID' AND refunded_at IS NULL")
              .execute(Tuple.of(o.id(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC), reversal, deduction))
              .compose(v -> orders.load(o.id()));
        }));
  }

  private Future<Outcome> execute(Order o) {
    Future<TransferResult> reverse = o.mileageReversed() == 0 ? Future.succeededFuture(TransferResult.OK)
        : accounts.member(o.memberId(), StandardPointTypes.MILEAGE).compose(m -> accounts.issuance(StandardPointTypes.MILEAGE)
            .compose(op -> accounts.submit(Transfer.single(OrderService.id(o.id(), "mileage-reversal"), m.id(), op.id(),
                o.mileageReversed(), TransferCodes.ORDER_MILEAGE_REVERSAL, "refund of order " + o.id()))));
    return reverse.compose(r -> {
      if (!r.applied()) {
        // spent between deciding and now: decide again on the next attempt
        return pool.preparedQuery("UPDATE shop.orders SET refunded_at = NULL WHERE id = $1 AND status = 'PAID'")
            .execute(Tuple.of(o.id())).compose(v -> done(Result.BALANCE_CHANGED, o, "the mileage balance changed; try again"));
      }
      Future<TransferResult> giveBack = o.pointsAmount() == 0 ? Future.succeededFuture(TransferResult.OK)
          : accounts.member(o.memberId(), o.pointsType()).compose(m -> accounts.issuance(o.pointsType())
              .compose(op -> accounts.submit(Transfer.single(OrderService.id(o.id(), "points-return"), op.id(), m.id(),
                  o.pointsAmount(), TransferCodes.ORDER_POINTS_REFUND, "refund of order " + o.id()))));
      return giveBack.compose(g -> {
        if (!g.applied()) return Future.failedFuture(new IllegalStateException("points return refused: " + g));
        long cash = o.cashWon() - o.refundDeductionWon();
        Future<PaymentProvider.Result> money = cash == 0
            ? Future.succeededFuture(new PaymentProvider.Result(PaymentProvider.Outcome.APPROVED, "none", ""))
            : payments.refund("order:" + o.id() + ":refund", o.paymentRef(), cash);
        return money.compose(p -> {
          if (p.outcome() != PaymentProvider.Outcome.APPROVED) return done(Result.PROVIDER_REFUSED, o, p.reason());
          return pool.withTransaction(c -> c.preparedQuery("UPDATE shop.orders SET status = 'REFUNDED' WHERE id = $1 AND status = 'PAID'")
                  .execute(Tuple.of(o.id())).compose(u -> u.rowCount() == 0 ? Future.succeededFuture() : OrderService.restock(c, o)))
              .compose(v -> orders.load(o.id())).compose(after -> done(Result.REFUNDED, after, ""));
        });
      });
    });
  }

  private static Future<Outcome> done(Result r, Order o, String reason) {
    return Future.succeededFuture(new Outcome(r, o, reason));
  }
}
