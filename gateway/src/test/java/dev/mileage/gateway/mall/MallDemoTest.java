package dev.mileage.gateway.mall;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.gateway.shop.ShopFeature;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo mall: seeded on a fresh start, the published vendor keys work, and a restart seeds nothing twice. */
class MallDemoTest {
  @TempDir
  Path dataDir;

  private TestGateway start() throws Exception {
    return new TestGateway(dataDir, List.of(new LedgerFeature(), new MembersFeature(MembersOptions.defaults(),
        new PasswordHasher(8 * 1024, 1, 1)), new ShopFeature(new SandboxPaymentProvider()),
        new MallFeature(MallOptions.defaults(), new SandboxPaymentProvider(), true)), new MutableClock(Instant.parse("2026-11-20T10:00:00Z")));
  }

  @Test
  void theDemoMallIsSeededOnceAndItsVendorKeysWork() throws Exception {
    JsonObject first;
    try (TestGateway g = start()) {
      JsonArray vendors = g.get("/api/v1/mall/vendors").bodyAsJsonArray();
      assertEquals(List.of("Seoul Books", "Han River Coffee"), vendors.stream().map(v -> ((JsonObject) v).getString("name")).toList());
      long books = ((JsonObject) vendors.getValue(0)).getLong("id");
      var me = g.send(HttpMethod.GET, "/api/v1/mall/vendor/report", null, null, null);
      assertEquals(401, me.statusCode());
      var report = g.client.request(HttpMethod.GET, "/api/v1/mall/vendor/report").putHeader("X-Vendor-Key", "vk_" + books + "_demo-books-vendor-2026")
          .send().toCompletionStage().toCompletableFuture().get();
      assertEquals(200, report.statusCode(), report.bodyAsString());
      assertEquals(3_000, report.bodyAsJsonObject().getJsonObject("tokens").getLong("inCirculation"), "the demo member holds 3,000 books tokens");
      first = g.get("/api/v1/mall/admin/report").bodyAsJsonObject();
      assertTrue(first.getBoolean("reconciled"));
      assertEquals(1, g.get("/api/v1/mall/auctions").bodyAsJsonArray().size());
    }
    try (TestGateway g = start()) {
      assertEquals(first.getJsonObject("totals"), g.get("/api/v1/mall/admin/report").bodyAsJsonObject().getJsonObject("totals"),
          "a restart seeds nothing twice");
    }
  }
}
