package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Ledger;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The settlement schedule: pays every reimbursement OWED for longer than {@link MallOptions#settlementDelay()} on the
 * mall's clock, with its toll as a vendor's own payment has, at most {@link MallOptions#SETTLEMENT_RUN_MAX} a run.
 *
 * <p>A payer is paid for only as far as its cash position with the mall covers (posted balance, oldest first, each
 * reimbursement with its toll, whole or not at all). What it cannot cover stays OWED and the payer is notified once
 * per reimbursement (SETTLEMENT_SHORT); payers and payees of what was paid are notified too. Each payer is settled
 * in its own transaction holding its settlement lock (tried, not waited for: a payer being paid by someone else is
 * left for the next run) and its rows' locks, so overlapping runs and manual payments never pay anything twice.
 */
final class AutoSettlement {
  private static final Logger LOG = Logger.getLogger(AutoSettlement.class.getName());
  private final Journal journal;
  private final MallLedger ledger;
  private final Settlements settlements;

  AutoSettlement(Journal journal, MallLedger ledger, Settlements settlements) {
    this.journal = journal;
    this.ledger = ledger;
    this.settlements = settlements;
  }

  /** What one payer's settlement did. */
  record PayerResult(long payerId, boolean skipped, Settlements.Paid paid, int shortCount, long shortWon, long cashWon) {
    JsonObject toJson() {
      return new JsonObject().put("vendorId", payerId).put("skipped", skipped).put("paid", paid.ids().size())
          .put("paidWon", paid.won()).put("reimbursementIds", new JsonArray(paid.ids())).put("shortCount", shortCount)
          .put("shortWon", shortWon).put("cashWon", cashWon);
    }
  }

  /** One run: every payer with something due, oldest debt first, within the run's bound. */
  Future<JsonObject> run() {
    OffsetDateTime dueBy = journal.now().minus(settlements.options().settlementDelay());
    return journal.pool().preparedQuery("SELECT payer_vendor_id FROM mall.reimbursement WHERE status = 'OWED' AND created_at <= $1"
            // payers whose every due reimbursement was already found not covered go last: they do not starve the others
            + " GROUP BY payer_vendor_id ORDER BY bool_and(short_reported_at IS NOT NULL), min(id) LIMIT "
            + MallOptions.SETTLEMENT_PAYERS_PER_RUN_MAX)
        .execute(Tuple.of(dueBy)).compose(rows -> {
          List<Long> payers = new ArrayList<>();
          for (Row r : rows) payers.add(r.getLong(0));
          Future<List<PayerResult>> done = Future.succeededFuture(new ArrayList<>());
          for (long payer : payers) {
            done = done.compose(list -> {
              int budget = MallOptions.SETTLEMENT_RUN_MAX - list.stream().mapToInt(p -> p.paid().ids().size() + p.shortCount()).sum();
              if (budget <= 0) return Future.succeededFuture(list);
              // one payer's failure (a database or ledger error) is logged and leaves its rows OWED for the next run
              return settle(payer, dueBy, Math.min(budget, MallOptions.SETTLEMENT_BATCH_MAX)).recover(err -> {
                LOG.log(Level.WARNING, "settling vendor " + payer + " failed; its reimbursements stay owed", err);
                return Future.succeededFuture(new PayerResult(payer, true, new Settlements.Paid(List.of(), 0), 0, 0, 0));
              }).map(p -> {
                list.add(p);
                return list;
              });
            });
          }
          return done;
        }).map(list -> {
          JsonArray out = new JsonArray();
          long paid = 0;
          long won = 0;
          for (PayerResult p : list) {
            out.add(p.toJson());
            paid += p.paid().ids().size();
            won += p.paid().won();
          }
          return new JsonObject().put("dueBy", dueBy.toInstant().toString()).put("paid", paid).put("paidWon", won)
              .put("tollsWon", paid * settlements.options().tollWon()).put("payers", out);
        });
  }

  private Future<PayerResult> settle(long payerId, OffsetDateTime dueBy, int limit) {
    long toll = settlements.options().tollWon();
    return journal.pool().withTransaction(c -> c.preparedQuery("SELECT pg_try_advisory_xact_lock($1, $2)")
        .execute(Tuple.of(Settlements.SETTLEMENT_LOCK, Math.toIntExact(payerId))).compose(locked -> {
          if (!locked.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new PayerResult(payerId, true, new Settlements.Paid(List.of(), 0), 0, 0, 0));
          }
          return journal.lockOwed(c, payerId, dueBy, limit).compose(owed -> ledger.account(MallLedger.vendor(payerId), MallLedger.CASH)
              .compose(account -> {
                long cash = account == null ? 0 : account.posted();
                long left = cash;
                List<Journal.Reimbursement> covered = new ArrayList<>();
                List<Journal.Reimbursement> uncovered = new ArrayList<>();
                for (Journal.Reimbursement r : owed) {
                  long need = Math.addExact(r.amountWon(), toll);
                  if (uncovered.isEmpty() && left >= need) {
                    covered.add(r);
                    left -= need;
                  } else {
                    uncovered.add(r); // oldest first: nothing younger is paid past one that is not covered
                  }
                }
                return alreadyPaid(uncovered).compose(done -> {
                  List<Journal.Reimbursement> payable = new ArrayList<>(covered);
                  payable.addAll(done);
                  List<Journal.Reimbursement> shortOnes = uncovered.stream().filter(r -> !done.contains(r)).toList();
                  return settlements.pay(c, payerId, payable, Settlements.BY_SCHEDULE)
                      .compose(paid -> notifyPaid(c, payerId, payable, paid)
                          .compose(x -> reportShort(c, payerId, shortOnes, cash))
                          .map(x -> new PayerResult(payerId, false, paid, shortOnes.size(),
                              shortOnes.stream().mapToLong(Journal.Reimbursement::amountWon).sum(), cash)));
                });
              }));
        }));
  }

  /**
   * Of reimbursements not covered by the cash position, those whose payment the ledger already holds (a payment
   * committed in the ledger whose mall transaction was lost): the posted balance already counts them.
   */
  private Future<List<Journal.Reimbursement>> alreadyPaid(List<Journal.Reimbursement> uncovered) {
    if (uncovered.isEmpty()) return Future.succeededFuture(List.of());
    List<Future<List<Journal.Reimbursement>>> reads = new ArrayList<>();
    for (int from = 0; from < uncovered.size(); from += Ledger.TRANSFERS_MAX) {
      List<Journal.Reimbursement> part = uncovered.subList(from, Math.min(uncovered.size(), from + Ledger.TRANSFERS_MAX));
      List<java.util.UUID> ids = new ArrayList<>(part.size());
      for (Journal.Reimbursement r : part) ids.add(Settlements.payId(r.id()));
      reads.add(ledger.f(ledger.ledger().transfers(ids)).map(found -> {
        List<Journal.Reimbursement> paid = new ArrayList<>();
        for (int i = 0; i < part.size(); i++) if (found.containsKey(ids.get(i))) paid.add(part.get(i));
        return paid;
      }));
    }
    return Future.all(reads).map(all -> {
      List<Journal.Reimbursement> out = new ArrayList<>();
      for (int i = 0; i < reads.size(); i++) out.addAll(all.<List<Journal.Reimbursement>>resultAt(i));
      return out;
    });
  }

  private Future<Void> notifyPaid(SqlConnection c, long payerId, List<Journal.Reimbursement> payable, Settlements.Paid paid) {
    if (paid.ids().isEmpty()) return Future.succeededFuture();
    long toll = settlements.options().tollWon();
    Map<Long, long[]> byPayee = new HashMap<>();
    for (Journal.Reimbursement r : payable) {
      long[] sum = byPayee.computeIfAbsent(r.payeeVendorId(), k -> new long[2]);
      sum[0]++;
      sum[1] += r.amountWon();
    }
    Future<Void> f = journal.notify(c, "REIMBURSEMENTS_PAID", payerId, paid.won(), paid.ids().size() + " reimbursements ("
        + paid.won() + " won, tolls " + paid.ids().size() * toll + " won) paid by the mall's settlement schedule");
    for (Map.Entry<Long, long[]> e : byPayee.entrySet()) {
      f = f.compose(x -> journal.notify(c, "REIMBURSEMENTS_PAID", e.getKey(), e.getValue()[1], e.getValue()[0]
          + " reimbursements (" + e.getValue()[1] + " won) received from vendor " + payerId + " by the mall's settlement schedule"));
    }
    return f;
  }

  /** Tells the payer of reimbursements newly found not covered (each is reported once, not at every run). */
  private Future<Void> reportShort(SqlConnection c, long payerId, List<Journal.Reimbursement> shortOnes, long cashWon) {
    if (shortOnes.isEmpty()) return Future.succeededFuture();
    long owedWon = shortOnes.stream().mapToLong(Journal.Reimbursement::amountWon).sum();
    return c.preparedQuery("UPDATE mall.reimbursement SET short_reported_at = $2 WHERE id = ANY($1) AND short_reported_at IS NULL"
            + " RETURNING id").execute(Tuple.of(shortOnes.stream().map(Journal.Reimbursement::id).toArray(Long[]::new), journal.now()))
        .compose(rows -> rows.size() == 0 ? Future.succeededFuture()
            : journal.notify(c, "SETTLEMENT_SHORT", payerId, owedWon, shortOnes.size() + " reimbursements due (" + owedWon
                + " won plus tolls) are not paid: your cash position with the mall (" + cashWon + " won) does not cover them."
                + " They stay owed; buy tokens or receive reimbursements to cover them, or pay them yourself."));
  }
}
