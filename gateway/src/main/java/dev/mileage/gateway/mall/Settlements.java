package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Payments between vendors and the tolls on them. A vendor pays what it owes: each owed reimbursement's
 * reservation is posted, linked with the toll the mall charges for it, so a reimbursement is never paid
 * without its toll nor the toll charged without the payment. A vendor asking the mall about a customer of
 * another vendor pays a toll too (and learns only whether and since when that vendor knows the customer).
 */
final class Settlements {
  private final Journal journal;
  private final MallLedger ledger;
  private final Vendors vendors;
  private final MallOptions options;

  Settlements(Journal journal, MallLedger ledger, Vendors vendors, MallOptions options) {
    this.journal = journal;
    this.ledger = ledger;
    this.vendors = vendors;
    this.options = options;
  }

  /** Pays up to {@link MallOptions#SETTLEMENT_BATCH_MAX} of the vendor's owed reimbursements, oldest first. */
  Future<JsonObject> payOwed(Vendor payer) {
    return Future.all(journal.owedBy(payer.id(), MallOptions.SETTLEMENT_BATCH_MAX),
            ledger.open(MallLedger.vendor(payer.id()), MallLedger.CASH), ledger.open(MallLedger.TOLLS, MallLedger.CASH))
        .compose(all -> {
          List<Journal.Reimbursement> owed = all.resultAt(0);
          long cash = all.resultAt(1);
          long tolls = all.resultAt(2);
          if (owed.isEmpty()) return Future.succeededFuture(summary(List.of(), 0, 0));
          List<Transfer> batch = new ArrayList<>();
          for (Journal.Reimbursement r : owed) {
            String ref = "reimbursement " + r.id() + " to vendor " + r.payeeVendorId();
            Transfer post = Transfer.post(Transfer.idOf("mall:reimbursement:" + r.id() + ":pay"), r.pendingId(), r.amountWon(),
                TransferCodes.TOKEN_REIMBURSEMENT, ref);
            if (options.tollWon() > 0) {
              batch.add(post.linked());
              batch.add(Transfer.single(Transfer.idOf("mall:reimbursement:" + r.id() + ":toll"), cash, tolls, options.tollWon(),
                  TransferCodes.TOKEN_TOLL, "toll on " + ref));
            } else {
              batch.add(post);
            }
          }
          return ledger.f(ledger.ledger().submit(batch)).compose(results -> {
            List<Long> paid = new ArrayList<>();
            long won = 0;
            int step = options.tollWon() > 0 ? 2 : 1;
            for (int i = 0; i < owed.size(); i++) {
              boolean ok = true;
              for (int j = 0; j < step; j++) ok &= results.get(i * step + j).applied();
              if (!ok) {
                throw new IllegalStateException("paying reimbursement " + owed.get(i).id() + " answered "
                    + results.subList(i * step, i * step + step));
              }
              paid.add(owed.get(i).id());
              won += owed.get(i).amountWon();
            }
            long paidWon = won;
            return journal.paid(paid, options.tollWon()).map(x -> summary(paid, paidWon, paid.size() * options.tollWon()));
          });
        });
  }

  private static JsonObject summary(List<Long> paid, long paidWon, long tollsWon) {
    return new JsonObject().put("paid", paid.size()).put("paidWon", paidWon).put("tollsWon", tollsWon)
        .put("reimbursementIds", new io.vertx.core.json.JsonArray(paid));
  }

  /**
   * Vendor {@code asker} asks whether vendor {@code about} knows member {@code memberId}: charged one toll,
   * idempotent by the request key (a repeat is answered again without a second toll).
   */
  Future<Outcome.Result> customerInfo(Vendor asker, Vendor about, long memberId, String requestKey) {
    Entry draft = Entry.draft(Entry.INFO_REQUEST, "vendor:" + asker.id() + ":info:" + requestKey, asker.id(), null, about.id(),
        memberId, null, 0).withFigures(0, 0, 0, 0, 0, options.tollWon(), 0);
    return journal.begin(draft).compose(b -> {
      Entry e = b.entry();
      if (!e.sameRequest(draft)) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
      Future<Void> charged = e.status().equals(Entry.DONE) || e.tollWon() == 0 ? Future.succeededFuture()
          : Future.all(ledger.open(MallLedger.vendor(asker.id()), MallLedger.CASH), ledger.open(MallLedger.TOLLS, MallLedger.CASH))
              .compose(a -> ledger.submit(Transfer.single(MallLedger.id(e.id(), "toll"), a.resultAt(0), a.resultAt(1), e.tollWon(),
                  TransferCodes.TOKEN_TOLL, "toll: customer information from vendor " + about.id())))
              .compose(r -> r.applied() ? Future.succeededFuture()
                  : Future.failedFuture(new IllegalStateException("toll answered " + r)));
      return charged.compose(x -> e.status().equals(Entry.DONE) ? Future.succeededFuture(e) : journal.done(e, null, null, false))
          .compose(done -> vendors.registeredAt(about.id(), memberId).map(at -> Outcome.DONE.with(new JsonObject()
              .put("vendorId", about.id()).put("memberId", memberId).put("registered", at != null)
              .put("registeredAt", at == null ? null : at.toInstant().toString()).put("tollWon", done.tollWon()))));
    });
  }
}
