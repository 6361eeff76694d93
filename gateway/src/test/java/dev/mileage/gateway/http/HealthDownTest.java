package dev.mileage.gateway.http;

import dev.mileage.gateway.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** With the database gone, /health says so with 503 and the API answers a JSON error, never a hang. */
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
      assertEquals(java.util.Set.of("status", "database"), body.fieldNames(), "no load figures in the public answer");
      HttpResponse<Buffer> api = gateway.get("/api/v1/ledger/accounts/1");
      assertTrue(api.statusCode() >= 500, "server-side failure: " + api.statusCode());
      assertTrue(api.bodyAsJsonObject().containsKey("reason"), api.bodyAsString());
    }
  }
}
