package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Account;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reports for the operator and each vendor. Token figures and cash positions are read from the ledger's
 * accounts (see {@link MallLedger} for the map); the split of a vendor's cash position into what it was for
 * (card receipts, royalties, reimbursements, tolls, service charges) comes from the journal, and the report
 * says whether the two agree ({@code reconciled}): the journal's figures must add up to the ledger's position
 * and pending reimbursements, per vendor and in total.
 */
final class Reports {
  private final Journal journal;
  private final MallLedger ledger;
  private final Vendors vendors;

  Reports(Journal journal, MallLedger ledger, Vendors vendors) {
    this.journal = journal;
    this.ledger = ledger;
    this.vendors = vendors;
  }

  private Future<Map<Integer, Account>> byType(String owner) {
    return ledger.f(ledger.ledger().accountsOf(owner)).map(list -> {
      Map<Integer, Account> out = new HashMap<>();
      for (Account a : list) out.put(a.pointType(), a);
      return out;
    });
  }

  private static long posted(Map<Integer, Account> accounts, int type) {
    Account a = accounts.get(type);
    return a == null ? 0 : a.posted();
  }

  private static Account acc(Map<Integer, Account> accounts, int type) {
    return accounts.get(type);
  }

  private static long debits(Map<Integer, Account> m, int type) {
    Account a = m.get(type);
    return a == null ? 0 : a.debitsPosted();
  }

  private static long credits(Map<Integer, Account> m, int type) {
    Account a = m.get(type);
    return a == null ? 0 : a.creditsPosted();
  }

  /** The operator's report: every approved vendor and the mall's totals. */
  Future<JsonObject> operator() {
    return build();
  }

  /** One vendor's report: its own figures only (the totals are the operator's). */
  Future<JsonObject> vendor(long vendorId) {
    return build().map(r -> {
      for (Object o : r.getJsonArray("vendors")) {
        JsonObject v = (JsonObject) o;
        if (v.getLong("vendorId") == vendorId) return v;
      }
      return null;
    });
  }

  private Future<JsonObject> build() {
    return Future.all(vendors.all(true), vendors.extraTokens()).compose(both -> {
      List<Vendor> list = both.resultAt(0);
      List<Vendor> extraTokens = both.resultAt(1);
      List<Future<?>> reads = new ArrayList<>();
      Future<Map<Integer, Account>> issuance = byType(MallLedger.ISSUANCE);
      Future<Map<Integer, Account>> exchange = byType(MallLedger.EXCHANGE);
      Future<Map<Integer, Account>> charges = byType(MallLedger.SERVICE_CHARGES);
      Future<Map<Integer, Account>> royalties = byType(MallLedger.ROYALTIES);
      Future<Map<Integer, Account>> tolls = byType(MallLedger.TOLLS);
      Future<Map<Integer, Account>> card = byType(MallLedger.CARD_RECEIPTS);
      reads.addAll(List.of(issuance, exchange, charges, royalties, tolls, card));
      Map<Long, Future<Map<Integer, Account>>> own = new HashMap<>();
      Map<Long, Future<Map<Integer, Account>>> taken = new HashMap<>();
      for (Vendor v : list) {
        own.put(v.id(), byType(MallLedger.vendor(v.id())));
        taken.put(v.id(), byType(MallLedger.taken(v.id())));
        reads.add(own.get(v.id()));
        reads.add(taken.get(v.id()));
      }
      return Future.all(reads).compose(x -> journalFigures()).map(j -> {
        JsonArray out = new JsonArray();
        long issuedTotal = 0, circulationTotal = 0, positions = 0, owedTotal = 0, paidTotal = 0;
        boolean reconciled = true;
        for (Vendor v : list) {
          int t = v.pointType();
          long issued = debits(issuance.result(), t);
          long stock = posted(own.get(v.id()).result(), t);
          long atHome = posted(taken.get(v.id()).result(), t);
          long atOthers = 0;
          JsonArray fromOthers = new JsonArray();
          for (Vendor w : list) {
            if (w.id() == v.id()) continue;
            atOthers += posted(taken.get(w.id()).result(), t);
            long theirs = posted(taken.get(v.id()).result(), w.pointType());
            if (theirs > 0) fromOthers.add(new JsonObject().put("vendorId", w.id()).put("token", w.pointTypeCode()).put("tokens", theirs));
          }
          long exchangedIn = debits(exchange.result(), t);
          long exchangedOut = credits(exchange.result(), t);
          long chargeTokens = credits(charges.result(), t);
          long circulation = issued - stock - atHome - atOthers + exchangedIn - exchangedOut - chargeTokens;
          Account cash = acc(own.get(v.id()).result(), MallLedger.CASH);
          long position = cash == null ? 0 : cash.posted();
          long owedOut = cash == null ? 0 : cash.debitsPending();
          long owedIn = cash == null ? 0 : cash.creditsPending();
          JsonObject f = j.getOrDefault(v.id(), new JsonObject());
          long expected = f.getLong("cardIn", 0L) + f.getLong("paidIn", 0L) - f.getLong("paidOut", 0L) - f.getLong("royalties", 0L)
              - f.getLong("infoTolls", 0L) - f.getLong("reimbursementTolls", 0L) - f.getLong("serviceCharges", 0L);
          boolean ok = expected == position && owedOut == f.getLong("owedOut", 0L) && owedIn == f.getLong("owedIn", 0L);
          reconciled &= ok;
          issuedTotal += issued;
          circulationTotal += circulation;
          positions += position;
          owedTotal += owedOut;
          paidTotal += f.getLong("paidOut", 0L);
          JsonArray extra = new JsonArray();
          for (Vendor k : extraTokens) {
            if (k.id() != v.id()) continue;
            long kIssued = debits(issuance.result(), k.pointType());
            long kStock = posted(own.get(v.id()).result(), k.pointType());
            long kHome = posted(taken.get(v.id()).result(), k.pointType());
            long kOthers = 0;
            for (Vendor w : list) if (w.id() != v.id()) kOthers += posted(taken.get(w.id()).result(), k.pointType());
            // never exchanged: what was issued is in stock, with members, or taken in payment (won bids included)
            extra.add(new JsonObject().put("kind", k.tokenKind()).put("token", k.pointTypeCode()).put("issued", kIssued)
                .put("available", kStock).put("inCirculation", kIssued - kStock - kHome - kOthers)
                .put("spentAtHome", kHome).put("spentAtOthers", kOthers));
            issuedTotal += kIssued;
            circulationTotal += kIssued - kStock - kHome - kOthers;
          }
          out.add(new JsonObject().put("vendorId", v.id()).put("name", v.name()).put("token", v.pointTypeCode())
              .put("tokenKind", v.tokenKind()).put("extraTokens", extra)
              .put("rateWon", v.rateWon())
              .put("tokens", new JsonObject().put("issued", issued).put("available", stock).put("inCirculation", circulation)
                  .put("spentAtHome", atHome).put("spentAtOthers", atOthers).put("takenFromOthers", fromOthers)
                  .put("exchangedIn", exchangedIn).put("exchangedOut", exchangedOut).put("serviceChargeTokens", chargeTokens))
              .put("cash", new JsonObject().put("positionWon", position).put("cardReceiptsWon", f.getLong("cardIn", 0L))
                  .put("royaltiesWon", f.getLong("royalties", 0L))
                  .put("reimbursementsOwedWon", owedOut).put("reimbursementsPaidWon", f.getLong("paidOut", 0L))
                  .put("reimbursementsDueWon", owedIn).put("reimbursementsReceivedWon", f.getLong("paidIn", 0L))
                  .put("tollsWon", f.getLong("infoTolls", 0L) + f.getLong("reimbursementTolls", 0L))
                  .put("serviceChargesWon", f.getLong("serviceCharges", 0L)))
              .put("reconciled", ok));
        }
        int cashType = MallLedger.CASH;
        long royaltiesWon = posted(royalties.result(), cashType);
        long tollsWon = posted(tolls.result(), cashType);
        long chargesWon = posted(charges.result(), cashType);
        long cardWon = -posted(card.result(), cashType);
        // double entry: what came in by card is held as the vendors' positions and the mall's revenue
        boolean balanced = cardWon == positions + royaltiesWon + tollsWon + chargesWon;
        return new JsonObject().put("vendors", out).put("totals", new JsonObject().put("issued", issuedTotal)
                .put("inCirculation", circulationTotal).put("cardReceiptsWon", cardWon).put("vendorPositionsWon", positions)
                .put("royaltiesWon", royaltiesWon).put("tollsWon", tollsWon).put("serviceChargesWon", chargesWon)
                .put("reimbursementsOwedWon", owedTotal).put("reimbursementsPaidWon", paidTotal))
            .put("reconciled", reconciled && balanced);
      });
    });
  }

  /** Per vendor, the journal's sums of what its cash position moved for. */
  private Future<Map<Long, JsonObject>> journalFigures() {
    String sum = "COALESCE((SELECT sum(%s) FROM mall.%s WHERE %s), 0)::bigint AS %s";
    String sql = "SELECT v.id, "
        + String.format(sum, "value_won", "entry e", "e.vendor_id = v.id AND e.kind IN ('ISSUE', 'SALE') AND e.status = 'DONE'", "card_in") + ", "
        + String.format(sum, "royalty_won", "entry e", "e.vendor_id = v.id AND e.kind = 'SPEND' AND e.status = 'DONE'", "royalties") + ", "
        + String.format(sum, "toll_won", "entry e", "e.vendor_id = v.id AND e.kind = 'INFO_REQUEST' AND e.status = 'DONE'", "info_tolls") + ", "
        + String.format(sum, "service_charge_won", "entry e", "e.token_vendor_id = v.id AND e.kind = 'EXCHANGE' AND e.status = 'DONE'", "service") + ", "
        + String.format(sum, "amount_won", "reimbursement r", "r.payer_vendor_id = v.id AND r.status = 'OWED'", "owed_out") + ", "
        + String.format(sum, "amount_won", "reimbursement r", "r.payer_vendor_id = v.id AND r.status = 'PAID'", "paid_out") + ", "
        + String.format(sum, "toll_won", "reimbursement r", "r.payer_vendor_id = v.id AND r.status = 'PAID'", "reimbursement_tolls") + ", "
        + String.format(sum, "amount_won", "reimbursement r", "r.payee_vendor_id = v.id AND r.status = 'OWED'", "owed_in") + ", "
        + String.format(sum, "amount_won", "reimbursement r", "r.payee_vendor_id = v.id AND r.status = 'PAID'", "paid_in")
        + " FROM mall.vendor v WHERE v.status = 'APPROVED'";
    return journal.pool().query(sql).execute().map(rows -> {
      Map<Long, JsonObject> out = new HashMap<>();
      for (Row r : rows) {
        out.put(r.getLong("id"), new JsonObject().put("cardIn", r.getLong("card_in")).put("royalties", r.getLong("royalties"))
            .put("infoTolls", r.getLong("info_tolls")).put("serviceCharges", r.getLong("service"))
            .put("owedOut", r.getLong("owed_out")).put("paidOut", r.getLong("paid_out"))
            .put("reimbursementTolls", r.getLong("reimbursement_tolls")).put("owedIn", r.getLong("owed_in"))
            .put("paidIn", r.getLong("paid_in")));
      }
      return out;
    });
  }
}
