package dev.mileage.gateway.mall;

import dev.mileage.gateway.members.Web;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The mall's accounts. Tokens of vendor V are point type T(V); cash is {@link StandardPointTypes#CASH}
 * (1 unit = 1 won).
 * <ul>
 *   <li>{@code mall:issuance} T(V): where V's tokens are created (its debits are the tokens issued);</li>
 *   <li>{@code vendor:V} T(V), never below zero: tokens V bought and has not allotted yet (available);</li>
 *   <li>{@code member:M} T(V), never below zero: a user's tokens (in circulation);</li>
 *   <li>{@code vendor:W:taken} T(V), never below zero: tokens of V taken in payment at W (W = V: redeemed at home);</li>
 *   <li>{@code mall:exchange} T(V): tokens retired by, or created by, exchanges between vendors;</li>
 *   <li>{@code mall:service-charges} T(V): the exchange service charge, in the tokens given in;</li>
 *   <li>{@code vendor:V} CASH, may go negative: V's settlement position with the mall: what V paid for
 *       tokens and received from members' card purchases and reimbursements, less what it pays;</li>
 *   <li>{@code mall:card-receipts} CASH: money that came in by card (its debits); {@code mall:royalties},
 *       {@code mall:tolls}, {@code mall:service-charges} CASH: the mall's revenue.</li>
 * </ul>
 */
final class MallLedger {
  static final String ISSUANCE = "mall:issuance";
  static final String CARD_RECEIPTS = "mall:card-receipts";
  static final String EXCHANGE = "mall:exchange";
  static final String SERVICE_CHARGES = "mall:service-charges";
  static final String ROYALTIES = "mall:royalties";
  static final String TOLLS = "mall:tolls";
  static final int CASH = StandardPointTypes.CASH;
  static final int HOLDING = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS;

  private final Ledger ledger;
  private final Vertx vertx;

  MallLedger(Ledger ledger, Vertx vertx) {
    this.ledger = ledger;
    this.vertx = vertx;
  }

  static String vendor(long vendorId) {
    return "vendor:" + vendorId;
  }

  static String taken(long vendorId) {
    return "vendor:" + vendorId + ":taken";
  }

  static String member(long memberId) {
    return "member:" + memberId;
  }

  Ledger ledger() {
    return ledger;
  }

  <T> Future<T> f(CompletionStage<T> stage) {
    return Web.future(vertx, stage);
  }

  /** Holdings (a vendor's stock, a member's tokens, tokens taken) never go below zero. */
  Future<Long> holding(String owner, int pointType) {
    return f(ledger.openAccount(owner, pointType, HOLDING)).map(Account::id);
  }

  /** Issuance, pools, revenue and vendors' cash positions carry no limit. */
  Future<Long> open(String owner, int pointType) {
    return f(ledger.openAccount(owner, pointType, AccountFlags.NONE)).map(Account::id);
  }

  Future<Account> account(String owner, int pointType) {
    return f(ledger.accountOf(owner, pointType)).map(a -> a.orElse(null));
  }

  /** The transfers as one linked chain: all or nothing. */
  Future<List<TransferResult>> chain(List<Transfer> transfers) {
    List<Transfer> linked = new ArrayList<>(transfers.size());
    for (int i = 0; i < transfers.size(); i++) {
      linked.add(i < transfers.size() - 1 ? transfers.get(i).linked() : transfers.get(i));
    }
    return f(ledger.submit(linked));
  }

  Future<TransferResult> submit(Transfer transfer) {
    return f(ledger.submit(transfer));
  }

  static boolean applied(List<TransferResult> results) {
    return results.stream().allMatch(TransferResult::applied);
  }

  /** The first result that explains a failed chain (not the LINKED_EVENT_FAILED of its companions). */
  static TransferResult cause(List<TransferResult> results) {
    for (TransferResult r : results) if (!r.applied() && r != TransferResult.LINKED_EVENT_FAILED) return r;
    return TransferResult.LINKED_EVENT_FAILED;
  }

  static java.util.UUID id(long entryId, String leg) {
    return Transfer.idOf("mall:entry:" + entryId + ":" + leg);
  }
}
