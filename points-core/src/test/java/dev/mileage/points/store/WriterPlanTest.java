package dev.mileage.points.store;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The writer's one generic plan of the batch statement is made on whatever the tables hold at its first
 * batch, typically nothing. It must find every account and reservation by primary key all the same: a
 * plan chosen for empty tables (hash join over a sequential scan) would read the whole reservation table
 * in every batch for the life of the connection.
 */
class WriterPlanTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    db = Database.embedded(dataDir);
    db.migrate("ledger"); // fresh and empty, as at a new gateway's first batch
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
    db.close();
  }

  static PgConnectOptions shared() {
    Database.ConnectionInfo info = db.connection();
    return new PgConnectOptions().setHost(info.host()).setPort(info.port()).setDatabase(info.database())
        .setUser(info.user()).setPassword(info.password());
  }

  static String genericPlan(PgConnectOptions options) {
    PgConnection c = PgConnection.connect(vertx, options).await();
    try {
      StringBuilder plan = new StringBuilder();
      for (String statement : List.of(LedgerRows.PROJECT_TRANSFERS, LedgerRows.PROJECT_STATE)) {
        for (Row r : c.query("EXPLAIN (GENERIC_PLAN, COSTS OFF) " + statement).execute().await()) {
          plan.append(r.getString(0)).append('\n');
        }
      }
      return plan.toString();
    } finally {
      c.close().await();
    }
  }

  @Test
  void writersBatchPlanFindsRowsByPrimaryKeyOnEmptyTables() {
    String plan = genericPlan(PgLedger.writerConnectOptions(shared()));
    assertFalse(plan.contains("Seq Scan"), plan);
    assertFalse(plan.contains("Hash Join"), plan);
    assertTrue(plan.contains("Index Scan using pending_pkey on pending"), plan);
    assertTrue(plan.contains("Index Scan using account_pkey on account"), plan);
  }

  /** Shows the test can fail: PostgreSQL's own choice on these empty tables is the full scan. */
  @Test
  void withoutTheWritersSettingsTheEmptyTablesGetAFullScan() {
    String plan = genericPlan(shared());
    assertTrue(plan.contains("Seq Scan on pending"), plan);
  }
}
