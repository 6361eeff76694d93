package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.LedgerAccess;
import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;

import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The certificates' accounts and movements. Every transfer id comes from a business key, so a retry of
 * anything here can never move value twice.
 * <ul>
 *   <li>{@code gc:<purchase>:<sheet>} GIFT_CERTIFICATE, never below zero: the value of one certificate,
 *       funded from the operator's issuance account;</li>
 *   <li>{@code store:<id>} GIFT_CERTIFICATE: what a store has taken in certificates (settled to it);</li>
 *   <li>{@code member:<id>} PHONE_BILL, never below zero: the month's credit line for phone-bill purchases,
 *       topped up to the limit once a month; a charge moves it to {@code operator:phone-bill} (what the
 *       bill collects).</li>
 * </ul>
 */
final class CertificateLedger {
  static final String ONLINE_CHECKOUT_OWNER = "store:online";
  static final String PHONE_BILL_COLLECTED_OWNER = "operator:phone-bill";

  private final LedgerAccess access;
  private final Clock clock;
  private final long phoneBillMonthlyLimitWon;

  CertificateLedger(LedgerAccess access, Clock clock, long phoneBillMonthlyLimitWon) {
    this.access = access;
    this.clock = clock;
    this.phoneBillMonthlyLimitWon = phoneBillMonthlyLimitWon;
  }

  static String certificateOwner(long purchaseId, int sheet) {
    return "gc:" + purchaseId + ":" + sheet;
  }

  Future<Account> certificateAccount(long purchaseId, int sheet) {
    return open(certificateOwner(purchaseId, sheet), StandardPointTypes.GIFT_CERTIFICATE,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
  }

  Future<Account> storeAccount(long storeId) {
    return open(storeId == 0 ? ONLINE_CHECKOUT_OWNER : "store:" + storeId, StandardPointTypes.GIFT_CERTIFICATE,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
  }

  /** Funds the certificates of a purchase at their face value, in one batch. */
  Future<List<TransferResult>> fund(long purchaseId, List<Long> accountIds, long faceValueWon) {
    return access.issuance(StandardPointTypes.GIFT_CERTIFICATE).compose(op -> {
      List<Transfer> batch = new java.util.ArrayList<>();
      for (int i = 0; i < accountIds.size(); i++) {
        batch.add(Transfer.single(Transfer.idOf(certificateOwner(purchaseId, i + 1) + ":issue"), op.id(),
            accountIds.get(i), faceValueWon, TransferCodes.CERTIFICATE_ISSUE, "certificate purchase " + purchaseId));
      }
      return Web.future(access.vertx(), access.ledger().submit(batch));
    });
  }

  /**
   * Charges the member's phone bill. The month's credit line is topped up to the monthly limit once a
   * month (its transfer id is the month, so later top-ups that month answer EXISTS or
   * EXISTS_WITH_DIFFERENT_AMOUNT and add nothing); then the charge, which the ledger refuses with
   * EXCEEDS_CREDITS once the month's line is used up. Unused credit does not pile up across months.
   */
  Future<TransferResult> chargePhoneBill(long memberId, long amountWon, long purchaseId) {
    YearMonth month = YearMonth.now(clock.withZone(ZoneOffset.UTC));
    String line = "phone-bill:member:" + memberId + ":" + month + ":certificate-credit-line";
    return access.member(memberId, StandardPointTypes.PHONE_BILL).compose(before -> {
      long topUp = phoneBillMonthlyLimitWon - before.available();
      Future<TransferResult> granted = topUp <= 0 ? Future.succeededFuture(TransferResult.EXISTS)
          : access.credit(memberId, StandardPointTypes.PHONE_BILL, topUp, line, TransferCodes.PHONE_BILL_CREDIT_LINE,
              "certificate credit line " + month);
      return granted.compose(g -> {
        boolean lineInPlace = g.applied() || g.name().startsWith("EXISTS_WITH_DIFFERENT");
        if (!lineInPlace) return Future.failedFuture(new IllegalStateException("phone-bill credit line answered " + g));
        return open(PHONE_BILL_COLLECTED_OWNER, StandardPointTypes.PHONE_BILL, AccountFlags.NONE)
            .compose(collected -> access.submit(Transfer.single(Transfer.idOf("cert-purchase:" + purchaseId + ":phone-bill"),
                before.id(), collected.id(), amountWon, TransferCodes.PHONE_BILL_CHARGE,
                "gift certificates, purchase " + purchaseId)));
      });
    });
  }

  /** Moves redeemed value from the certificate to the store; the id comes from the store's transaction. */
  Future<TransferResult> redeem(long certificateAccountId, long storeAccountId, long amountWon, String businessKey,
                                String reference) {
    return access.submit(Transfer.single(Transfer.idOf(businessKey), certificateAccountId, storeAccountId, amountWon,
        TransferCodes.CERTIFICATE_REDEEM, reference));
  }

  Future<Long> balance(long accountId) {
    return Web.future(access.vertx(), access.ledger().account(accountId)).map(a -> a.map(Account::available).orElse(0L));
  }

  private Future<Account> open(String owner, int pointType, int flags) {
    return Web.future(access.vertx(), access.ledger().openAccount(owner, pointType, flags));
  }
}
