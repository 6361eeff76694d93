package dev.mileage.gateway.ledger;

import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway process: starts on a data folder, stops cleanly on SIGTERM, and the data survives. */
class GatewayLifecycleTest {
  @TempDir
  Path dir;

  @Test
  void sigtermStopsEverythingAndTheDataFolderSurvivesARestart() throws Exception {
    Path dataDir = dir.resolve("data");
    Path log = dir.resolve("gateway.log");
    HttpClient http = HttpClient.newHttpClient();
    long accountId;
    GatewayProcess first = GatewayProcess.start(dataDir, log);
    try {
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertTrue(output.contains("Web page:  http://127.0.0.1:"), output);
      assertTrue(output.contains("SIP:       sip:127.0.0.1:"), output);
      assertFalse(output.contains(GatewayProcess.PASSWORD), "the operator password is never logged");
      assertFalse(output.contains("missing from openapi.yaml"), "every route of every feature is documented and validated");
      HttpResponse<String> opened = first.post(http, "/api/v1/ledger/accounts", new JsonObject()
          .put("owner", "member:lifecycle").put("pointType", StandardPointTypes.MILEAGE).encode());
      assertEquals(200, opened.statusCode(), opened.body());
      accountId = new JsonObject(opened.body()).getLong("id");
      first.process.destroy(); // SIGTERM
      assertTrue(first.process.waitFor(GatewayProcess.STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS), "stopped in time");
      assertTrue(Files.readString(log, StandardCharsets.UTF_8).contains("GatewayApp - stopped"), "shutdown logged");
      assertFalse(Files.exists(dataDir.resolve("pg").resolve("postmaster.pid")), "embedded PostgreSQL stopped");
    } finally {
      first.close();
      LedgerCrashTest.stopOrphanedPostgres(dataDir);
    }
    Files.writeString(log, "\n=== killed\n", java.nio.file.StandardOpenOption.APPEND); // mark the restart
    try (GatewayProcess second = GatewayProcess.start(dataDir, log)) {
      HttpResponse<String> account = second.get(http, "/api/v1/ledger/accounts/" + accountId);
      assertEquals(200, account.statusCode(), account.body());
      assertEquals("member:lifecycle", new JsonObject(account.body()).getString("owner"));
    } finally {
      LedgerCrashTest.stopOrphanedPostgres(dataDir);
    }
  }
}
