package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * A member's own certificates: list with balances (read from the ledger), the code for the barcode, a new
 * PIN, and what they were used for. Every query is scoped by the holder, so another member's certificate
 * is simply not found.
 */
final class Holdings {
  private final Vertx vertx;
  private final Pool pool;
  private final CertificateLedger ledger;
  private final PasswordHasher pinHasher;
  private final Codes codes = new Codes();

  Holdings(Vertx vertx, Pool pool, CertificateLedger ledger, PasswordHasher pinHasher) {
    this.vertx = vertx;
    this.pool = pool;
    this.ledger = ledger;
    this.pinHasher = pinHasher;
  }

  private static final String SELECT = "SELECT c.id, c.code, c.status, c.account_id, c.face_value_won, c.issued_at,"
      + " c.purchase_id, i.category, i.issuer, i.description FROM certificates.certificate c"
      + " JOIN certificates.item i ON i.id = c.item_id"
      + " JOIN certificates.purchase p ON p.id = c.purchase_id AND p.status = 'ISSUED'";

  Future<List<JsonObject>> mine(long memberId) {
    return pool.preparedQuery(SELECT + " WHERE c.holder_member_id = $1 ORDER BY c.id DESC LIMIT "
        + CertificatesOptions.HISTORY_ROWS_MAX).execute(Tuple.of(memberId)).compose(rows -> {
          List<Future<JsonObject>> out = new ArrayList<>();
          for (Row r : rows) out.add(ledger.balance(r.getLong("account_id")).map(b -> json(r, b)));
          return Future.all(out).map(all -> {
            List<JsonObject> list = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) list.add(all.resultAt(i));
            return list;
          });
        });
  }

  /** The certificate if the member holds it, else null. */
  Future<JsonObject> one(long memberId, long certificateId) {
    return pool.preparedQuery(SELECT + " WHERE c.id = $1 AND c.holder_member_id = $2").execute(Tuple.of(certificateId, memberId))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(null);
          Row r = rows.iterator().next();
          return ledger.balance(r.getLong("account_id")).map(b -> json(r, b).put("rawCode", r.getString("code")));
        });
  }

  private static JsonObject json(Row r, long balance) {
    return new JsonObject().put("id", r.getLong("id")).put("code", Codes.display(r.getString("code")))
        .put("category", r.getString("category")).put("issuer", r.getString("issuer"))
        .put("description", r.getString("description")).put("faceValueWon", r.getLong("face_value_won"))
        .put("balanceWon", balance).put("status", r.getString("status")).put("purchaseId", r.getLong("purchase_id"))
        .put("issuedAt", r.getOffsetDateTime("issued_at").toInstant().toString());
  }

  /** A fresh PIN for the holder's own certificate (the old one stops working); null if not theirs. */
  Future<String> newPin(long memberId, long certificateId) {
    String pin = codes.newPin();
    return Web.blocking(vertx, () -> pinHasher.hash(pin)).compose(hash -> pool.preparedQuery(
            "UPDATE certificates.certificate SET pin_hash = $3 WHERE id = $1 AND holder_member_id = $2 AND status = 'ACTIVE'")
        .execute(Tuple.of(certificateId, memberId, hash)).map(r -> r.rowCount() == 1 ? pin : null));
  }

  /** Redemptions of the certificates the member holds now. */
  Future<List<JsonObject>> usage(long memberId) {
    return pool.preparedQuery("SELECT r.id, r.certificate_id, r.store_id, r.channel, r.transaction_id, r.amount_won, r.created_at,"
            + " s.name AS store_name, i.issuer FROM certificates.redemption r"
            + " JOIN certificates.certificate c ON c.id = r.certificate_id JOIN certificates.item i ON i.id = c.item_id"
            + " LEFT JOIN certificates.store s ON s.id = r.store_id"
            + " WHERE c.holder_member_id = $1 ORDER BY r.id DESC LIMIT " + CertificatesOptions.HISTORY_ROWS_MAX)
        .execute(Tuple.of(memberId)).map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new JsonObject().put("id", r.getLong("id")).put("certificateId", r.getLong("certificate_id"))
                .put("issuer", r.getString("issuer")).put("channel", r.getString("channel"))
                .put("store", r.getLong("store_id") == 0 ? "online checkout" : r.getString("store_name"))
                .put("amountWon", r.getLong("amount_won"))
                .put("at", r.getOffsetDateTime("created_at").toInstant().toString()));
          }
          return out;
        });
  }
}
