package dev.mileage.gateway.trading;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.mall.MallFeature;
import dev.mileage.gateway.mall.MallOptions;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.gateway.shop.ShopFeature;
import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mall's tokens follow the mall's rules (auction tokens pay only for bids, gift tokens are never exchanged,
 * manufacturer tokens pay only for listed products): the trading API must not cash them out, sell them on a book or
 * give them away. The demo member holds auction, gift and standard vendor tokens. Members' own currencies still trade.
 */
class MallTokensAreNotTradedTest {
  @TempDir
  static Path dataDir;
  static TestGateway g;
  static WebClientSession demo;
  static String csrf;

  @BeforeAll
  static void start() throws Exception {
    g = new TestGateway(dataDir, List.of(new LedgerFeature(), new MembersFeature(MembersOptions.defaults(), new PasswordHasher(8 * 1024, 1, 1)),
        new ShopFeature(new SandboxPaymentProvider()), new MallFeature(MallOptions.defaults(), new SandboxPaymentProvider(), true),
        new TradingFeature(TradingSettings.fromEnvironment().withRateFeed(null))), new MutableClock(Instant.now()));
    demo = WebClientSession.create(g.client);
    var signIn = call(HttpMethod.POST, "/auth/sign-in", new JsonObject().put("loginId", "demo").put("password", "demo-mileage-2026"));
    assertEquals(200, signIn.statusCode(), signIn.bodyAsString());
    csrf = signIn.bodyAsJsonObject().getString("csrfToken");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (holding("TOKEN_COFFEE_AUCTION") == null || holding("TOKEN_BOOKS_GIFT") == null) {
      if (System.nanoTime() > deadline) throw new AssertionError("the demo mall was not seeded");
      Thread.sleep(200);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (g != null) g.close();
  }

  static HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
    var req = demo.request(method, path);
    if (csrf != null) req.putHeader("X-CSRF-Token", csrf);
    var f = body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The demo member's holding of the point type with this code, or null. */
  static JsonObject holding(String code) throws Exception {
    var r = call(HttpMethod.GET, "/api/v1/trading/portfolio", null);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    for (Object o : r.bodyAsJsonObject().getJsonArray("holdings")) {
      if (code.equals(((JsonObject) o).getString("code"))) return (JsonObject) o;
    }
    return null;
  }

  @Test
  void auctionGiftAndVendorTokensAreNeitherCashedOutNorTradedNorGiven() throws Exception {
    for (String code : new String[] {"TOKEN_COFFEE_AUCTION", "TOKEN_BOOKS_GIFT", "TOKEN_BOOKS"}) {
      JsonObject before = holding(code);
      int type = before.getInteger("pointType");
      var quote = call(HttpMethod.GET, "/api/v1/trading/quote?kind=CASH_OUT&pointType=" + type + "&points=100", null);
      assertTrue(quote.statusCode() >= 400 && quote.statusCode() < 500, code + " quote: " + quote.bodyAsString());
      var cashOut = call(HttpMethod.POST, "/api/v1/trading/cash-outs", new JsonObject().put("pointType", type).put("points", 100)
          .put("expectedWon", 1).put("requestKey", "co-" + code).put("payoutToken", SandboxPaymentProvider.TOKEN_OK));
      assertTrue(cashOut.statusCode() >= 400 && cashOut.statusCode() < 500, code + " cash-out: " + cashOut.bodyAsString());
      var buy = call(HttpMethod.POST, "/api/v1/trading/purchases", new JsonObject().put("pointType", type).put("points", 100)
          .put("expectedWon", 1).put("requestKey", "buy-" + code).put("paymentToken", SandboxPaymentProvider.TOKEN_OK));
      assertTrue(buy.statusCode() >= 400 && buy.statusCode() < 500, code + " purchase: " + buy.bodyAsString());
      var order = call(HttpMethod.POST, "/api/v1/trading/orders", new JsonObject().put("sellType", type).put("sellAmount", 100)
          .put("buyType", StandardPointTypes.MILEAGE).put("buyAmount", 100));
      assertEquals(409, order.statusCode(), code + " order: " + order.bodyAsString());
      assertEquals("not_tradable", order.bodyAsJsonObject().getString("error"));
      var gift = call(HttpMethod.POST, "/api/v1/trading/transfers", new JsonObject().put("phone", "+821055500002")
          .put("pointType", type).put("amount", 10).put("transferKey", "gift-" + code));
      assertEquals(409, gift.statusCode(), code + " gift: " + gift.bodyAsString());
      JsonObject after = holding(code);
      assertEquals(before.getLong("balance"), after.getLong("balance"), code + ": nothing moved");
      assertEquals(0, after.getLong("heldForOrders"), code + ": nothing held");
    }
    JsonArray listed = call(HttpMethod.GET, "/api/v1/trading/point-types", null).bodyAsJsonArray();
    assertFalse(listed.stream().anyMatch(t -> ((JsonObject) t).getString("code").startsWith("TOKEN_")), listed.encode());
    // members' own currencies still trade and cash out
    assertEquals(200, call(HttpMethod.GET, "/api/v1/trading/quote?kind=CASH_OUT&pointType=" + StandardPointTypes.MILEAGE
        + "&points=100", null).statusCode());
    var mileage = call(HttpMethod.POST, "/api/v1/trading/orders", new JsonObject().put("sellType", StandardPointTypes.MILEAGE)
        .put("sellAmount", 100).put("buyType", StandardPointTypes.CYBER_MONEY).put("buyAmount", 100));
    assertEquals(201, mileage.statusCode(), mileage.bodyAsString());
  }
}
