package dev.mileage.gateway.trading;

import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.shop.PaymentProvider;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Finishes purchases and cash-outs cut short by a crash: a request still PENDING after {@link #AGE} (far
 * longer than any provider call) asks the provider what became of its key. Money taken gets its points; a
 * payout made gets its hold posted; anything the provider never saw is released and marked FAILED, with the
 * day's limit given back. So a crash never leaves a member charged without points or points held for nothing.
 */
final class CashRecovery {
  static final Duration AGE = Duration.ofMinutes(10);
  static final int BATCH_MAX = 100;

  private final GatewayContext context;
  private final PaymentProvider payments;
  private final CashRoutes cash;

  CashRecovery(GatewayContext context, PaymentProvider payments, CashRoutes cash) {
    this.context = context;
    this.payments = payments;
    this.cash = cash;
  }

  /** Settles stale PENDING requests; answers how many it finished. */
  Future<Integer> finishStale() {
    return context.pool().preparedQuery("SELECT " + CashRoutes.MOVEMENT_COLUMNS + " FROM trading.cash_movement"
            + " WHERE state = 'PENDING' AND created_at < $1 ORDER BY id LIMIT " + BATCH_MAX)
        .execute(Tuple.of(context.clock().instant().minus(AGE).atOffset(ZoneOffset.UTC))).compose(rows -> {
          List<Row> stale = new ArrayList<>();
          rows.forEach(stale::add);
          Future<Integer> chain = Future.succeededFuture(0);
          for (Row r : stale) chain = chain.compose(n -> finish(r).map(v -> n + 1));
          return chain;
        });
  }

  private Future<CashRoutes.Answer> finish(Row r) {
    long member = r.getLong("member_id");
    CashRoutes.Movement m = CashRoutes.movement(r, false);
    boolean buy = r.getString("kind").equals(CashQuote.Kind.BUY.name());
    String key = buy ? CashRoutes.buyKey(m) : CashRoutes.cashOutKey(m);
    return payments.lookup(key).compose(outcome -> {
      // never seen by the provider (or unknown): nothing was charged or paid, so the request is released
      PaymentProvider.Result settled = outcome.outcome() == PaymentProvider.Outcome.APPROVED ? outcome
          : new PaymentProvider.Result(PaymentProvider.Outcome.FAILED, null, "interrupted before the payment service answered");
      return buy ? cash.settleBuy(member, m, settled) : cash.settleCashOut(member, m, settled);
    });
  }
}
