package dev.mileage.gateway.shop;

import dev.mileage.points.ledger.StandardPointTypes;
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

import static dev.mileage.gateway.shop.ShopHarness.check;
import static dev.mileage.gateway.shop.ShopHarness.item;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shop over real HTTP, real PostgreSQL and the real ledger: checkout, points, mileage, refunds, isolation. */
class ShopApiTest {
  @TempDir
  static Path dataDir;
  static ShopHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new ShopHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static JsonObject fixed(long points) {
    return new JsonObject().put("mode", "FIXED").put("value", points);
  }

  static JsonObject percent(long basisPoints) {
    return new JsonObject().put("mode", "PERCENT").put("value", basisPoints);
  }

  static JsonObject mileagePoints(long amount) {
    return new JsonObject().put("pointType", StandardPointTypes.MILEAGE).put("amount", amount);
  }

  @Test
  void buyingCreditsMileageOnceEvenWhenTheCheckoutIsRepeated() throws Exception {
    long p1 = h.product("IDEM-1", 10_000, 10, fixed(500)).getLong("id");
    long p2 = h.product("IDEM-2", 20_000, 5, percent(1_000)).getLong("id");
    var m = h.new Member("buyer01").ready();
    long charged = h.payments.netChargedWon();
    var r = check(m.buy("checkout-idem-1", item(p1, 2, ""), item(p2, 1, "")), 201).bodyAsJsonObject();
    assertEquals("PAID", r.getString("result"));
    JsonObject order = r.getJsonObject("order");
    assertEquals(40_000, order.getLong("totalWon"));
    assertEquals(3_000, order.getLong("mileageEarned"), "2 x 500 fixed + 10 % of 20,000");
    assertEquals(6_000, m.mileage());
    assertEquals(8, h.stock(p1));
    assertEquals(4, h.stock(p2));
    var again = check(m.buy("checkout-idem-1", item(p1, 2, ""), item(p2, 1, "")), 201).bodyAsJsonObject();
    assertEquals(order.getLong("id"), again.getJsonObject("order").getLong("id"), "the same order");
    assertEquals(6_000, m.mileage(), "mileage credited once");
    assertEquals(8, h.stock(p1), "stock taken once");
    assertEquals(charged + 40_000, h.payments.netChargedWon(), "charged once");
    var history = check(m.get("/api/v1/shop/orders"), 200).bodyAsJsonArray();
    assertEquals(1, history.size());
    assertEquals(2, history.getJsonObject(0).getJsonArray("items").size());
  }

  /** A checkout key names one cart: reused for another cart it is refused (409 with a reason), not answered with the first order. */
  @Test
  void aCheckoutKeyReusedForADifferentCartIsRefusedAndChangesNothing() throws Exception {
    long p1 = h.product("REUSE-1", 10_000, 10, fixed(500)).getLong("id");
    long p2 = h.product("REUSE-2", 5_000, 10, fixed(100)).getLong("id");
    var m = h.new Member("reuse001").ready();
    var first = check(m.buy("checkout-reuse-1", item(p1, 1, "")), 201).bodyAsJsonObject().getJsonObject("order");
    long charged = h.payments.netChargedWon();
    long mileage = m.mileage();
    var other = m.buy("checkout-reuse-1", item(p2, 3, ""));
    assertEquals(409, other.statusCode(), other.bodyAsString());
    assertEquals("checkout_key_reused", other.bodyAsJsonObject().getString("error"));
    assertEquals(409, m.buy("checkout-reuse-1", item(p1, 2, "")).statusCode(), "another quantity");
    assertEquals(409, m.buy("checkout-reuse-1", item(p1, 1, ""), item(p2, 1, "")).statusCode(), "another line");
    assertEquals(409, m.buy("checkout-reuse-1", SandboxPaymentProvider.TOKEN_OK, mileagePoints(1_000), item(p1, 1, "")).statusCode(),
        "points added");
    assertEquals(9, h.stock(p1));
    assertEquals(10, h.stock(p2));
    assertEquals(charged, h.payments.netChargedWon(), "nothing charged");
    assertEquals(mileage, m.mileage(), "no mileage moved");
    assertEquals(1, check(m.get("/api/v1/shop/orders"), 200).bodyAsJsonArray().size());
    // the same cart under the same key is still the same order
    assertEquals(first.getLong("id"), check(m.buy("checkout-reuse-1", item(p1, 1, "")), 201).bodyAsJsonObject()
        .getJsonObject("order").getLong("id"));
  }

  @Test
  void aDeclinedOrFailedPaymentChangesNothing() throws Exception {
    long p = h.product("DECL-1", 15_000, 3, fixed(700)).getLong("id");
    var m = h.new Member("decline1").ready();
    long charged = h.payments.netChargedWon();
    var declined = m.buy("checkout-decl-1", SandboxPaymentProvider.TOKEN_DECLINE, mileagePoints(1_000), item(p, 2, ""));
    assertEquals(402, declined.statusCode());
    assertEquals("DECLINED", declined.bodyAsJsonObject().getString("result"));
    assertTrue(declined.bodyAsJsonObject().getString("reason").contains("declined"));
    var failed = m.buy("checkout-decl-2", SandboxPaymentProvider.TOKEN_FAIL, mileagePoints(1_000), item(p, 1, ""));
    assertEquals(502, failed.statusCode());
    var noStock = m.buy("checkout-decl-3", item(p, 4, ""));
    assertEquals(409, noStock.statusCode());
    assertEquals(3, h.stock(p), "stock back where it was");
    assertEquals(3_000, m.mileage(), "points reserved for the order were released");
    assertEquals(charged, h.payments.netChargedWon(), "no money taken");
    for (Object o : check(m.get("/api/v1/shop/orders"), 200).bodyAsJsonArray()) {
      assertFalse("PAID".equals(((JsonObject) o).getString("status")), "no paid order");
    }
    var wallet = check(m.get("/api/v1/shop/wallet"), 200).bodyAsJsonObject();
    assertEquals(3_000, wallet.getJsonArray("balances").getJsonObject(0).getLong("posted"));
    assertEquals(0, wallet.getJsonArray("balances").getJsonObject(0).getLong("reserved"));
  }

  @Test
  void partOfAnOrderCanBePaidWithPointsAtTheirCashValue() throws Exception {
    long p = h.product("PART-1", 10_000, 5, fixed(500)).getLong("id");
    var m = h.new Member("points01").ready();
    long charged = h.payments.netChargedWon();
    assertEquals(400, m.buy("checkout-part-0", SandboxPaymentProvider.TOKEN_OK, mileagePoints(10_001), item(p, 1, "")).statusCode(),
        "more points than the order costs");
    var bad = m.buy("checkout-part-x", SandboxPaymentProvider.TOKEN_OK,
        new JsonObject().put("pointType", StandardPointTypes.CASH).put("amount", 10), item(p, 1, ""));
    assertEquals(400, bad.statusCode(), "the shop does not take cash points");
    var r = check(m.buy("checkout-part-1", SandboxPaymentProvider.TOKEN_OK, mileagePoints(3_000), item(p, 1, "")), 201)
        .bodyAsJsonObject().getJsonObject("order");
    assertEquals(3_000, r.getLong("pointsValueWon"));
    assertEquals(7_000, r.getLong("cashWon"));
    assertEquals(350, r.getLong("mileageEarned"), "mileage is earned on the cash part only");
    assertEquals(350, m.mileage());
    assertEquals(charged + 7_000, h.payments.netChargedWon());
    var broke = m.buy("checkout-part-2", SandboxPaymentProvider.TOKEN_OK, mileagePoints(5_000), item(p, 1, ""));
    assertEquals(402, broke.statusCode());
    assertEquals("INSUFFICIENT_POINTS", broke.bodyAsJsonObject().getString("result"));
    assertEquals(4, h.stock(p));
    assertEquals(charged + 7_000, h.payments.netChargedWon());
    var reasons = check(m.get("/api/v1/shop/wallet"), 200).bodyAsJsonObject().getJsonArray("movements").stream()
        .map(o -> ((JsonObject) o).getString("reason")).toList();
    assertTrue(reasons.contains("paid an order with points"), reasons.toString());
    assertTrue(reasons.contains("mileage earned on an order"), reasons.toString());
  }

  @Test
  void refundTakesBackUnspentMileageAndDeductsSpentMileageFromTheCashRefund() throws Exception {
    long big = h.product("REF-1", 20_000, 5, percent(1_000)).getLong("id");
    long small = h.product("REF-2", 10_000, 5, fixed(500)).getLong("id");
    var m = h.new Member("refund01").ready();
    long charged = h.payments.netChargedWon();
    long first = check(m.buy("checkout-ref-1", item(big, 1, "")), 201).bodyAsJsonObject().getJsonObject("order").getLong("id");
    assertEquals(5_000, m.mileage());
    check(m.buy("checkout-ref-2", SandboxPaymentProvider.TOKEN_OK, mileagePoints(5_000), item(small, 1, "")), 201);
    assertEquals(250, m.mileage(), "spent 5,000, earned 250 on the 5,000 cash part");
    var refunded = check(m.post("/api/v1/shop/orders/" + first + "/refund", new JsonObject()), 200).bodyAsJsonObject();
    JsonObject o = refunded.getJsonObject("order");
    assertEquals("REFUNDED", o.getString("status"));
    assertEquals(250, o.getLong("mileageReversed"), "what was left of the 2,000 earned");
    assertEquals(1_750, o.getLong("refundDeductionWon"), "the spent 1,750 at 1 won each");
    assertEquals(0, m.mileage(), "never below zero");
    assertEquals(5, h.stock(big), "stock back");
    assertEquals(charged + 20_000 + 5_000 - 18_250, h.payments.netChargedWon());
    var again = check(m.post("/api/v1/shop/orders/" + first + "/refund", new JsonObject()), 200).bodyAsJsonObject();
    assertEquals("ALREADY_REFUNDED", again.getString("result"));
    assertEquals(0, m.mileage());
    assertEquals(5, h.stock(big));
    assertEquals(charged + 20_000 + 5_000 - 18_250, h.payments.netChargedWon(), "refunded once");
  }

  @Test
  void aRefundGivesBackPointsPaidWith() throws Exception {
    long p = h.product("REF-3", 10_000, 5, fixed(0)).getLong("id");
    var m = h.new Member("refund02").ready();
    long id = check(m.buy("checkout-ref-3", SandboxPaymentProvider.TOKEN_OK, mileagePoints(2_000), item(p, 1, "")), 201)
        .bodyAsJsonObject().getJsonObject("order").getLong("id");
    assertEquals(1_000, m.mileage());
    check(m.post("/api/v1/shop/orders/" + id + "/refund", new JsonObject()), 200);
    assertEquals(3_000, m.mileage());
  }

  @Test
  void oneMemberCannotSeeOrTouchAnothersOrdersOrWallet() throws Exception {
    long p = h.product("ISO-1", 9_000, 5, fixed(100)).getLong("id");
    var a = h.new Member("owner001").ready();
    var b = h.new Member("other001").ready();
    long id = check(a.buy("checkout-iso-1", item(p, 1, "")), 201).bodyAsJsonObject().getJsonObject("order").getLong("id");
    HttpResponse<Buffer> peek = b.get("/api/v1/shop/orders/" + id);
    assertEquals(404, peek.statusCode());
    assertEquals(404, b.get("/api/v1/shop/orders/999999").statusCode(), "same answer as a missing order");
    assertEquals(404, b.post("/api/v1/shop/orders/" + id + "/refund", new JsonObject()).statusCode());
    assertEquals("PAID", check(a.get("/api/v1/shop/orders/" + id), 200).bodyAsJsonObject().getString("status"), "untouched");
    assertEquals(0, check(b.get("/api/v1/shop/orders"), 200).bodyAsJsonArray().size());
    assertEquals(3_000, b.mileage());
    assertEquals(3_100, a.mileage());
    var anonymous = h.gateway.send(HttpMethod.GET, "/api/v1/shop/orders", null, null, null);
    assertEquals(401, anonymous.statusCode());
    assertEquals(403, b.get("/api/v1/shop/admin/orders").statusCode(), "members are not staff");
    var staff = check(h.gateway.get("/api/v1/shop/admin/orders"), 200).bodyAsJsonArray();
    assertTrue(staff.stream().anyMatch(o -> ((JsonObject) o).getLong("id") == id));
  }

  @Test
  void theCatalogIsBrowsableAndOnlyStaffChangeIt() throws Exception {
    var m = h.new Member("browser1").ready();
    var created = h.product("CAT-1", 5_000, 7, fixed(50));
    var shirt = new JsonObject().put("sku", "CAT-2").put("name", "Test shirt").put("kind", "apparel").put("priceWon", 12_000)
        .put("supplier", "S").put("stock", 3).put("sizes", new JsonArray().add("S").add("M")).put("colours", new JsonArray().add("Red"))
        .put("imageSvg", "<svg xmlns='http://www.w3.org/2000/svg'><rect width='5' height='5'/></svg>");
    long shirtId = check(h.gateway.post("/api/v1/shop/admin/products", shirt), 201).bodyAsJsonObject().getLong("id");
    assertEquals(403, m.post("/api/v1/shop/admin/products", shirt.copy().put("sku", "CAT-3")).statusCode());
    assertEquals(400, h.gateway.post("/api/v1/shop/admin/products", shirt.copy().put("priceWon", -1)).statusCode());
    assertEquals(400, h.gateway.post("/api/v1/shop/admin/products", shirt.copy().put("imageSvg", "<script>x</script>")).statusCode());
    var kind = check(m.get("/catalog/products?kind=testing"), 200).bodyAsJsonArray();
    assertTrue(kind.stream().anyMatch(o -> ((JsonObject) o).getLong("id").equals(created.getLong("id"))));
    assertTrue(kind.stream().allMatch(o -> "testing".equals(((JsonObject) o).getString("kind"))));
    var found = check(m.get("/catalog/products?q=test%20shirt"), 200).bodyAsJsonArray();
    assertEquals(1, found.size());
    var img = check(m.get("/catalog/products/" + shirtId + "/image.svg"), 200);
    assertEquals("image/svg+xml", img.getHeader("Content-Type"));
    assertTrue(img.getHeader("Content-Security-Policy").contains("default-src 'none'"));
    assertEquals(400, m.buy("checkout-cat-1", item(shirtId, 1, "XL / Red")).statusCode(), "no such variant");
    check(m.buy("checkout-cat-2", item(shirtId, 1, "M / Red")), 201);
    var demo = check(m.get("/catalog/kinds"), 200).bodyAsJsonArray();
    assertTrue(demo.contains("electronics"), "demo products are seeded: " + demo);
  }

  @Test
  void concurrentCheckoutsNeverSellMoreThanTheStock() throws Exception {
    long p = h.product("RACE-1", 11_000, 3, fixed(100)).getLong("id");
    var a = h.new Member("racer001").ready();
    var b = h.new Member("racer002").ready();
    long charged = h.payments.netChargedWon();
    var calls = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Integer>>();
    for (int i = 0; i < 8; i++) {
      var m = i % 2 == 0 ? a : b;
      String key = "checkout-race-" + i;
      calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return m.buy(key, item(p, 1, "")).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    var statuses = calls.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    assertEquals(3, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(5, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
    assertEquals(0, h.stock(p));
    assertEquals(charged + 33_000, h.payments.netChargedWon());
    assertEquals(6_000 + 300, a.mileage() + b.mileage(), "mileage for exactly three items");
  }

  @Test
  void concurrentRefundsOfOneOrderRefundOnce() throws Exception {
    long p = h.product("RACE-2", 30_000, 2, fixed(1_000)).getLong("id");
    var m = h.new Member("racer003").ready();
    long id = check(m.buy("checkout-race-r", item(p, 1, "")), 201).bodyAsJsonObject().getJsonObject("order").getLong("id");
    long charged = h.payments.netChargedWon();
    var calls = new java.util.ArrayList<java.util.concurrent.CompletableFuture<Integer>>();
    for (int i = 0; i < 5; i++) {
      calls.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try {
          return m.post("/api/v1/shop/orders/" + id + "/refund", new JsonObject()).statusCode();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    var statuses = calls.stream().map(java.util.concurrent.CompletableFuture::join).toList();
    assertTrue(statuses.stream().allMatch(s -> s == 200), statuses.toString());
    assertEquals(charged - 30_000, h.payments.netChargedWon(), "one refund");
    assertEquals(3_000, m.mileage(), "the 1,000 earned taken back once");
    assertEquals(2, h.stock(p), "stock back once");
  }

  @Test
  void checkoutsCutShortByACrashAreFinishedByRecovery() throws Exception {
    long p = h.product("CRASH-1", 8_000, 4, fixed(400)).getLong("id");
    var m = h.new Member("crash001").ready();
    long charged = h.payments.netChargedWon();
    // fire and forget: the answer never comes, as if the gateway died mid-checkout
    m.web.post("/api/v1/shop/orders").putHeader("X-CSRF-Token", m.csrf).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("checkoutKey", "checkout-crash-1").put("paymentToken", CrashingProvider.AFTER_CHARGE)
            .put("items", new JsonArray().add(item(p, 1, ""))).encode()));
    m.web.post("/api/v1/shop/orders").putHeader("X-CSRF-Token", m.csrf).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(new JsonObject().put("checkoutKey", "checkout-crash-2").put("paymentToken", CrashingProvider.BEFORE_CHARGE)
            .put("points", mileagePoints(1_000)).put("items", new JsonArray().add(item(p, 1, ""))).encode()));
    java.time.Instant deadline = java.time.Instant.now().plusSeconds(20);
    while (h.stock(p) != 2 || h.payments.netChargedWon() != charged + 8_000) {
      if (java.time.Instant.now().isAfter(deadline)) throw new AssertionError("the two checkouts did not reach the provider");
      Thread.sleep(50);
    }
    assertEquals(0, h.shop.orders().recoverStale().toCompletionStage().toCompletableFuture().get(), "not stale yet");
    h.clock.advance(OrderService.STALE_AFTER.plusMinutes(1));
    assertEquals(2, h.shop.orders().recoverStale().toCompletionStage().toCompletableFuture().get());
    var orders = check(m.get("/api/v1/shop/orders"), 200).bodyAsJsonArray();
    var statuses = orders.stream().map(o -> ((JsonObject) o).getString("status")).sorted().toList();
    assertEquals(java.util.List.of("FAILED", "PAID"), statuses);
    assertEquals(3, h.stock(p), "the interrupted unpaid order gave its item back");
    assertEquals(3_000 + 400, m.mileage(), "points held by the failed one released, mileage of the paid one credited");
    assertEquals(charged + 8_000, h.payments.netChargedWon());
    assertEquals(0, h.shop.orders().recoverStale().toCompletionStage().toCompletableFuture().get(), "nothing left");
  }
}
