package dev.mileage.gateway.http;

import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerException;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the database gone, or the ledger stopped for good, /health says so with 503 and the API answers a JSON error,
 * never a hang.
 */
class HealthDownTest {
  @TempDir
  Path dataDir;

  @Test
  void databaseDownIs503() throws Exception {
    try (TestGateway gateway = new TestGateway(dataDir)) {
      assertEquals(200, gateway.send(HttpMethod.GET, "/health", null, null, null).statusCode());
      gateway.app.database().close(); // stops the embedded PostgreSQL under the running gateway
      HttpResponse<Buffer> health = gateway.send(HttpMethod.GET, "/health", null, null, null);
      assertEquals(503, health.statusCode());
      JsonObject body = health.bodyAsJsonObject();
      assertEquals("DOWN", body.getString("status"));
      assertEquals(false, body.getJsonObject("database").getBoolean("reachable"));
      assertEquals(java.util.Set.of("status", "database", "ledger"), body.fieldNames(),
          "no load figures in the public answer");
      HttpResponse<Buffer> api = gateway.get("/api/v1/ledger/accounts/1");
      assertTrue(api.statusCode() >= 500, "server-side failure: " + api.statusCode());
      assertTrue(api.bodyAsJsonObject().containsKey("reason"), api.bodyAsString());
    }
  }

  /**
   * The gateway's ledger is cut off from its database (its writer connection ends) while another ledger writes
   * there: it stops writing, and /health turns 503 with the reason, so that the gateway is restarted.
   */
  @Test
  void aLedgerThatAnotherWriterTookOverIs503() throws Exception {
    try (TestGateway gateway = new TestGateway(dataDir)) {
      assertEquals(200, gateway.send(HttpMethod.GET, "/health", null, null, null).statusCode());
      Database db = gateway.app.database();
      Ledger own = gateway.app.context().ledger();
      Account a = own.openAccount("health:a", StandardPointTypes.MILEAGE, AccountFlags.NONE)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      Account b = own.openAccount("health:b", StandardPointTypes.MILEAGE, AccountFlags.NONE)
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      String writers = " FROM pg_stat_activity WHERE application_name = '" + PgLedger.WRITER_APPLICATION_NAME
          + "' AND datname = current_database()";
      try (Connection c = DriverManager.getConnection(db.connection().jdbcUrl(), db.connection().user(),
          db.connection().password())) {
        c.createStatement().executeQuery("SELECT pg_terminate_backend(pid)" + writers).close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
          try (ResultSet rs = c.createStatement().executeQuery("SELECT count(*)" + writers)) {
            rs.next();
            if (rs.getLong(1) == 0) break;
          }
          assertTrue(System.nanoTime() < deadline, "the writer backend ended");
          TimeUnit.MILLISECONDS.sleep(20);
        }
      }
      Vertx other = Vertx.vertx();
      try (ManagedLedger taker = PgLedger.start(other, db, LedgerOptions.DEFAULTS, Clock.systemUTC())
          .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
        assertEquals(TransferResult.OK, taker.submit(Transfer.single(Transfer.idOf("health:taker"), a.id(), b.id(), 1,
            0, "")).toCompletableFuture().get(30, TimeUnit.SECONDS));
      } finally {
        other.close().await();
      }
      // the gateway's ledger learns of it at its next write, which fails
      ExecutionException refused = assertThrows(ExecutionException.class, () -> own.submit(Transfer.single(
          Transfer.idOf("health:own"), a.id(), b.id(), 1, 0, "")).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertInstanceOf(LedgerException.class, refused.getCause());
      assertTrue(gateway.app.context().ledger() instanceof ManagedLedger m && !m.writing(), "stopped writing");

      HttpResponse<Buffer> health = gateway.send(HttpMethod.GET, "/health", null, null, null);
      assertEquals(503, health.statusCode());
      JsonObject body = health.bodyAsJsonObject();
      assertEquals("DOWN", body.getString("status"));
      assertEquals(true, body.getJsonObject("database").getBoolean("reachable"));
      assertEquals(false, body.getJsonObject("ledger").getBoolean("writing"));
      HttpResponse<Buffer> api = gateway.post("/api/v1/ledger/transfers", new JsonObject().put("transfers",
          new io.vertx.core.json.JsonArray().add(new JsonObject().put("id", Transfer.idOf("health:api").toString())
              .put("debitAccountId", a.id()).put("creditAccountId", b.id()).put("amount", 1))));
      assertEquals(503, api.statusCode(), api.bodyAsString());
      assertTrue(api.bodyAsString().contains("one writer per ledger"), api.bodyAsString());
      // its balances are stale too (the other ledger debited a): reads are refused as well
      HttpResponse<Buffer> balance = gateway.get("/api/v1/ledger/accounts/" + a.id());
      assertEquals(503, balance.statusCode(), balance.bodyAsString());
      assertTrue(balance.bodyAsString().contains("one writer per ledger"), balance.bodyAsString());
    }
  }
}
