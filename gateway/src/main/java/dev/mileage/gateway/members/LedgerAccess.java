package dev.mileage.gateway.members;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * The accounts the shop moves points between: the operator's issuance account of a point type (may go
 * negative: points are created there) and a member's account (never below zero).
 */
public final class LedgerAccess {
  private final Ledger ledger;
  private final Vertx vertx;

  public LedgerAccess(Ledger ledger, Vertx vertx) {
    this.ledger = ledger;
    this.vertx = vertx;
  }

  public static String memberOwner(long memberId) {
    return "member:" + memberId;
  }

  public Future<Account> issuance(int pointType) {
    return Web.future(vertx, ledger.openAccount(StandardPointTypes.OPERATOR, pointType, AccountFlags.NONE));
  }

  public Future<Account> member(long memberId, int pointType) {
    return Web.future(vertx, ledger.openAccount(memberOwner(memberId), pointType,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
  }

  /** Points created for a member (bonus, mileage): from the issuance account, idempotent by {@code key}. */
  public Future<TransferResult> credit(long memberId, int pointType, long amount, String key, int code,
                                       String reference) {
    return issuance(pointType).compose(op -> member(memberId, pointType).compose(m -> submit(
        Transfer.single(Transfer.idOf(key), op.id(), m.id(), amount, code, reference))));
  }

  public Future<TransferResult> submit(Transfer transfer) {
    return Web.future(vertx, ledger.submit(transfer));
  }

  public Ledger ledger() {
    return ledger;
  }

  public Vertx vertx() {
    return vertx;
  }
}
