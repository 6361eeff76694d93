package dev.mileage.gateway.shop;

import io.vertx.core.Future;

import java.util.Objects;

/**
 * A card or bank payment service. Every call carries an idempotency key: repeating a call with the same
 * key answers the first outcome and never charges twice (the contract real acquirers offer).
 */
public interface PaymentProvider {
  enum Outcome { APPROVED, DECLINED, FAILED }

  /** @param reference the provider's id of the charge (or refund); {@code reason} says why it was not approved */
  record Result(Outcome outcome, String reference, String reason) {
    public Result {
      Objects.requireNonNull(outcome, "outcome");
      reason = reason == null ? "" : reason;
    }
  }

  /** Charges {@code amountWon} to what {@code paymentToken} stands for (a tokenised card from the page). */
  Future<Result> charge(String idempotencyKey, long amountWon, String paymentToken);

  /**
   * The outcome of an earlier charge made with {@code idempotencyKey}, without charging: FAILED when the
   * provider never saw the key. Used to finish orders whose checkout was cut short by a crash.
   */
  Future<Result> lookup(String idempotencyKey);

  /** Gives back {@code amountWon} of an approved charge. */
  Future<Result> refund(String idempotencyKey, String chargeReference, long amountWon);

  /**
   * Pays {@code amountWon} out to what {@code payoutToken} stands for (a tokenised bank account or card), e.g.
   * points cashed out. Idempotent by key like a charge. FAILED means the provider did not take the order.
   */
  default Future<Result> payout(String idempotencyKey, long amountWon, String payoutToken) {
    return Future.succeededFuture(new Result(Outcome.FAILED, null, "this provider does not pay out"));
  }
}
