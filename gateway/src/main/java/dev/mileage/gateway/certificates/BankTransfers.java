package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Checks;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The deposit side of bank-transfer purchases. The payment provider posts a signed notice when money arrives
 * in an order's virtual account; only a verified notice for a known order, with exactly the order's amount,
 * before its deadline, pays it (AWAITING_DEPOSIT -> PAID, one row update) and then issues the certificates
 * through {@link PurchaseService#issue}, whose every step is idempotent. Any other verified deposit (late, wrong
 * amount, a second payment, no such order) is money held for nobody: it is recorded once as owed back to its
 * payer ({@link DepositReturns}) and the order is left as it was. Each deposit is decided in one transaction
 * under a lock on its provider id (and its order's row), so copies of a notice, however concurrent, are decided
 * once: a re-sent notice of a refused deposit is answered from its record, the same words as the first time.
 * A forged notice changes nothing.
 */
final class BankTransfers {
  private static final Logger LOG = Logger.getLogger(BankTransfers.class.getName());

  /** Precedence order: the first that applies is the answer. */
  enum Outcome { BAD_SIGNATURE, DEPOSIT_ID_REUSED, UNKNOWN_REFERENCE, ALREADY_PAID, EXPIRED, NOT_PAYABLE, AMOUNT_MISMATCH, ISSUED }

  /** @param depositReturn what the deposit is owed back as; null when it paid the order (or repeats the one that did) */
  record Result(Outcome outcome, long purchaseId, String reason, DepositReturns.DepositReturn depositReturn) {
    Result(Outcome outcome, long purchaseId, String reason) {
      this(outcome, purchaseId, reason, null);
    }
  }

  /** What is left to do after the deposit's transaction committed. */
  private enum After { NOTHING, ISSUE, EXPIRE }

  private record Decision(Result result, Row purchase, After after) { }

  private final Pool pool;
  private final Clock clock;
  private final Catalog catalog;
  private final PurchaseService purchases;
  private final PaymentProvider payments;
  private final DepositReturns returns;
  private final Runnable afterOwed;

  /** @param afterOwed run when a deposit was newly recorded as owed back (sends it to the provider now) */
  BankTransfers(Pool pool, Clock clock, Catalog catalog, PurchaseService purchases, PaymentProvider payments,
                DepositReturns returns, Runnable afterOwed) {
    this.afterOwed = afterOwed;
    this.pool = pool;
    this.clock = clock;
    this.catalog = catalog;
    this.purchases = purchases;
    this.payments = payments;
    this.returns = returns;
  }

  /** A deposit notice as the provider's webhook delivers it. */
  Future<Result> notice(PaymentProvider.DepositNotice notice) {
    Optional<PaymentProvider.Deposit> d = payments.verifyDeposit(notice);
    if (d.isEmpty()) return Future.succeededFuture(new Result(Outcome.BAD_SIGNATURE, 0, "the notice's signature is not the payment provider's"));
    return deposit(d.get()).onSuccess(r -> {
      if (r.depositReturn() != null && r.depositReturn().status() == DepositReturns.Status.OWED) afterOwed.run();
    });
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
    Instant at = clock.instant();
    return pool.withTransaction(c -> c.preparedQuery("SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) l")
            .execute(Tuple.of("certificates.deposit:" + d.depositId()))
            .compose(locked -> returns.find(c, d.depositId()))
            .compose(prior -> prior != null ? Future.succeededFuture(repeat(prior, d))
                : c.preparedQuery("SELECT payment_reference FROM certificates.purchase WHERE deposit_id = $1")
                    .execute(Tuple.of(d.depositId())).compose(paid -> {
                      if (paid.size() == 1 && !paid.iterator().next().getString(0).equals(d.reference())) return Future.succeededFuture(reused(d));
                      return c.preparedQuery("SELECT * FROM certificates.purchase WHERE settlement = 'BANK_TRANSFER'"
                              + " AND payment_reference = $1 FOR UPDATE").execute(Tuple.of(d.reference()))
                          .compose(rows -> decide(c, d, rows.size() == 0 ? null : rows.iterator().next(), at));
                    })))
        .compose(this::finish);
  }

  /** A deposit seen before: answered as the first time (its record's state may have moved on since). */
  private static Decision repeat(DepositReturns.DepositReturn prior, PaymentProvider.Deposit d) {
    if (!prior.reference().equals(d.reference()) || prior.amountWon() != d.amountWon()) return reused(d);
    Outcome outcome = switch (prior.reason()) {
      case LATE -> Outcome.EXPIRED;
      case WRONG_AMOUNT -> Outcome.AMOUNT_MISMATCH;
      case ALREADY_PAID -> Outcome.ALREADY_PAID;
      case UNKNOWN_ORDER -> Outcome.UNKNOWN_REFERENCE;
      case NOT_PAYABLE -> Outcome.NOT_PAYABLE;
    };
    return new Decision(new Result(outcome, prior.purchaseId() == null ? 0 : prior.purchaseId(), prior.detail(), prior), null,
        After.NOTHING);
  }

  private static Decision reused(PaymentProvider.Deposit d) {
    LOG.warning("deposit notice refused: the provider reported this deposit id before with another reference or amount");
    return new Decision(new Result(Outcome.DEPOSIT_ID_REUSED, 0,
        "this deposit id was reported before with another order or amount; nothing was changed"), null, After.NOTHING);
  }

  /** Inside the deposit's transaction, with the order's row locked (null: no order has the reference). */
  private Future<Decision> decide(SqlConnection c, PaymentProvider.Deposit d, Row p, Instant at) {
    if (p == null) {
      String why = "no bank-transfer order with this reference; the deposit is to be returned to its payer";
      return returns.owe(c, d, null, null, DepositReturns.Reason.UNKNOWN_ORDER, why, at)
          .map(r -> new Decision(new Result(Outcome.UNKNOWN_REFERENCE, 0, why, r), null, After.NOTHING));
    }
    long id = p.getLong("id");
    Result refused = refusal(p, d, at);
    if (refused == null) {
      return c.preparedQuery("UPDATE certificates.purchase SET status = 'PAID', deposit_id = $2 WHERE id = $1"
              + " AND status = 'AWAITING_DEPOSIT' RETURNING id").execute(Tuple.of(id, d.depositId()))
          .map(u -> {
            Checks.invariant(u.size() == 1, "a locked, payable order is paid", id);
            return new Decision(new Result(Outcome.ISSUED, id, ""), p, After.ISSUE);
          });
    }
    if (refused.outcome() == Outcome.ALREADY_PAID && d.depositId().equals(p.getString("deposit_id"))) {
      // the deposit that paid it: a PAID order left by a failure is issued now
      return Future.succeededFuture(new Decision(refused, p, p.getString("status").equals("PAID") ? After.ISSUE : After.NOTHING));
    }
    DepositReturns.Reason reason = switch (refused.outcome()) {
      case ALREADY_PAID -> DepositReturns.Reason.ALREADY_PAID;
      case EXPIRED -> DepositReturns.Reason.LATE;
      case AMOUNT_MISMATCH -> DepositReturns.Reason.WRONG_AMOUNT;
      case NOT_PAYABLE -> DepositReturns.Reason.NOT_PAYABLE;
      default -> throw new IllegalStateException("refusal " + refused.outcome());
    };
    return returns.owe(c, d, id, p.getLong("member_id"), reason, refused.reason(), at).map(r -> new Decision(
        new Result(refused.outcome(), id, refused.reason(), r), p, refused.outcome() == Outcome.EXPIRED ? After.EXPIRE : After.NOTHING));
  }

  /** After the commit: issue what a deposit paid (idempotent), expire an order a late deposit found past its deadline. */
  private Future<Result> finish(Decision decision) {
    return switch (decision.after()) {
      case ISSUE -> issue(decision.purchase()).map(r -> decision.result());
      case EXPIRE -> purchases.expireDue(decision.purchase().getLong("member_id")).map(n -> decision.result());
      case NOTHING -> Future.succeededFuture(decision.result());
    };
  }

  /** Why this deposit cannot pay the order, or null when it can. */
  private static Result refusal(Row p, PaymentProvider.Deposit d, Instant at) {
    long id = p.getLong("id");
    String status = p.getString("status");
    boolean late = !p.getOffsetDateTime("pay_by").toInstant().isAfter(at);
    if (status.equals("PAID") || status.equals("ISSUED")) {
      return new Result(Outcome.ALREADY_PAID, id, d.depositId().equals(p.getString("deposit_id"))
          ? "this deposit was already taken; nothing more was issued"
          : "the order was already paid by another deposit; this one is to be returned");
    }
    if (status.equals("EXPIRED") || (status.equals("AWAITING_DEPOSIT") && late)) {
      return new Result(Outcome.EXPIRED, id, "the order expired at " + p.getOffsetDateTime("pay_by").toInstant()
          + " unpaid; nothing was issued and the deposit is to be returned");
    }
    if (!status.equals("AWAITING_DEPOSIT")) return new Result(Outcome.NOT_PAYABLE, id, "the order is " + status.toLowerCase(java.util.Locale.ROOT)
        + "; nothing was issued and the deposit is to be returned");
    if (d.amountWon() != p.getLong("total_won")) {
      return new Result(Outcome.AMOUNT_MISMATCH, id, "the order is for " + p.getLong("total_won") + " won but "
          + d.amountWon() + " won arrived; nothing was changed and the deposit is to be returned");
    }
    return null;
  }

  private Future<PurchaseService.Result> issue(Row p) {
    return catalog.item(p.getLong("item_id")).compose(item -> purchases.issue(p.getLong("member_id"), item, p.getLong("id"),
        p.getInteger("sheets"), PurchaseService.Settlement.BANK_TRANSFER));
  }
}
