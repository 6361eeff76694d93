package dev.mileage.gateway.mall;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The mall's journal ({@code mall.entry}, {@code mall.reimbursement}, {@code mall.notification}). */
final class Journal {
  /** A request key's entry; {@code fresh} when this call made it. */
  record Begun(Entry entry, boolean fresh) { }

  private final Pool pool;
  private final Clock clock;

  Journal(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  Pool pool() {
    return pool;
  }

  /** Inserts the draft with its figures, or answers the entry already made under its request key. */
  Future<Begun> begin(Entry d) {
    return pool.preparedQuery("INSERT INTO mall.entry (kind, request_key, status, vendor_id, token_vendor_id, other_vendor_id,"
            + " member_id, sku, tokens, credited_tokens, value_won, royalty_won, service_charge_won, toll_won, fee_tokens,"
            + " reason, created_at, token_kind) VALUES ($1, $2, 'PENDING', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
            + " $16, $17)"
            + " ON CONFLICT (request_key) DO NOTHING RETURNING *")
        .execute(Tuple.from(new Object[] {d.kind(), d.requestKey(), d.vendorId(), d.tokenVendorId(), d.otherVendorId(),
            d.memberId(), d.sku(), d.tokens(), d.creditedTokens(), d.valueWon(), d.royaltyWon(), d.serviceChargeWon(),
            d.tollWon(), d.feeTokens(), d.reason(), now(), d.tokenKind()}))
        .compose(rows -> rows.size() == 1 ? Future.succeededFuture(new Begun(Entry.of(rows.iterator().next()), true))
            : byKey(d.requestKey()).map(e -> new Begun(e, false)));
  }

  Future<Entry> byKeyOrNull(String requestKey) {
    return pool.preparedQuery("SELECT * FROM mall.entry WHERE request_key = $1").execute(Tuple.of(requestKey))
        .map(rows -> rows.size() == 1 ? Entry.of(rows.iterator().next()) : null);
  }

  Future<Entry> byKey(String requestKey) {
    return pool.preparedQuery("SELECT * FROM mall.entry WHERE request_key = $1").execute(Tuple.of(requestKey))
        .map(rows -> Entry.of(rows.iterator().next()));
  }

  /** A request that changed nothing in the ledger is forgotten, so the same key may be tried again. */
  Future<Void> forget(long entryId) {
    return pool.preparedQuery("DELETE FROM mall.entry WHERE id = $1 AND status = 'PENDING'").execute(Tuple.of(entryId)).mapEmpty();
  }

  Future<Entry> declined(Entry e, String reason) {
    return pool.preparedQuery("UPDATE mall.entry SET status = 'DECLINED', reason = $2 WHERE id = $1 RETURNING *")
        .execute(Tuple.of(e.id(), reason)).map(rows -> Entry.of(rows.iterator().next()));
  }

  /**
   * Marks the entry done, in one transaction with what follows from it: the reimbursement it leaves owed
   * (payer, payee, amount, the ledger reservation) and the mall's notification of an issuance.
   */
  Future<Entry> done(Entry e, String paymentReference, Reimbursement owed, boolean notifyIssuance) {
    return pool.withTransaction(c -> c.preparedQuery("UPDATE mall.entry SET status = 'DONE', payment_reference = $2"
            + " WHERE id = $1 RETURNING *").execute(Tuple.of(e.id(), paymentReference))
        .compose(rows -> {
          Entry updated = Entry.of(rows.iterator().next());
          Future<?> r = owed == null ? Future.succeededFuture() : c.preparedQuery("INSERT INTO mall.reimbursement (entry_id,"
                  + " payer_vendor_id, payee_vendor_id, amount_won, pending_id, status, created_at)"
                  + " VALUES ($1, $2, $3, $4, $5, 'OWED', $6) ON CONFLICT (entry_id) DO NOTHING")
              .execute(Tuple.of(e.id(), owed.payerVendorId(), owed.payeeVendorId(), owed.amountWon(), owed.pendingId(), now()));
          return r.compose(x -> notifyIssuance ? notify(c, "ISSUANCE", e.vendorId(), e.memberId(), e.tokens())
              : Future.succeededFuture()).map(updated);
        }));
  }

  private Future<Void> notify(SqlConnection c, String kind, long vendorId, Long memberId, long tokens) {
    return c.preparedQuery("INSERT INTO mall.notification (kind, vendor_id, member_id, tokens, at) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(kind, vendorId, memberId, tokens, now())).mapEmpty();
  }

  record Reimbursement(long id, long entryId, long payerVendorId, long payeeVendorId, long amountWon, UUID pendingId,
                       String status) {
    static Reimbursement owed(long payer, long payee, long amountWon, UUID pendingId) {
      return new Reimbursement(0, 0, payer, payee, amountWon, pendingId, "OWED");
    }
  }

  /**
   * Locks (FOR UPDATE SKIP LOCKED) up to {@code limit} of the payer's OWED reimbursements made at or before
   * {@code dueBy} (null: any), oldest first: rows another transaction is paying are skipped, never paid twice.
   */
  Future<List<Reimbursement>> lockOwed(SqlConnection c, long payerVendorId, OffsetDateTime dueBy, int limit) {
    return c.preparedQuery("SELECT * FROM mall.reimbursement WHERE payer_vendor_id = $1 AND status = 'OWED'"
            + " AND ($2::timestamptz IS NULL OR created_at <= $2) ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(payerVendorId, dueBy, limit)).map(rows -> {
          List<Reimbursement> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new Reimbursement(r.getLong("id"), r.getLong("entry_id"), r.getLong("payer_vendor_id"),
                r.getLong("payee_vendor_id"), r.getLong("amount_won"), r.getUUID("pending_id"), r.getString("status")));
          }
          return out;
        });
  }

  /** OWED to PAID, guarded by the status: answers the ids this call moved. */
  Future<List<Long>> paid(SqlConnection c, List<Long> reimbursementIds, long tollWon, String paidBy) {
    if (reimbursementIds.isEmpty()) return Future.succeededFuture(List.of());
    return c.preparedQuery("UPDATE mall.reimbursement SET status = 'PAID', toll_won = $2, paid_at = $3, paid_by = $4"
            + " WHERE id = ANY($1) AND status = 'OWED' RETURNING id")
        .execute(Tuple.of(reimbursementIds.toArray(new Long[0]), tollWon, now(), paidBy)).map(rows -> {
          List<Long> out = new ArrayList<>();
          for (Row r : rows) out.add(r.getLong(0));
          return out;
        });
  }

  /** A notification to a vendor (what happened in words, and the money it concerns). */
  Future<Void> notify(SqlConnection c, String kind, long vendorId, long amountWon, String detail) {
    return c.preparedQuery("INSERT INTO mall.notification (kind, vendor_id, amount_won, detail, at) VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(kind, vendorId, amountWon, detail, now())).mapEmpty();
  }

  Future<List<Entry>> ofMember(long memberId) {
    return pool.preparedQuery("SELECT * FROM mall.entry WHERE member_id = $1 AND status = 'DONE' ORDER BY id DESC LIMIT "
        + MallOptions.HISTORY_ROWS_MAX).execute(Tuple.of(memberId)).map(Journal::entries);
  }

  static List<Entry> entries(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Entry> out = new ArrayList<>();
    for (Row r : rows) out.add(Entry.of(r));
    return out;
  }
}
