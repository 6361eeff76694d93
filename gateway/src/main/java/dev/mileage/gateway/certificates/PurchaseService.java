package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SmsSender;
import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Buying certificates: PENDING -> (settled) PAID -> (issued) ISSUED, or DECLINED with nothing issued. A bank
 * transfer goes PENDING -> AWAITING_DEPOSIT and waits there for the provider's deposit notice
 * ({@link BankTransfers}) until its deadline, then EXPIRED.
 * The client's request key makes the whole purchase idempotent: a repeat answers the same purchase and a
 * purchase left PAID by a failure (ledger down) is completed by the repeat, never charged twice (the card
 * charge and the phone-bill transfer carry keys derived from the purchase id).
 */
final class PurchaseService {
  enum Settlement { PHONE_BILL, CARD, BANK_TRANSFER }

  /** AWAITING_DEPOSIT: a bank-transfer order is open (see {@link BankTransfers}); EXPIRED: it was not paid in time. */
  enum Outcome { ISSUED, DECLINED, NO_SUCH_ITEM, REQUEST_KEY_REUSED, AWAITING_DEPOSIT, EXPIRED }

  /** {@code certificates} carry the PINs of certificates issued by this very call (shown once). */
  record Result(Outcome outcome, long purchaseId, String reason, JsonObject purchase) { }

  record Request(long memberId, String requestKey, long itemId, int sheets, Settlement settlement, String cardToken) {
    Request {
      if (requestKey == null || !requestKey.matches("[A-Za-z0-9._:-]{8,64}")) {
        throw new IllegalArgumentException("requestKey must be 8 to 64 letters, digits, '.', '_', ':' or '-'");
      }
      if (sheets < 1 || sheets > CertificatesOptions.SHEETS_PER_PURCHASE_MAX) {
        throw new IllegalArgumentException("sheets must be in 1.." + CertificatesOptions.SHEETS_PER_PURCHASE_MAX);
      }
      if (settlement == Settlement.CARD && (cardToken == null || cardToken.isBlank() || cardToken.length() > 128)) {
        throw new IllegalArgumentException("cardToken is required for card settlement");
      }
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Catalog catalog;
  private final CertificateLedger ledger;
  private final PaymentProvider payments;
  private final CertificateMessages messages;
  private final PasswordHasher pinHasher;
  private final Codes codes = new Codes();
  private final Duration bankTransferWindow;

  PurchaseService(Vertx vertx, Pool pool, Clock clock, Catalog catalog, CertificateLedger ledger, PaymentProvider payments,
                  SmsSender sms, MemberDirectory members, PasswordHasher pinHasher, Duration bankTransferWindow) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.catalog = catalog;
    this.ledger = ledger;
    this.payments = payments;
    this.messages = new CertificateMessages(vertx, pool, sms, members);
    this.pinHasher = pinHasher;
    this.bankTransferWindow = bankTransferWindow;
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  Future<Result> buy(Request q) {
    return catalog.item(q.itemId()).compose(item -> {
      if (item == null || !item.active()) return Future.succeededFuture(new Result(Outcome.NO_SUCH_ITEM, 0, "no such certificate in the catalog", null));
      long total = Math.multiplyExact(item.faceValueWon(), q.sheets());
      if (total > CertificatesOptions.PURCHASE_WON_MAX) {
        throw new IllegalArgumentException("a purchase may total at most " + CertificatesOptions.PURCHASE_WON_MAX + " won");
      }
      return pool.preparedQuery("INSERT INTO certificates.purchase (member_id, request_key, item_id, sheets, total_won,"
              + " settlement, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7)"
              + " ON CONFLICT (member_id, request_key) DO NOTHING RETURNING id")
          .execute(Tuple.of(q.memberId(), q.requestKey(), item.id(), q.sheets(), total, q.settlement().name(), now()))
          .compose(rows -> rows.size() == 1
              ? settle(q, item, rows.iterator().next().getLong(0), total)
              : resume(q));
    });
  }

  /** A repeated request key: the same purchase continues (or answers), a different one is refused. */
  private Future<Result> resume(Request q) {
    return pool.preparedQuery("SELECT * FROM certificates.purchase WHERE member_id = $1 AND request_key = $2")
        .execute(Tuple.of(q.memberId(), q.requestKey())).compose(rows -> {
          Row p = rows.iterator().next();
          if (p.getLong("item_id") != q.itemId() || p.getInteger("sheets") != q.sheets()
              || !p.getString("settlement").equals(q.settlement().name())) {
            return Future.succeededFuture(new Result(Outcome.REQUEST_KEY_REUSED, p.getLong("id"),
                "this request key was used for a different purchase", null));
          }
          long id = p.getLong("id");
          return switch (p.getString("status")) {
            case "DECLINED" -> Future.succeededFuture(new Result(Outcome.DECLINED, id, p.getString("reason"), null));
            case "PENDING" -> catalog.item(q.itemId()).compose(item -> settle(q, item, id, p.getLong("total_won")));
            case "AWAITING_DEPOSIT", "EXPIRED" -> order(q.memberId(), id);
            default -> catalog.item(q.itemId()).compose(item -> issue(q.memberId(), item, id, q.sheets(), q.settlement()));
          };
        });
  }

  private Future<Result> settle(Request q, Catalog.Item item, long purchaseId, long totalWon) {
    Future<String> declined;
    if (q.settlement() == Settlement.BANK_TRANSFER) {
      var payBy = clock.instant().plus(bankTransferWindow);
      return payments.openBankTransfer("cert-purchase:" + purchaseId, totalWon, payBy).compose(t -> {
        if (t.outcome() != PaymentProvider.Outcome.APPROVED) {
          return decline(purchaseId, t.outcome() == PaymentProvider.Outcome.FAILED
              ? "the bank-transfer service could not be reached; nothing was ordered" : "bank transfer refused: " + t.reason());
        }
        return pool.preparedQuery("UPDATE certificates.purchase SET status = 'AWAITING_DEPOSIT', payment_reference = $2,"
                + " bank_name = $3, virtual_account = $4, pay_by = $5 WHERE id = $1 AND status = 'PENDING'")
            .execute(Tuple.of(purchaseId, t.reference(), t.bank(), t.virtualAccount(),
                OffsetDateTime.ofInstant(t.expiresAt(), ZoneOffset.UTC)))
            .compose(u -> order(q.memberId(), purchaseId));
      });
    } else if (q.settlement() == Settlement.PHONE_BILL) {
      declined = ledger.chargePhoneBill(q.memberId(), totalWon, purchaseId).compose(r -> {
        if (r.applied()) return markPaid(purchaseId, null).map((String) null);
        if (r == TransferResult.EXCEEDS_CREDITS) return Future.succeededFuture("this month's phone-bill limit for certificates would be exceeded");
        return Future.failedFuture(new IllegalStateException("phone-bill charge answered " + r));
      });
    } else {
      declined = payments.charge("cert-purchase:" + purchaseId, totalWon, q.cardToken()).compose(r -> switch (r.outcome()) {
        case APPROVED -> markPaid(purchaseId, r.reference()).map((String) null);
        case DECLINED -> Future.succeededFuture("card declined: " + r.reason());
        case FAILED -> Future.succeededFuture("the card payment service could not be reached; nothing was charged");
      });
    }
    return declined.compose(reason -> {
      if (reason == null) return issue(q.memberId(), item, purchaseId, q.sheets(), q.settlement());
      return decline(purchaseId, reason);
    });
  }

  private Future<Result> decline(long purchaseId, String reason) {
    return pool.preparedQuery("UPDATE certificates.purchase SET status = 'DECLINED', reason = $2 WHERE id = $1 AND status = 'PENDING'")
        .execute(Tuple.of(purchaseId, reason))
        .map(v -> new Result(Outcome.DECLINED, purchaseId, reason, null));
  }

  /** A bank-transfer order as its buyer sees it (expired first if its deadline has passed). */
  private Future<Result> order(long memberId, long purchaseId) {
    return expireDue(memberId).compose(n -> one(memberId, purchaseId)).map(p -> switch (p.getString("status")) {
      case "AWAITING_DEPOSIT" -> new Result(Outcome.AWAITING_DEPOSIT, purchaseId, "", p);
      case "EXPIRED" -> new Result(Outcome.EXPIRED, purchaseId, p.getString("reason"), p);
      default -> new Result(Outcome.ISSUED, purchaseId, "", p.put("certificates", new JsonArray()));
    });
  }

  /**
   * Bank-transfer orders of {@code memberId} (null: of everybody) whose deadline has passed unpaid become
   * EXPIRED; answers how many. A deposit can no longer pay them (see {@link BankTransfers}).
   */
  Future<Integer> expireDue(Long memberId) {
    String which = memberId == null
        ? "id IN (SELECT id FROM certificates.purchase WHERE status = 'AWAITING_DEPOSIT' AND pay_by <= $2 ORDER BY pay_by"
          + " LIMIT " + CertificatesOptions.EXPIRY_BATCH_MAX + ")"
        : "member_id = $3";
    Tuple args = memberId == null ? Tuple.of(EXPIRED_REASON, now()) : Tuple.of(EXPIRED_REASON, now(), memberId);
    return pool.preparedQuery("UPDATE certificates.purchase SET status = 'EXPIRED', reason = $1 WHERE status = 'AWAITING_DEPOSIT'"
            + " AND pay_by <= $2 AND " + which).execute(args).map(r -> r.rowCount());
  }

  static final String EXPIRED_REASON = "not paid by the deadline: nothing was issued";

  /** One purchase of the member, or null: another member's purchase looks like a missing one. */
  Future<JsonObject> one(long memberId, long purchaseId) {
    return pool.preparedQuery("SELECT p.*, i.category, i.issuer, i.face_value_won FROM certificates.purchase p"
            + " JOIN certificates.item i ON i.id = p.item_id WHERE p.id = $1 AND p.member_id = $2")
        .execute(Tuple.of(purchaseId, memberId)).map(rows -> rows.size() == 0 ? null : purchaseRow(rows.iterator().next()));
  }

  private Future<Void> markPaid(long purchaseId, String reference) {
    return pool.preparedQuery("UPDATE certificates.purchase SET status = 'PAID', payment_reference = $2 WHERE id = $1 AND status = 'PENDING'")
        .execute(Tuple.of(purchaseId, reference)).mapEmpty();
  }

  /** Creates the missing certificates, funds them all (idempotent), then marks the purchase ISSUED. */
  Future<Result> issue(long memberId, Catalog.Item item, long purchaseId, int sheets, Settlement settlement) {
    List<Future<Account>> opening = new ArrayList<>();
    for (int s = 1; s <= sheets; s++) opening.add(ledger.certificateAccount(purchaseId, s));
    return Future.all(opening).compose(all -> {
      List<Long> accountIds = new ArrayList<>();
      for (int s = 0; s < sheets; s++) accountIds.add(all.<Account>resultAt(s).id());
      return Web.blocking(vertx, () -> newSheets(sheets)).compose(fresh -> {
        List<Tuple> rows = new ArrayList<>();
        for (int s = 0; s < sheets; s++) {
          Sheet f = fresh.get(s);
          rows.add(Tuple.of(purchaseId, s + 1, item.id(), item.faceValueWon(), f.code(),
              Buffer.buffer(Codes.digest(f.code())), f.pinHash(), memberId, accountIds.get(s), now()));
        }
        return pool.preparedQuery("INSERT INTO certificates.certificate (purchase_id, sheet, item_id, face_value_won, code,"
                + " code_digest, pin_hash, holder_member_id, status, account_id, issued_at)"
                + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ACTIVE', $9, $10) ON CONFLICT (purchase_id, sheet) DO NOTHING"
                + " RETURNING sheet, code").executeBatch(rows)
            .map(r -> {
              // only the sheets inserted now get their PIN shown; a resumed purchase keeps the earlier PINs
              List<Integer> inserted = new ArrayList<>();
              for (var set = r; set != null; set = set.next()) for (Row row : set) inserted.add(row.getInteger("sheet"));
              return inserted;
            })
            .compose(inserted -> ledger.fund(purchaseId, accountIds, item.faceValueWon()).compose(results -> {
              for (TransferResult t : results) {
                if (!t.applied()) return Future.failedFuture(new IllegalStateException("certificate funding answered " + t));
              }
              return pool.preparedQuery("UPDATE certificates.purchase SET status = 'ISSUED' WHERE id = $1 AND status = 'PAID' RETURNING id")
                  .execute(Tuple.of(purchaseId)).compose(u -> (u.size() == 1
                      ? messages.purchaseIssued(memberId, item, purchaseId, sheets, settlement) : Future.succeededFuture())
                      .compose(v -> purchaseJson(memberId, purchaseId, fresh, inserted)));
            }));
      });
    }).map(p -> new Result(Outcome.ISSUED, purchaseId, "", p));
  }

  private record Sheet(String code, String pin, String pinHash) { }

  private List<Sheet> newSheets(int n) {
    List<Sheet> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String pin = codes.newPin();
      out.add(new Sheet(codes.newCode(), pin, pinHasher.hash(pin)));
    }
    return out;
  }

  private Future<JsonObject> purchaseJson(long memberId, long purchaseId, List<Sheet> fresh, List<Integer> inserted) {
    return pool.preparedQuery("SELECT p.*, i.category, i.issuer, i.face_value_won FROM certificates.purchase p"
            + " JOIN certificates.item i ON i.id = p.item_id WHERE p.id = $1 AND p.member_id = $2")
        .execute(Tuple.of(purchaseId, memberId)).compose(prows -> {
          JsonObject p = purchaseRow(prows.iterator().next());
          return pool.preparedQuery("SELECT id, sheet, code FROM certificates.certificate WHERE purchase_id = $1 ORDER BY sheet")
              .execute(Tuple.of(purchaseId)).map(crows -> {
                JsonArray certs = new JsonArray();
                for (Row c : crows) {
                  int sheet = c.getInteger("sheet");
                  JsonObject j = new JsonObject().put("id", c.getLong("id")).put("code", Codes.display(c.getString("code")));
                  if (inserted.contains(sheet)) j.put("pin", fresh.get(sheet - 1).pin());
                  certs.add(j);
                }
                return p.put("certificates", certs);
              });
        });
  }

  static JsonObject purchaseRow(Row r) {
    JsonObject j = purchaseFields(r);
    if ("BANK_TRANSFER".equals(r.getString("settlement")) && r.getString("virtual_account") != null) {
      j.put("bankTransfer", new JsonObject().put("bank", r.getString("bank_name"))
          .put("virtualAccount", r.getString("virtual_account")).put("reference", r.getString("payment_reference"))
          .put("amountWon", r.getLong("total_won")).put("payBy", r.getOffsetDateTime("pay_by").toInstant().toString()));
    }
    return j;
  }

  private static JsonObject purchaseFields(Row r) {
    return new JsonObject().put("id", r.getLong("id")).put("itemId", r.getLong("item_id"))
        .put("category", r.getString("category")).put("issuer", r.getString("issuer"))
        .put("faceValueWon", r.getLong("face_value_won")).put("sheets", r.getInteger("sheets"))
        .put("totalWon", r.getLong("total_won")).put("settlement", r.getString("settlement"))
        .put("status", r.getString("status")).put("reason", r.getString("reason"))
        .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString());
  }

  Future<List<JsonObject>> history(long memberId) {
    return expireDue(memberId).compose(n -> pool.preparedQuery("SELECT p.*, i.category, i.issuer, i.face_value_won FROM certificates.purchase p"
            + " JOIN certificates.item i ON i.id = p.item_id WHERE p.member_id = $1 ORDER BY p.id DESC LIMIT "
            + CertificatesOptions.HISTORY_ROWS_MAX)
        .execute(Tuple.of(memberId)).map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) out.add(purchaseRow(r));
          return out;
        }));
  }
}
