package dev.mileage.gateway;

import dev.mileage.points.store.Database;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With a database URL the gateway uses that server (here a separately started PostgreSQL), migrates it,
 * starts nothing embedded in its data folder, and leaves the server running when it stops.
 */
class ExternalDatabaseTest {
  @TempDir
  Path serverDir;
  @TempDir
  Path dataDir;

  @Test
  void usesTheServerItIsGivenAndLeavesItRunning() throws Exception {
    try (Database server = Database.embedded(serverDir)) {
      Database.ConnectionInfo c = server.connection();
      String url = "postgres://" + c.user() + "@" + c.host() + ":" + c.port() + "/" + c.database();
      GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.of(url), false, true,
          TestGateway.OPERATOR, TestGateway.PASSWORD, "sip:pstn@127.0.0.1:5080");
      GatewayApp app = new GatewayApp(config, Features.all());
      Vertx vertx = Vertx.vertx();
      try {
        app.start();
        assertFalse(app.database().isEmbedded());
        WebClient client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(app.httpPort()));
        HttpResponse<Buffer> health = client.get("/health").send().toCompletionStage().toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
        assertEquals(200, health.statusCode());
        HttpResponse<Buffer> types = client.get("/api/v1/ledger/point-types")
            .basicAuthentication(TestGateway.OPERATOR, TestGateway.PASSWORD).send().toCompletionStage()
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(200, types.statusCode(), types.bodyAsString());
      } finally {
        app.stop();
        vertx.close();
      }
      assertFalse(Files.exists(dataDir.resolve("pg")), "no embedded server in the data folder");
      try (var connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
           var rows = connection.createStatement().executeQuery(
               "SELECT count(*) FROM gateway.operators WHERE username = '" + TestGateway.OPERATOR + "'")) {
        assertTrue(rows.next());
        assertEquals(1, rows.getInt(1), "migrated and seeded on the external server, which still runs");
      }
    }
  }
}
