package dev.mileage.gateway.trading;

import dev.mileage.gateway.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.trading.TradingHarness.BONUS;
import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trading over HTTP on a real gateway: members sign up (real SMSC fixture), place, fill, cancel, give. */
class TradingApiTest {
  @TempDir
  static Path dataDir;
  static TradingHarness h;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    h = new TradingHarness(dataDir);
    gateway = h.gateway;
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static void giveCyberMoney(TradingHarness.Member m, long amount) throws Exception {
    h.fund(m, CYBER, amount);
  }

  @Test
  void twoMembersTradeOverHttpAndOnlyTheirOwnOrdersAreReachable() throws Exception {
    TradingHarness.Member alice = h.member("alice");
    TradingHarness.Member bob = h.member("bob");
    giveCyberMoney(bob, 1_000);
    assertEquals(BONUS, alice.balance(MILEAGE));
    assertTrue(check(alice.get("/api/v1/trading/point-types"), 200).bodyAsJsonArray().size() >= 2);

    JsonObject placed = check(alice.order(MILEAGE, 1_000, CYBER, 500), 201).bodyAsJsonObject();
    assertEquals("PLACED", placed.getString("result"));
    String orderId = placed.getJsonObject("order").getString("id");
    assertEquals(BONUS - 1_000, alice.balance(MILEAGE), "offered points are held");

    // bob can neither see nor cancel alice's order; the answer is the same as for a missing one
    check(bob.get("/api/v1/trading/orders/" + orderId), 404);
    check(bob.post("/api/v1/trading/orders/" + orderId + "/cancel", null), 404);
    assertTrue(check(bob.get("/api/v1/trading/orders"), 200).bodyAsJsonArray().isEmpty());

    JsonObject book = check(bob.get("/api/v1/trading/book?base=" + MILEAGE + "&quote=" + CYBER), 200).bodyAsJsonObject();
    assertEquals(1, book.getJsonArray("sellingBase").size());
    assertTrue(!book.getJsonArray("sellingBase").getJsonObject(0).containsKey("owner"), "no owners in the book");

    JsonObject fill = check(bob.order(CYBER, 200, MILEAGE, 400), 201).bodyAsJsonObject();
    assertEquals("FILLED", fill.getString("result"));
    assertEquals(1, fill.getJsonArray("fills").size());
    long fee = (400 * 50 + 9_999) / 10_000; // default fee 50 basis points, rounded up
    assertEquals(BONUS + 400 - fee, bob.balance(MILEAGE));
    assertEquals(800, bob.balance(CYBER));
    assertEquals(200 - (200 * 50 + 9_999) / 10_000, alice.balance(CYBER));
    JsonObject mine = check(alice.get("/api/v1/trading/orders/" + orderId), 200).bodyAsJsonObject();
    assertEquals(600, mine.getLong("remaining"));

    JsonObject portfolio = check(alice.get("/api/v1/trading/portfolio"), 200).bodyAsJsonObject();
    assertTrue(portfolio.getLong("totalCashValueMicros") > 0);
    assertEquals(2, portfolio.getJsonArray("holdings").size());

    check(alice.post("/api/v1/trading/orders/" + orderId + "/cancel", null), 200);
    check(alice.post("/api/v1/trading/orders/" + orderId + "/cancel", null), 409);
    assertEquals(BONUS - 400, alice.balance(MILEAGE), "the unfilled 600 are released");
  }

  @Test
  void badInputGets400WithAReasonAndChangesNothing() throws Exception {
    TradingHarness.Member carol = h.member("carol");
    HttpResponse<Buffer> same = check(carol.order(MILEAGE, 10, MILEAGE, 10), 400);
    assertTrue(same.bodyAsJsonObject().getString("reason").length() > 0);
    check(carol.order(MILEAGE, 0, CYBER, 10), 400);
    check(carol.order(MILEAGE, 10, 99_999, 10), 400);
    check(carol.post("/api/v1/trading/orders", new JsonObject().put("sellType", MILEAGE)), 400);
    check(carol.get("/api/v1/trading/orders/not-a-uuid"), 400);
    check(carol.order(MILEAGE, BONUS + 1, CYBER, 10), 409);
    check(carol.post("/api/v1/trading/transfers", new JsonObject().put("phone", "12345").put("pointType", MILEAGE)
        .put("amount", 5).put("transferKey", "k1")), 400);
    check(carol.post("/api/v1/trading/transfers", new JsonObject().put("phone", carol.phone).put("pointType", MILEAGE)
        .put("amount", 5).put("transferKey", "k1")), 400);
    assertEquals(BONUS, carol.balance(MILEAGE));
    assertTrue(check(carol.get("/api/v1/trading/orders"), 200).bodyAsJsonArray().isEmpty());
  }

  @Test
  void giftsByPhoneNumberMoveOnceAndOperatorsSetCashValues() throws Exception {
    TradingHarness.Member dan = h.member("dan");
    TradingHarness.Member erin = h.member("erin");
    JsonObject gift = new JsonObject().put("phone", erin.phone).put("pointType", MILEAGE).put("amount", 250)
        .put("transferKey", "birthday");
    assertEquals("OK", check(dan.post("/api/v1/trading/transfers", gift), 200).bodyAsJsonObject().getString("result"));
    assertEquals("EXISTS", check(dan.post("/api/v1/trading/transfers", gift), 200).bodyAsJsonObject().getString("result"));
    assertEquals(BONUS - 250, dan.balance(MILEAGE));
    assertEquals(BONUS + 250, erin.balance(MILEAGE));
    check(dan.post("/api/v1/trading/transfers", gift.copy().put("amount", 1_000_000).put("transferKey", "big")), 409);
    for (int i = 0; i < TradingFeature.PHONE_MISSES_MAX; i++) {
      check(dan.post("/api/v1/trading/transfers", gift.copy().put("phone", "+82109999999" + i).put("transferKey", "x" + i)), 404);
    }
    check(dan.post("/api/v1/trading/transfers", gift.copy().put("transferKey", "after-guessing")), 429);
    assertEquals(BONUS - 250, dan.balance(MILEAGE), "refused gifts moved nothing");

    check(dan.call(HttpMethod.PUT, "/api/v1/trading/admin/rates/" + CYBER,
        new JsonObject().put("cashMicrosPerUnit", 2_000_000)), 403);
    HttpResponse<Buffer> set = gateway.send(HttpMethod.PUT, "/api/v1/trading/admin/rates/" + CYBER, TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(new JsonObject().put("cashMicrosPerUnit", 2_000_000).encode()));
    check(set, 200);
    JsonArray history = check(dan.get("/api/v1/trading/rates/" + CYBER), 200).bodyAsJsonObject().getJsonArray("history");
    assertEquals(2_000_000, history.getJsonObject(0).getLong("cashMicrosPerUnit"));
  }
}
