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
      assertExtraTokensSeeded(g, first);
    }
    try (TestGateway g = start()) {
      JsonObject again = g.get("/api/v1/mall/admin/report").bodyAsJsonObject();
      assertEquals(first.getJsonObject("totals"), again.getJsonObject("totals"), "a restart seeds nothing twice");
      assertEquals(first.getJsonArray("vendors"), again.getJsonArray("vendors"), "nor any vendor's tokens, extra ones included");
      assertExtraTokensSeeded(g, again);
    }
  }

  /**
   * Seoul Books has gift certificates and Han River Coffee auction tokens, each issued and partly given to
   * the demo member, and an auction is open in the auction tokens beside the books auction.
   */
  private static void assertExtraTokensSeeded(TestGateway g, JsonObject report) throws Exception {
    JsonArray vendors = g.get("/api/v1/mall/vendors").bodyAsJsonArray();
    assertEquals(List.of("STANDARD", "GIFT_CERTIFICATE"), kinds(vendors, "Seoul Books"));
    assertEquals(List.of("STANDARD", "AUCTION"), kinds(vendors, "Han River Coffee"));
    JsonObject gift = extra(report, "Seoul Books", "GIFT_CERTIFICATE");
    assertEquals("TOKEN_BOOKS_GIFT", gift.getString("token"));
    assertEquals(5_000, gift.getLong("issued"));
    assertEquals(500, gift.getLong("inCirculation"), "the demo member holds 500 gift certificates");
    JsonObject auctionTokens = extra(report, "Han River Coffee", "AUCTION");
    assertEquals("TOKEN_COFFEE_AUCTION", auctionTokens.getString("token"));
    assertEquals(5_000, auctionTokens.getLong("issued"));
    assertEquals(1_000, auctionTokens.getLong("inCirculation"), "the demo member holds 1,000 auction tokens");
    JsonArray auctions = g.get("/api/v1/mall/auctions").bodyAsJsonArray();
    assertEquals(2, auctions.size(), auctions.encode());
    List<JsonObject> inAuctionTokens = auctions.stream().map(a -> (JsonObject) a)
        .filter(a -> "AUCTION".equals(a.getString("tokenKind"))).toList();
    assertEquals(1, inAuctionTokens.size(), auctions.encode());
    assertEquals("Barista class for two at Han River Coffee", inAuctionTokens.get(0).getString("title"));
    assertEquals("OPEN", inAuctionTokens.get(0).getString("status"));
    assertTrue(report.getBoolean("reconciled"));
  }

  private static List<String> kinds(JsonArray vendors, String name) {
    JsonObject v = vendors.stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals(name)).findFirst().orElseThrow();
    return v.getJsonArray("tokenKinds").stream().map(String.class::cast).toList();
  }

  private static JsonObject extra(JsonObject report, String vendor, String kind) {
    JsonObject v = report.getJsonArray("vendors").stream().map(o -> (JsonObject) o).filter(o -> o.getString("name").equals(vendor))
        .findFirst().orElseThrow();
    return v.getJsonArray("extraTokens").stream().map(o -> (JsonObject) o).filter(o -> o.getString("kind").equals(kind))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " token for " + vendor + ": " + v.encode()));
  }
}
