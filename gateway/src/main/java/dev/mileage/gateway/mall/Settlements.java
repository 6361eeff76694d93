package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import dev.mileage.points.ledger.Checks;

import java.util.ArrayList;
import java.util.List;

/**
 * Payments between vendors and the tolls on them. A vendor pays what it owes: each owed reimbursement's
 * reservation is posted, linked with the toll the mall charges for it, so a reimbursement is never paid
 * without its toll nor the toll charged without the payment. A vendor asking the mall about a customer of
 * another vendor pays a toll too (and learns only whether and since when that vendor knows the customer).
 *
 * <p>Paying never pays twice, whoever pays (the vendor, an operator, the schedule in {@link AutoSettlement}) and
 * however they overlap: the rows being paid are locked FOR UPDATE SKIP LOCKED (another payer skips them), the
 * ledger transfer ids derive from the reimbursement id (a repeat answers EXISTS), OWED becomes PAID only from OWED,
 * and the payer's settlement lock (a PostgreSQL advisory lock) keeps two payments of one payer apart.
 */
final class Settlements {
  /** Advisory lock class of a payer's settlement ("mall" in ASCII); the payer's id is the second key. */
  static final int SETTLEMENT_LOCK = 0x6D616C6C;
  static final String BY_VENDOR = "VENDOR";
  static final String BY_OPERATOR = "OPERATOR";
  static final String BY_SCHEDULE = "SCHEDULE";

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

  MallOptions options() {
    return options;
  }

  /**
   * Pays up to {@link MallOptions#SETTLEMENT_BATCH_MAX} of the vendor's owed reimbursements, oldest first, on
   * request ({@code paidBy} VENDOR or OPERATOR). Waits for a payment of the same payer under way to end first.
   */
  Future<JsonObject> payOwed(Vendor payer, String paidBy) {
    return journal.pool().withTransaction(c -> c.preparedQuery("SELECT pg_advisory_xact_lock($1, $2)")
            .execute(Tuple.of(SETTLEMENT_LOCK, Math.toIntExact(payer.id())))
            .compose(x -> journal.lockOwed(c, payer.id(), null, MallOptions.SETTLEMENT_BATCH_MAX))
            .compose(owed -> pay(c, payer.id(), owed, paidBy)))
        .map(paid -> summary(paid.ids(), paid.won(), paid.ids().size() * options.tollWon()));
  }

  /** What one payment call paid: the reimbursement ids moved to PAID and their total. */
  record Paid(List<Long> ids, long won) { }

  /**
   * Posts the locked reimbursements {@code owed} of one payer, each linked with its toll, in one ledger batch,
   * then moves them from OWED to PAID in transaction {@code c}. A transfer already made (a run that committed in
   * the ledger but not in the mall) answers EXISTS and counts as paid now.
   */
  Future<Paid> pay(SqlConnection c, long payerId, List<Journal.Reimbursement> owed, String paidBy) {
    if (owed.isEmpty()) return Future.succeededFuture(new Paid(List.of(), 0));
    return Future.all(ledger.open(MallLedger.vendor(payerId), MallLedger.CASH), ledger.open(MallLedger.TOLLS, MallLedger.CASH))
        .compose(all -> {
          long cash = all.resultAt(0);
          long tolls = all.resultAt(1);
          List<Transfer> batch = new ArrayList<>();
          for (Journal.Reimbursement r : owed) {
            Checks.invariant(r.payerVendorId() == payerId, "a payment batch has one payer");
            String ref = "reimbursement " + r.id() + " to vendor " + r.payeeVendorId();
            Transfer post = Transfer.post(payId(r.id()), r.pendingId(), r.amountWon(), TransferCodes.TOKEN_REIMBURSEMENT, ref);
            if (options.tollWon() > 0) {
              batch.add(post.linked());
              batch.add(Transfer.single(Transfer.idOf("mall:reimbursement:" + r.id() + ":toll"), cash, tolls, options.tollWon(),
                  TransferCodes.TOKEN_TOLL, "toll on " + ref));
            } else {
              batch.add(post);
            }
          }
          return ledger.f(ledger.ledger().submit(batch)).compose(results -> {
            int step = options.tollWon() > 0 ? 2 : 1;
            for (int i = 0; i < owed.size(); i++) {
              for (int j = 0; j < step; j++) {
                if (!results.get(i * step + j).applied()) {
                  throw new IllegalStateException("paying reimbursement " + owed.get(i).id() + " answered "
                      + results.subList(i * step, i * step + step));
                }
              }
            }
            return journal.paid(c, owed.stream().map(Journal.Reimbursement::id).toList(), options.tollWon(), paidBy);
          }).map(ids -> {
            Checks.invariant(ids.size() == owed.size(), "locked OWED rows all move to PAID");
            return new Paid(ids, owed.stream().mapToLong(Journal.Reimbursement::amountWon).sum());
          });
        });
  }

  static java.util.UUID payId(long reimbursementId) {
    return Transfer.idOf("mall:reimbursement:" + reimbursementId + ":pay");
  }

  static JsonObject summary(List<Long> paid, long paidWon, long tollsWon) {
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
