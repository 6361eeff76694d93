package dev.mileage.points.store;

import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.Micros;
import dev.mileage.points.engine.PendingState;
import dev.mileage.points.engine.PendingStatus;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.PointKind;
import dev.mileage.points.ledger.PointType;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import io.vertx.sqlclient.Row;

import java.util.Arrays;
import java.util.Set;

/** The ledger's SQL and the mapping between rows and records; every row read is checked. */
final class LedgerRows {
  static final String ACCOUNT_COLUMNS =
      "id, owner, point_type, flags, debits_pending, debits_posted, credits_pending, credits_posted";
  static final String TRANSFER_COLUMNS =
      "id, debit_account_id, credit_account_id, amount, pending_id, timeout_seconds, code, reference, flags, ts";
  static final String PENDING_COLUMNS = "id, debit_account_id, credit_account_id, amount, ts, expires_at, status";
  static final String POINT_TYPE_COLUMNS = "id, code, kind, issuer, cash_micros_per_unit, allowed_products";

  static final String SELECT_ACCOUNTS = "SELECT " + ACCOUNT_COLUMNS + " FROM ledger.account WHERE id = ANY($1::int8[])";
  static final String SELECT_TRANSFERS = "SELECT " + TRANSFER_COLUMNS + " FROM ledger.transfer WHERE id = ANY($1::uuid[])";
  static final String SELECT_PENDINGS = "SELECT " + PENDING_COLUMNS + " FROM ledger.pending WHERE id = ANY($1::uuid[])";
  static final String SELECT_DUE = "SELECT id FROM ledger.pending WHERE status = 0 AND expires_at > 0 AND expires_at <= $1"
      + " ORDER BY expires_at LIMIT $2";
  static final String SELECT_WRITER = "SELECT batch_seq, last_ts, writer_id FROM ledger.writer WHERE id = 1";

  /**
   * The writer lease: a session advisory lock, one per database, held by the writer's connection for as long as it
   * lives. Only the connection that holds it sends batches, so two ledgers on one database never both write; the
   * lock goes with the connection (a lost connection, a killed process), and the next connection takes it again.
   */
  static final String TRY_LEASE = "SELECT pg_try_advisory_lock(hashtextextended('mileage.ledger.writer', 0))";
  /** Who holds the lease, for the refusal's message (a bigint advisory key shows as classid, objid, objsubid 1). */
  static final String LEASE_HOLDER = """
      SELECT a.pid, coalesce(host(a.client_addr), 'a local socket'), a.application_name,
             to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND ((l.classid::int8 << 32) | l.objid::int8) = hashtextextended('mileage.ledger.writer', 0)
      """;

  /** The projection's fence: the last batch whose transfer rows, accounts and reservations the tables hold. */
  static final String SELECT_PROJECTION = "SELECT batch_seq FROM ledger.projection WHERE id = 1";
  static final String SELECT_JOURNAL = "SELECT batch_seq, body FROM ledger.journal WHERE batch_seq > $1 AND batch_seq <= $2"
      + " ORDER BY batch_seq";

  /**
   * A batch commits as its journal record and the writer row advanced by exactly one batch (the fence: a
   * batch commits only on top of its predecessor) and stamped with the writer's identity, in one statement,
   * hence one implicit transaction and one round trip. Any row count other than expected raises, which rolls
   * the statement back entirely.
   */
  static final String COMMIT_BATCH = """
      WITH j AS (
        INSERT INTO ledger.journal (batch_seq, body) VALUES ($1, $2)
        RETURNING 1),
      w AS (
        UPDATE ledger.writer SET batch_seq = $1, last_ts = $3, writer_id = $4
        WHERE id = 1 AND batch_seq = $1 - 1
        RETURNING 1)
      SELECT ledger.expect_rows((SELECT count(*) FROM j), 1, 'journal'),
             ledger.expect_rows((SELECT count(*) FROM w), 1, 'writer')
      """;

  /**
   * The projection's first lane: the transfer rows of committed batches appended, each tagged with the last batch of
   * the statement. The lane runs on several connections at once, so it keeps no fence: the statements are in flight
   * in batch order and passed on in that order, the projection's one fence (which the state lane advances only for
   * batches whose rows are written) is what readers go by, and the primary key refuses a row written twice. Any row count other than
   * expected raises, which rolls the statement back entirely.
   */
  static final String PROJECT_TRANSFERS = """
      WITH t AS (
        INSERT INTO ledger.transfer (%s, batch_seq)
        SELECT *, $11 FROM UNNEST($1::uuid[], $2::int8[], $3::int8[], $4::int8[], $5::uuid[], $6::int4[], $7::int4[],
                                  $8::text[], $9::int4[], $10::int8[])
        RETURNING 1)
      SELECT ledger.expect_rows((SELECT count(*) FROM t), $12, 'transfer')
      """.formatted(TRANSFER_COLUMNS);

  /**
   * The same rows again, where some or all of them may be written already: after a failure (a statement whose answer
   * was lost may have committed, or may still), and at a start. A row already there is left as it is.
   */
  static final String PROJECT_TRANSFERS_AGAIN = """
      WITH t AS (
        INSERT INTO ledger.transfer (%s, batch_seq)
        SELECT *, $11 FROM UNNEST($1::uuid[], $2::int8[], $3::int8[], $4::int8[], $5::uuid[], $6::int4[], $7::int4[],
                                  $8::text[], $9::int4[], $10::int8[])
        ON CONFLICT (id) DO NOTHING
        RETURNING 1)
      SELECT (SELECT count(*) FROM t) <= $12
      """.formatted(TRANSFER_COLUMNS);

  /**
   * The projection's second lane, for batches whose transfer rows are written already: accounts updated only
   * if they still hold what the first batch read (anything else changing them aborts the projection),
   * reservations created, reservations closed only if still open, the projection's fence advanced from exactly the
   * batch before the first to the last (the writer sends it only once the transfer lane has written those batches'
   * rows), and those batches' journal records
   * deleted (both lanes hold them now). Any row count other than expected raises, which rolls the statement
   * back entirely.
   */
  static final String PROJECT_STATE = """
      WITH a AS (
        UPDATE ledger.account AS a
           SET debits_pending = u.dp, debits_posted = u.dpo, credits_pending = u.cp, credits_posted = u.cpo
          FROM UNNEST($1::int8[], $2::int8[], $3::int8[], $4::int8[], $5::int8[], $6::int8[], $7::int8[],
                      $8::int8[], $9::int8[]) AS u(id, dp, dpo, cp, cpo, odp, odpo, ocp, ocpo)
         WHERE a.id = u.id AND a.debits_pending = u.odp AND a.debits_posted = u.odpo
           AND a.credits_pending = u.ocp AND a.credits_posted = u.ocpo
        RETURNING 1),
      p AS (
        INSERT INTO ledger.pending (%s)
        SELECT * FROM UNNEST($10::uuid[], $11::int8[], $12::int8[], $13::int8[], $14::int8[], $15::int8[], $16::int2[])
        RETURNING 1),
      c AS (
        UPDATE ledger.pending AS p SET status = u.status
          FROM UNNEST($17::uuid[], $18::int2[]) AS u(id, status)
         WHERE p.id = u.id AND p.status = 0
        RETURNING 1),
      w AS (
        UPDATE ledger.projection SET batch_seq = $19 WHERE id = 1 AND batch_seq = $20
        RETURNING 1),
      j AS (
        DELETE FROM ledger.journal WHERE batch_seq > $20 AND batch_seq <= $19
        RETURNING 1)
      SELECT ledger.expect_rows((SELECT count(*) FROM a), $21, 'account'),
             ledger.expect_rows((SELECT count(*) FROM p), $22, 'new reservation'),
             ledger.expect_rows((SELECT count(*) FROM c), $23, 'closed reservation'),
             ledger.expect_rows((SELECT count(*) FROM w), 1, 'state projection'),
             ledger.expect_rows((SELECT count(*) FROM j), $19 - $20, 'journal')
      """.formatted(PENDING_COLUMNS);

  private LedgerRows() {
  }

  static Account account(Row r) {
    return BatchOutcome.checkLimits(new Account(r.getLong(0), r.getString(1), r.getInteger(2), r.getInteger(3),
        r.getLong(4), r.getLong(5), r.getLong(6), r.getLong(7)));
  }

  static TransferRecord transfer(Row r) {
    return new TransferRecord(new Transfer(r.getUUID(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getUUID(4),
        r.getInteger(5), r.getInteger(6), r.getString(7), r.getInteger(8)), Micros.toInstant(r.getLong(9)));
  }

  static PendingState pending(Row r) {
    return new PendingState(r.getUUID(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5),
        PendingStatus.of(r.getShort(6)));
  }

  static PointType pointType(Row r) {
    String[] products = r.getArrayOfStrings(5);
    return new PointType(r.getInteger(0), r.getString(1), PointKind.valueOf(r.getString(2)), r.getString(3),
        r.getLong(4), products == null ? Set.of() : Set.copyOf(Arrays.asList(products)));
  }
}
