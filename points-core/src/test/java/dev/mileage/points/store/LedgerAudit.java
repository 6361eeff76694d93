package dev.mileage.points.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Checks the database directly (plain JDBC, no ledger code): the counters equal the journal. */
final class LedgerAudit {
  private LedgerAudit() {
  }

  /**
   * Recomputes all four counters of every account from the transfers and open reservations, as of the state
   * lane's fence (transfer rows of later batches may be written already: the transfer lane runs ahead).
   */
  static final String MISMATCHES = """
      WITH moves AS (
        SELECT t.debit_account_id AS account, 
               CASE WHEN t.flags & 2 <> 0 AND p.status = 0 THEN t.amount ELSE 0 END AS dp,
               CASE WHEN t.flags & (2 | 8) = 0 THEN t.amount ELSE 0 END AS dpo, 0::bigint AS cp, 0::bigint AS cpo
          FROM ledger.transfer t LEFT JOIN ledger.pending p ON p.id = t.id
         WHERE coalesce(t.batch_seq, 0) <= (SELECT batch_seq FROM ledger.projection WHERE id = 1)
        UNION ALL
        SELECT t.credit_account_id, 0, 0,
               CASE WHEN t.flags & 2 <> 0 AND p.status = 0 THEN t.amount ELSE 0 END,
               CASE WHEN t.flags & (2 | 8) = 0 THEN t.amount ELSE 0 END
          FROM ledger.transfer t LEFT JOIN ledger.pending p ON p.id = t.id
         WHERE coalesce(t.batch_seq, 0) <= (SELECT batch_seq FROM ledger.projection WHERE id = 1)),
      sums AS (SELECT account, sum(dp) dp, sum(dpo) dpo, sum(cp) cp, sum(cpo) cpo FROM moves GROUP BY account)
      SELECT count(*) FROM ledger.account a LEFT JOIN sums s ON s.account = a.id
       WHERE a.debits_pending <> coalesce(s.dp, 0) OR a.debits_posted <> coalesce(s.dpo, 0)
          OR a.credits_pending <> coalesce(s.cp, 0) OR a.credits_posted <> coalesce(s.cpo, 0)
      """;

  static void assertBalancesEqualTheirTransfers(Database db) throws SQLException {
    try (Connection c = connect(db)) {
      assertEquals(0, single(c, MISMATCHES), "accounts whose counters differ from their transfers");
      assertEquals(0, single(c, "SELECT coalesce(sum(credits_posted - debits_posted), 0) FROM ledger.account"),
          "points are neither created nor lost");
      assertEquals(0, single(c, "SELECT count(*) FROM ledger.account WHERE flags = 1"
          + " AND debits_pending + debits_posted > credits_posted"), "no customer below zero");
      assertEquals(0, single(c, "SELECT count(*) FROM ledger.pending p JOIN ledger.transfer t ON t.id = p.id"
          + " WHERE t.flags & 2 = 0 OR t.amount <> p.amount"), "every reservation is a stored PENDING transfer");
    }
  }

  /**
   * Which of {@code ids} are durably stored: in the transfer table, or in a committed journal record the
   * projection has not written yet (both are what a restart recovers).
   */
  static java.util.Set<java.util.UUID> storedTransferIds(Connection c, java.util.Collection<java.util.UUID> ids)
      throws SQLException {
    java.util.Set<java.util.UUID> stored = new java.util.HashSet<>();
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // one snapshot for both tables
    try (java.sql.PreparedStatement s = c.prepareStatement("SELECT id FROM ledger.transfer WHERE id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) stored.add((java.util.UUID) rs.getObject(1));
      }
      try (ResultSet rs = c.createStatement().executeQuery("SELECT body FROM ledger.journal ORDER BY batch_seq")) {
        while (rs.next()) {
          WriteSet w = WriteSet.decode(io.vertx.core.buffer.Buffer.buffer(rs.getBytes(1)));
          for (var r : w.transfers) if (ids.contains(r.transfer().id())) stored.add(r.transfer().id());
        }
      }
      c.commit();
    } finally {
      c.setAutoCommit(autoCommit);
    }
    return stored;
  }

  static Connection connect(Database db) throws SQLException {
    return DriverManager.getConnection(db.connection().jdbcUrl(), db.connection().user(), db.connection().password());
  }

  static long single(Connection c, String sql) throws SQLException {
    try (ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
