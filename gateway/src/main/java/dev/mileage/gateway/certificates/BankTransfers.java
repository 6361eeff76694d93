package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.PaymentProvider;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The deposit side of bank-transfer purchases. The payment provider posts a signed notice when money arrives
 * in an order's virtual account; only a verified notice for a known order, with exactly the order's amount,
 * before its deadline, pays it (AWAITING_DEPOSIT -> PAID, one row update) and then issues the certificates
 * through {@link PurchaseService#issue}, whose every step is idempotent. A repeated notice answers
 * ALREADY_PAID and issues nothing; a refused one changes nothing.
 */
final class BankTransfers {
  /** Precedence order: the first that applies is the answer. */
  enum Outcome { BAD_SIGNATURE, UNKNOWN_REFERENCE, ALREADY_PAID, EXPIRED, NOT_PAYABLE, AMOUNT_MISMATCH, ISSUED }

  record Result(Outcome outcome, long purchaseId, String reason) { }

  private final Pool pool;
  private final Clock clock;
  private final Catalog catalog;
  private final PurchaseService purchases;
  private final PaymentProvider payments;

  BankTransfers(Pool pool, Clock clock, Catalog catalog, PurchaseService purchases, PaymentProvider payments) {
    this.pool = pool;
    this.clock = clock;
    this.catalog = catalog;
    this.purchases = purchases;
    this.payments = payments;
  }

  /** A deposit notice as the provider's webhook delivers it. */
  Future<Result> notice(PaymentProvider.DepositNotice notice) {
    Optional<PaymentProvider.Deposit> d = payments.verifyDeposit(notice);
    if (d.isEmpty()) return Future.succeededFuture(new Result(Outcome.BAD_SIGNATURE, 0, "the notice's signature is not the payment provider's"));
    return deposit(d.get());
  }

  /**
   * Sandbox only: the buyer's bank pays {@code amountWon} into the member's own order; the provider's notice
   * then takes the same path as a real one. Empty when the order is not the member's bank transfer, or the
   * provider is not a sandbox.
   */
  Future<Optional<Result>> simulate(long memberId, long purchaseId, long amountWon) {
    return pool.preparedQuery("SELECT payment_reference FROM certificates.purchase WHERE id = $1 AND member_id = $2"
            + " AND settlement = 'BANK_TRANSFER' AND payment_reference IS NOT NULL")
        .execute(Tuple.of(purchaseId, memberId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(Optional.empty());
          Optional<PaymentProvider.DepositNotice> notice = payments.simulateDeposit(rows.iterator().next().getString(0), amountWon);
          if (notice.isEmpty()) return Future.succeededFuture(Optional.empty());
          return notice(notice.get()).map(Optional::of);
        });
  }

  private Future<Result> deposit(PaymentProvider.Deposit d) {
    return pool.preparedQuery("SELECT * FROM certificates.purchase WHERE settlement = 'BANK_TRANSFER' AND payment_reference = $1")
        .execute(Tuple.of(d.reference())).compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(new Result(Outcome.UNKNOWN_REFERENCE, 0, "no bank-transfer order with this reference"));
          }
          Row p = rows.iterator().next();
          long id = p.getLong("id");
          Result refused = refusal(p, d);
          if (refused != null) return finishPaid(p, refused);
          return pool.preparedQuery("UPDATE certificates.purchase SET status = 'PAID', deposit_id = $2 WHERE id = $1"
                  + " AND status = 'AWAITING_DEPOSIT' AND pay_by > $3 RETURNING id")
              .execute(Tuple.of(id, d.depositId(), now())).compose(u -> u.size() == 1
                  ? issue(p).map(r -> new Result(Outcome.ISSUED, id, ""))
                  // another notice changed the order meanwhile: answer by its new state
                  : deposit(d));
        });
  }

  /** Why this deposit cannot pay the order, or null when it can. */
  private Result refusal(Row p, PaymentProvider.Deposit d) {
    long id = p.getLong("id");
    String status = p.getString("status");
    boolean late = !p.getOffsetDateTime("pay_by").toInstant().isAfter(clock.instant());
    if (status.equals("PAID") || status.equals("ISSUED")) {
      return new Result(Outcome.ALREADY_PAID, id, d.depositId().equals(p.getString("deposit_id"))
          ? "this deposit was already taken; nothing more was issued"
          : "the order was already paid by another deposit; this one is to be returned");
    }
    if (status.equals("EXPIRED") || (status.equals("AWAITING_DEPOSIT") && late)) {
      return new Result(Outcome.EXPIRED, id, "the order expired at " + p.getOffsetDateTime("pay_by").toInstant()
          + " unpaid; nothing was issued and the deposit is to be returned");
    }
    if (!status.equals("AWAITING_DEPOSIT")) return new Result(Outcome.NOT_PAYABLE, id, "the order is " + status.toLowerCase());
    if (d.amountWon() != p.getLong("total_won")) {
      return new Result(Outcome.AMOUNT_MISMATCH, id, "the order is for " + p.getLong("total_won") + " won but "
          + d.amountWon() + " won arrived; nothing was changed and the deposit is to be returned");
    }
    return null;
  }

  /** A refused notice changes nothing, except that a late one expires its order and a paid one left PAID is issued. */
  private Future<Result> finishPaid(Row p, Result refused) {
    return switch (refused.outcome()) {
      case ALREADY_PAID -> p.getString("status").equals("PAID") ? issue(p).map(r -> refused) : Future.succeededFuture(refused);
      case EXPIRED -> purchases.expireDue(p.getLong("member_id")).map(n -> refused);
      default -> Future.succeededFuture(refused);
    };
  }

  private Future<PurchaseService.Result> issue(Row p) {
    return catalog.item(p.getLong("item_id")).compose(item -> purchases.issue(p.getLong("member_id"), item, p.getLong("id"),
        p.getInteger("sheets"), PurchaseService.Settlement.BANK_TRANSFER));
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }
}
