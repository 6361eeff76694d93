package dev.mileage.gateway.shop;

import io.vertx.core.Future;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

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

  /**
   * A bank-transfer order: the buyer pays {@code amountWon} into {@code virtualAccount} (at {@code bank}) by
   * {@code expiresAt}; the provider's later deposit notice names {@code reference}. Not APPROVED: no order.
   */
  record BankTransfer(Outcome outcome, String reference, String bank, String virtualAccount, long amountWon,
                      Instant expiresAt, String reason) {
    public BankTransfer {
      Objects.requireNonNull(outcome, "outcome");
      reason = reason == null ? "" : reason;
      if (outcome == Outcome.APPROVED && (reference == null || virtualAccount == null || expiresAt == null || amountWon <= 0)) {
        throw new IllegalArgumentException("an opened bank transfer needs a reference, an account, an amount and a deadline");
      }
    }
  }

  /**
   * What a deposit notice says: {@code amountWon} arrived for the transfer {@code reference}, from
   * {@code payerAccount} (the account a refused deposit is returned to; empty when the provider does not say).
   */
  record Deposit(String depositId, String reference, long amountWon, String payerAccount) {
    public static final int PAYER_ACCOUNT_LENGTH_MAX = 100;

    public Deposit {
      Objects.requireNonNull(depositId, "depositId");
      Objects.requireNonNull(reference, "reference");
      payerAccount = payerAccount == null ? "" : payerAccount;
      if (payerAccount.length() > PAYER_ACCOUNT_LENGTH_MAX) throw new IllegalArgumentException("payerAccount too long");
    }

    public Deposit(String depositId, String reference, long amountWon) {
      this(depositId, reference, amountWon, "");
    }
  }

  /** A deposit notice as the provider sends it (webhook body and its signature header). */
  record DepositNotice(String payload, String signature) {
    public DepositNotice {
      Objects.requireNonNull(payload, "payload");
      Objects.requireNonNull(signature, "signature");
    }
  }

  /**
   * Opens a bank-transfer order (a virtual account) for {@code amountWon}, payable until {@code expiresAt}.
   * Idempotent by key: the same key answers the same order.
   */
  default Future<BankTransfer> openBankTransfer(String idempotencyKey, long amountWon, Instant expiresAt) {
    return Future.succeededFuture(new BankTransfer(Outcome.FAILED, null, null, null, 0, null,
        "this provider does not take bank transfers"));
  }

  /** The deposit a notice reports, if its signature is the provider's; empty for a forged or garbled notice. */
  default Optional<Deposit> verifyDeposit(DepositNotice notice) {
    return Optional.empty();
  }

  /**
   * Sandboxes only: the provider's bank receives {@code amountWon} for {@code reference} and answers the
   * signed notice it sends the merchant. Empty for a real provider (money arrives only from real banks).
   */
  default Optional<DepositNotice> simulateDeposit(String reference, long amountWon) {
    return Optional.empty();
  }
}
