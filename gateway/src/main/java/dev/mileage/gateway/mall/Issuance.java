package dev.mileage.gateway.mall;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;

import java.util.List;

/**
 * How tokens come into being and reach users: a vendor buys its tokens from the mall at its rate (by card,
 * through the payment provider), allots them to its registered users (an offline purchase at its counter or
 * a loyalty incentive), or a user buys them online (by card; the vendor's tokens are held while the card is
 * charged). Every request is an {@link Entry} keyed by the caller's request key; a repeat answers the same
 * entry, and a resumed one is completed with the same transfer ids and payment idempotency key.
 */
final class Issuance {
  private final Journal journal;
  private final MallLedger ledger;
  private final PaymentProvider payments;
  private final Vendors vendors;

  Issuance(Journal journal, MallLedger ledger, PaymentProvider payments, Vendors vendors) {
    this.journal = journal;
    this.ledger = ledger;
    this.payments = payments;
    this.vendors = vendors;
  }

  /**
   * The vendor buys {@code tokens} of its own (of the kind {@code v} is seen through: its own token, or its
   * gift-certificate or auction token) at its current rate: issued to it when the card is approved. */
  Future<Outcome.Result> issue(Vendor v, long tokens, String requestKey, String cardToken) {
    Entry draft = Entry.draft(Entry.ISSUE, "vendor:" + v.id() + ":issue:" + requestKey, v.id(), v.id(), null, null, null, tokens)
        .withTokenKind(v.tokenKind())
        .withFigures(tokens, 0, Math.multiplyExact(tokens, v.rateWon()), 0, 0, 0, 0);
    return journal.begin(draft).compose(b -> {
      Entry e = b.entry();
      if (!e.sameRequest(draft)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
      if (!e.status().equals(Entry.PENDING)) return Future.succeededFuture(answer(e));
      return payments.charge("mall:issue:" + e.id(), e.valueWon(), cardToken).compose(paid -> switch (paid.outcome()) {
        case DECLINED -> journal.declined(e, paid.reason()).map(Issuance::answer);
        case FAILED -> journal.forget(e.id()).map(x -> Outcome.PAYMENT_UNAVAILABLE.error());
        case APPROVED -> issueInLedger(v, e).compose(x -> journal.done(e, paid.reference(), null, true)).map(Issuance::answer);
      });
    });
  }

  private Future<Void> issueInLedger(Vendor v, Entry e) {
    int token = v.pointType();
    return Future.all(ledger.open(MallLedger.ISSUANCE, token), ledger.holding(MallLedger.vendor(v.id()), token),
        ledger.open(MallLedger.CARD_RECEIPTS, MallLedger.CASH), ledger.open(MallLedger.vendor(v.id()), MallLedger.CASH))
        .compose(a -> ledger.chain(List.of(
            Transfer.single(MallLedger.id(e.id(), "issue"), a.resultAt(0), a.resultAt(1), e.tokens(), TransferCodes.TOKEN_ISSUE,
                "tokens issued to vendor " + v.id()),
            Transfer.single(MallLedger.id(e.id(), "cash"), a.resultAt(2), a.resultAt(3), e.valueWon(), TransferCodes.TOKEN_ISSUE,
                "vendor " + v.id() + " paid for tokens"))))
        .compose(r -> MallLedger.applied(r) ? Future.succeededFuture()
            : Future.failedFuture(new IllegalStateException("token issuance answered " + r)));
  }

  /** The vendor gives tokens from its stock to a registered user: an offline purchase or a loyalty incentive. */
  Future<Outcome.Result> allot(Vendor v, long memberId, long tokens, String why, String requestKey) {
    Entry draft = Entry.draft(Entry.ALLOT, "vendor:" + v.id() + ":allot:" + requestKey, v.id(), v.id(), null, memberId, null, tokens)
        .withReason(why).withFigures(tokens, 0, 0, 0, 0, 0, 0).withTokenKind(v.tokenKind());
    return vendors.registeredAt(v.id(), memberId).compose(at -> {
      if (at == null) return Future.succeededFuture(Outcome.NOT_REGISTERED.error());
      return journal.begin(draft).compose(b -> {
        Entry e = b.entry();
        if (!e.sameRequest(draft)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
        if (!e.status().equals(Entry.PENDING)) return Future.succeededFuture(answer(e));
        int token = v.pointType();
        return Future.all(ledger.holding(MallLedger.vendor(v.id()), token), ledger.holding(MallLedger.member(memberId), token))
            .compose(a -> ledger.submit(Transfer.single(MallLedger.id(e.id(), "allot"), a.resultAt(0), a.resultAt(1), tokens,
                TransferCodes.TOKEN_ALLOT, (why.equals("LOYALTY") ? "loyalty tokens from vendor " : "tokens bought at vendor ") + v.id())))
            .compose(r -> {
              if (r.applied()) return journal.done(e, null, null, true).map(Issuance::answer);
              if (r == TransferResult.EXCEEDS_CREDITS) return journal.forget(e.id()).map(x -> Outcome.VENDOR_OUT_OF_TOKENS.error());
              return Future.failedFuture(new IllegalStateException("allotment answered " + r));
            });
      });
    });
  }

  /**
   * A user buys a vendor's tokens online: the tokens are held from the vendor's stock, the card is charged
   * their price, then the hold is posted and the money credited to the vendor in one chain (or the hold is
   * released when the card is declined). Registers the user with the vendor (the mall is notified).
   */
  Future<Outcome.Result> sell(Vendor v, long memberId, long tokens, String requestKey, String cardToken) {
    Entry draft = Entry.draft(Entry.SALE, "member:" + memberId + ":sale:" + requestKey, v.id(), v.id(), null, memberId, null, tokens)
        .withFigures(tokens, 0, Math.multiplyExact(tokens, v.rateWon()), 0, 0, 0, 0).withTokenKind(v.tokenKind());
    return vendors.register(v.id(), memberId).compose(x -> journal.begin(draft)).compose(b -> {
      Entry e = b.entry();
      if (!e.sameRequest(draft)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
      if (!e.status().equals(Entry.PENDING)) return Future.succeededFuture(answer(e));
      int token = v.pointType();
      return Future.all(ledger.holding(MallLedger.vendor(v.id()), token), ledger.holding(MallLedger.member(memberId), token),
          ledger.open(MallLedger.CARD_RECEIPTS, MallLedger.CASH), ledger.open(MallLedger.vendor(v.id()), MallLedger.CASH))
          .compose(a -> ledger.submit(Transfer.reserve(MallLedger.id(e.id(), "hold"), a.resultAt(0), a.resultAt(1), e.tokens(),
              MallOptions.SALE_HOLD_SECONDS, TransferCodes.TOKEN_SALE, "tokens held for a card purchase")).compose(held -> {
                if (held == TransferResult.EXCEEDS_CREDITS) {
                  return journal.forget(e.id()).map(y -> Outcome.VENDOR_OUT_OF_TOKENS.error());
                }
                if (!held.applied()) return Future.failedFuture(new IllegalStateException("token hold answered " + held));
                return payments.charge("mall:sale:" + e.id(), e.valueWon(), cardToken).compose(paid -> switch (paid.outcome()) {
                  case DECLINED -> release(e).compose(y -> journal.declined(e, paid.reason())).map(Issuance::answer);
                  case FAILED -> release(e).compose(y -> journal.forget(e.id())).map(y -> Outcome.PAYMENT_UNAVAILABLE.error());
                  case APPROVED -> ledger.chain(List.of(
                          Transfer.post(MallLedger.id(e.id(), "post"), MallLedger.id(e.id(), "hold"), e.tokens(),
                              TransferCodes.TOKEN_SALE, "tokens bought online"),
                          Transfer.single(MallLedger.id(e.id(), "cash"), a.resultAt(2), a.resultAt(3), e.valueWon(),
                              TransferCodes.TOKEN_SALE, "member bought tokens of vendor " + v.id())))
                      .compose(r -> MallLedger.applied(r) ? journal.done(e, paid.reference(), null, true).map(Issuance::answer)
                          : Future.failedFuture(new IllegalStateException("token sale answered " + r)));
                });
              }));
    });
  }

  private Future<Void> release(Entry e) {
    return ledger.submit(Transfer.voidPending(MallLedger.id(e.id(), "release"), MallLedger.id(e.id(), "hold"),
        TransferCodes.TOKEN_SALE, "card purchase not approved")).mapEmpty();
  }

  static Outcome.Result answer(Entry e) {
    if (e.status().equals(Entry.DECLINED)) {
      return Outcome.PAYMENT_DECLINED.with(new io.vertx.core.json.JsonObject().put("error", Outcome.PAYMENT_DECLINED.error)
          .put("reason", "card declined: " + e.reason()).put("entry", e.toJson()));
    }
    return Outcome.DONE.with(e.toJson());
  }
}
