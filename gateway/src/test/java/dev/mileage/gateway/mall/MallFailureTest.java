package dev.mileage.gateway.mall;

import dev.mileage.gateway.http.HttpApi;
import dev.mileage.points.ledger.Account;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The mall's failure paths, each checked to change nothing: an unapproved vendor, wrong vendor keys (and the
 * lock-out), a declined card, insufficient tokens, tokens a vendor does not accept, manufacturer tokens for an
 * unlisted product, stale exchange quotes, reused request keys; replays answer the first outcome; members,
 * vendors and operators reach only what is theirs. Also: every mall route is in openapi.yaml.
 */
class MallFailureTest {
  @TempDir
  static Path dataDir;
  static MallHarness h;
  static final List<String> warnings = new CopyOnWriteArrayList<>();
  static final Handler capture = new Handler() {
    @Override public void publish(LogRecord record) {
      warnings.add(record.getMessage());
    }
    @Override public void flush() {
    }
    @Override public void close() {
    }
  };
  static MallHarness.Member owner;
  static MallHarness.Member u1;
  static MallHarness.Member u2;
  static MallHarness.VendorClient a;
  static MallHarness.VendorClient b;

  @BeforeAll
  static void start() throws Exception {
    Logger.getLogger(HttpApi.class.getName()).addHandler(capture);
    h = new MallHarness(dataDir);
    owner = h.new Member("failure-owner").ready();
    a = h.vendor(owner, "Fail Alpha", 10);
    b = h.vendor(owner, "Fail Beta", 20);
    a.product("A1", 50);
    a.product("A2", 30);
    b.product("B1", 10);
    check(a.buyTokens(1000, key()), 200);
    check(b.buyTokens(1000, key()), 200);
    u1 = h.new Member("fail-one").ready();
    u2 = h.new Member("fail-two").ready();
    u1.register(a.id);
    u2.register(a.id);
    check(a.allot(u1.id, 100, "LOYALTY", key()), 200);
  }

  @AfterAll
  static void stop() {
    Logger.getLogger(HttpApi.class.getName()).removeHandler(capture);
    if (h != null) h.close();
  }

  @Test
  void everyMallRouteIsDocumented() {
    assertFalse(String.join("\n", warnings).contains("/mall/"), String.join("\n", warnings));
  }

  @Test
  void anUnapprovedVendorCanDoNothingButSeeItsStatus() throws Exception {
    JsonObject applied = h.apply(owner, "Pending Shop", "SHOP", "PENDINGSHOP", 10, null);
    String key = applied.getString("apiKey");
    assertEquals("PENDING", check(h.send(key, HttpMethod.GET, "/api/v1/mall/vendor/me", null), 200).bodyAsJsonObject().getString("status"));
    var r = h.send(key, HttpMethod.POST, "/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", 10)
        .put("requestKey", key()).put("cardToken", "sandbox-ok"));
    assertEquals(403, r.statusCode());
    assertEquals("vendor_not_approved", r.bodyAsJsonObject().getString("error"));
    assertEquals(403, h.send(key, HttpMethod.PUT, "/api/v1/mall/vendor/products/X1", new JsonObject().put("name", "x")
        .put("priceTokens", 1)).statusCode());
    assertEquals(404, u1.get("/api/v1/mall/vendors/" + applied.getLong("id")).statusCode(), "not listed before approval");
    assertEquals(0, applied.getLong("pointType"), "no token is defined before approval");
    assertEquals(403, owner.post("/api/v1/mall/admin/vendors/" + applied.getLong("id") + "/approve", new JsonObject()).statusCode(),
        "a member cannot approve");
  }

  @Test
  void wrongVendorKeysAreRefusedAndLockTheSourceOut() throws Exception {
    String good = a.apiKey;
    String wrongSecret = good.substring(0, good.lastIndexOf('_') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    String otherVendor = "vk_" + b.id + good.substring(good.lastIndexOf('_'));
    for (String k : List.of(wrongSecret, otherVendor, "vk_x_y", "garbage")) {
      var r = h.send(k, HttpMethod.GET, "/api/v1/mall/vendor/report", null);
      assertEquals(401, r.statusCode(), k);
      assertEquals("invalid vendor credentials", r.bodyAsJsonObject().getString("reason"));
    }
    for (int i = 0; i < MallOptions.KEY_FAILURES_PER_SOURCE_MAX; i++) h.send(wrongSecret, HttpMethod.GET, "/api/v1/mall/vendor/me", null);
    assertEquals(429, h.send(good, HttpMethod.GET, "/api/v1/mall/vendor/me", null).statusCode(), "even the right key waits");
    h.clock.advance(MallOptions.KEY_FAILURE_WINDOW.plus(Duration.ofSeconds(1)));
    assertEquals(200, h.send(good, HttpMethod.GET, "/api/v1/mall/vendor/me", null).statusCode());
  }

  @Test
  void aDeclinedCardIssuesNothingAndAFailedProviderChargesNothing() throws Exception {
    long before = a.report().getJsonObject("tokens").getLong("issued");
    long charged = h.payments.netChargedWon();
    var declined = a.post("/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", 10).put("requestKey", key())
        .put("cardToken", "sandbox-decline"));
    assertEquals(402, declined.statusCode());
    var failed = a.post("/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", 10).put("requestKey", key())
        .put("cardToken", "sandbox-fail"));
    assertEquals(503, failed.statusCode());
    var userDeclined = u2.post("/api/v1/mall/vendors/" + a.id + "/token-purchases", new JsonObject().put("tokens", 5)
        .put("requestKey", key()).put("cardToken", "sandbox-decline"));
    assertEquals(402, userDeclined.statusCode());
    assertEquals(before, a.report().getJsonObject("tokens").getLong("issued"));
    assertEquals(charged, h.payments.netChargedWon());
    assertEquals(0, u2.tokens(a.id));
    Account stock = h.account("vendor:" + a.id, a.pointType).orElseThrow();
    assertEquals(0, stock.debitsPending(), "the declined sale's hold was released");
  }

  @Test
  void insufficientTokensMoveNothingAndTheSameKeyWorksOnceTheTokensAreThere() throws Exception {
    MallHarness.Member poor = h.new Member("fail-poor").ready();
    poor.register(a.id);
    check(a.allot(poor.id, 20, "LOYALTY", key()), 200);
    String k = key();
    var r = poor.spend(a.id, "A1", a.id, k);
    assertEquals(409, r.statusCode());
    assertEquals("insufficient_tokens", r.bodyAsJsonObject().getString("error"));
    assertEquals(50, r.bodyAsJsonObject().getLong("tokensNeeded"));
    assertEquals(20, poor.tokens(a.id));
    assertEquals(0, check(poor.get("/api/v1/mall/history"), 200).bodyAsJsonArray().stream()
        .filter(o -> ((JsonObject) o).getString("kind").equals("SPEND")).count());
    check(a.allot(poor.id, 30, "LOYALTY", key()), 200);
    check(poor.spend(a.id, "A1", a.id, k), 200);
    assertEquals(0, poor.tokens(a.id));
    var allot = a.allot(poor.id, 1_000_000, "LOYALTY", key());
    assertEquals(409, allot.statusCode());
    assertEquals("vendor_out_of_tokens", allot.bodyAsJsonObject().getString("error"));
  }

  @Test
  void replaysAnswerTheFirstOutcomeAndAReusedKeyIsRefused() throws Exception {
    String k = key();
    JsonObject first = check(a.allot(u1.id, 10, "LOYALTY", k), 200).bodyAsJsonObject();
    long held = u1.tokens(a.id);
    assertEquals(first, check(a.allot(u1.id, 10, "LOYALTY", k), 200).bodyAsJsonObject());
    assertEquals(held, u1.tokens(a.id));
    assertEquals("request_key_reused", a.allot(u1.id, 11, "LOYALTY", k).bodyAsJsonObject().getString("error"));
    String s = key();
    JsonObject spent = check(u1.spend(a.id, "A2", a.id, s), 200).bodyAsJsonObject();
    assertEquals(spent, check(u1.spend(a.id, "A2", a.id, s), 200).bodyAsJsonObject());
    assertEquals(held - 30, u1.tokens(a.id));
    assertEquals(409, u1.spend(a.id, "A1", a.id, s).statusCode());
    assertEquals(held - 30, u1.tokens(a.id));
  }

  @Test
  void tokensAVendorDoesNotAcceptAreRefused() throws Exception {
    long before = u1.tokens(a.id);
    var r = u1.spend(b.id, "B1", a.id, key());
    assertEquals(422, r.statusCode());
    assertEquals("token_not_accepted", r.bodyAsJsonObject().getString("error"));
    assertEquals(before, u1.tokens(a.id));
    assertEquals(404, u1.spend(a.id, "NOPE", a.id, key()).statusCode());
  }

  @Test
  void manufacturerTokensPayOnlyForTheirListedProductsAtTheirListedVendors() throws Exception {
    JsonObject applied = h.apply(owner, "Maker Co", "MANUFACTURER", "MAKER", 10, new JsonArray().add(a.id + ":A1"));
    MallHarness.VendorClient m = h.approve(applied);
    check(m.buyTokens(500, key()), 200);
    MallHarness.Member fan = h.new Member("fail-fan").ready();
    fan.register(m.id);
    check(m.allot(fan.id, 200, "LOYALTY", key()), 200);
    JsonObject shop = check(fan.get("/api/v1/mall/vendors/" + a.id), 200).bodyAsJsonObject();
    assertTrue(shop.getJsonArray("acceptedTokens").stream().anyMatch(t -> ((JsonObject) t).getLong("vendorId") == m.id),
        "the listing shows A takes the manufacturer's tokens");

    var unlisted = fan.spend(a.id, "A2", m.id, key());
    assertEquals(422, unlisted.statusCode());
    assertEquals("token_not_allowed", unlisted.bodyAsJsonObject().getString("error"));
    b.accept(m);
    assertEquals("token_not_allowed", fan.spend(b.id, "B1", m.id, key()).bodyAsJsonObject().getString("error"),
        "accepted at B, but B1 is not listed");
    assertEquals(422, fan.exchange(m.id, a.id, 50, key()).statusCode(), "not exchanged either");
    assertEquals(200, fan.tokens(m.id));

    JsonObject ok = check(fan.spend(a.id, "A1", m.id, key()), 200).bodyAsJsonObject();
    assertEquals(50, ok.getLong("tokens"));
    assertEquals(150, fan.tokens(m.id));
    assertEquals(500, h.account("vendor:" + m.id, dev.mileage.points.ledger.StandardPointTypes.CASH).orElseThrow().debitsPending(),
        "the manufacturer owes A the tokens' value");
  }

  @Test
  void aStaleQuoteIsRefusedWhenTheRateMoved() throws Exception {
    MallHarness.Member trader = h.new Member("fail-trader").ready();
    trader.register(a.id);
    check(a.allot(trader.id, 100, "LOYALTY", key()), 200);
    JsonObject quote = check(trader.get("/api/v1/mall/exchange-quote?from=" + a.id + "&to=" + b.id + "&tokens=100"), 200).bodyAsJsonObject();
    assertEquals(49, quote.getLong("credited"));
    check(h.gateway.send(HttpMethod.PUT, "/api/v1/mall/admin/vendors/" + b.id + "/rate", "operator", dev.mileage.gateway.TestGateway.PASSWORD,
        io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("rateWon", 40).encode())), 200);
    var stale = trader.post("/api/v1/mall/exchanges", new JsonObject().put("fromVendorId", a.id).put("toVendorId", b.id)
        .put("tokens", 100).put("expectedCredited", quote.getLong("credited")).put("requestKey", key()));
    assertEquals(409, stale.statusCode());
    assertEquals("rate_changed", stale.bodyAsJsonObject().getString("error"));
    assertEquals(100, trader.tokens(a.id));
    check(h.gateway.send(HttpMethod.PUT, "/api/v1/mall/admin/vendors/" + b.id + "/rate", "operator", dev.mileage.gateway.TestGateway.PASSWORD,
        io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("rateWon", 20).encode())), 200);
    assertEquals(400, trader.exchange(a.id, a.id, 10, key()).statusCode());
  }

  @Test
  void everyoneReachesOnlyWhatIsTheirs() throws Exception {
    // members: the member id comes from the session; another member's tokens are out of reach
    long u1Before = u1.tokens(a.id);
    var r = u2.spend(a.id, "A2", a.id, key());
    assertEquals(409, r.statusCode(), "u2 has no tokens of A: u1's are not touched");
    assertEquals(u1Before, u1.tokens(a.id));
    assertTrue(check(u2.get("/api/v1/mall/history"), 200).bodyAsJsonArray().stream()
        .allMatch(o -> ((JsonObject) o).getLong("memberId") == u2.id));
    var extra = u2.post("/api/v1/mall/vendors/" + a.id + "/purchases", new JsonObject().put("sku", "A2")
        .put("tokenVendorId", a.id).put("requestKey", key()).put("memberId", u1.id));
    assertEquals(400, extra.statusCode(), "a member id in the body is refused by the contract");
    // roles: members are not vendors or operators, vendors are not members
    assertEquals(403, u1.get("/api/v1/mall/vendor/report").statusCode());
    assertEquals(403, u1.get("/api/v1/mall/admin/report").statusCode());
    assertEquals(403, a.call(HttpMethod.GET, "/api/v1/mall/wallet", null).statusCode());
    assertEquals(403, a.call(HttpMethod.GET, "/api/v1/mall/admin/vendors", null).statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.GET, "/api/v1/mall/wallet", null, null, null).statusCode());
    // a vendor's key reaches only its own stock and report
    JsonObject report = a.report();
    assertEquals(a.id, report.getLong("vendorId"));
    var allotOther = a.allot(u2.id, 1, "LOYALTY", key());
    assertEquals(200, allotOther.statusCode(), "u2 registered with A");
    assertEquals("not_registered", b.allot(u2.id, 1, "LOYALTY", key()).bodyAsJsonObject().getString("error"),
        "B cannot give to a member who is not its customer");
  }

  @Test
  void aPosTerminalTakesTokensWithAOneTimePayCodeOnly() throws Exception {
    MallHarness.Member buyer = h.new Member("fail-pos").ready();
    buyer.register(a.id);
    check(a.allot(buyer.id, 60, "LOYALTY", key()), 200);
    String code = check(buyer.post("/api/v1/mall/pay-codes", new JsonObject().put("vendorId", a.id).put("tokenVendorId", a.id)), 201)
        .bodyAsJsonObject().getString("code");
    String sale = key();
    JsonObject sold = check(a.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code).put("sku", "A1")
        .put("requestKey", sale)), 200).bodyAsJsonObject();
    assertEquals(50, sold.getLong("tokens"));
    assertEquals(buyer.id, sold.getLong("memberId"));
    assertEquals(sold, check(a.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code).put("sku", "A1")
        .put("requestKey", sale)), 200).bodyAsJsonObject(), "the POS's retry answers the same sale");
    assertEquals(10, buyer.tokens(a.id));
    var reused = a.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code).put("sku", "A1").put("requestKey", key()));
    assertEquals("invalid_pay_code", reused.bodyAsJsonObject().getString("error"), "one sale per code");
    var elsewhere = b.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code).put("sku", "B1").put("requestKey", key()));
    assertEquals(422, elsewhere.statusCode(), "another vendor cannot use it");
    String late = check(buyer.post("/api/v1/mall/pay-codes", new JsonObject().put("vendorId", a.id).put("tokenVendorId", a.id)), 201)
        .bodyAsJsonObject().getString("code");
    h.clock.advance(PayCodes.VALIDITY.plusSeconds(1));
    assertEquals("invalid_pay_code", a.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", late).put("sku", "A2")
        .put("requestKey", key())).bodyAsJsonObject().getString("error"), "expired");
    assertEquals(10, buyer.tokens(a.id));
    var pending = h.apply(owner, "Pending POS", "SHOP", "PENDINGPOS", 10, null);
    assertEquals(403, h.send(pending.getString("apiKey"), io.vertx.core.http.HttpMethod.POST, "/api/v1/mall/pos/sales",
        new JsonObject().put("payCode", late).put("sku", "A2").put("requestKey", key())).statusCode(), "an unapproved vendor's POS");
  }

  @Test
  void concurrentSpendsNeverOverdraw() throws Exception {
    MallHarness.Member racer = h.new Member("fail-racer").ready();
    racer.register(a.id);
    check(a.allot(racer.id, 100, "LOYALTY", key()), 200);
    List<io.vertx.core.Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>>> racing = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      racing.add(racer.web.request(HttpMethod.POST, "/api/v1/mall/vendors/" + a.id + "/purchases").putHeader("X-CSRF-Token", racer.csrf)
          .putHeader("Content-Type", "application/json")
          .sendBuffer(io.vertx.core.buffer.Buffer.buffer(new JsonObject().put("sku", "A1").put("tokenVendorId", a.id)
              .put("requestKey", key()).encode())));
    }
    io.vertx.core.Future.join(racing).toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
    long ok = racing.stream().filter(f -> f.result().statusCode() == 200).count();
    long refused = racing.stream().filter(f -> f.result().statusCode() == 409).count();
    assertEquals(2, ok, "100 tokens pay for two 50-token products, never more");
    assertEquals(4, refused);
    assertEquals(0, racer.tokens(a.id));
    assertEquals(0, h.account("member:" + racer.id, a.pointType).orElseThrow().debitsPending());
  }

  @Test
  void applicationsWaitingForApprovalAreBoundedPerApplicant() throws Exception {
    MallHarness.Member eager = h.new Member("fail-eager").ready();
    for (int i = 0; i < MallOptions.PENDING_APPLICATIONS_PER_APPLICANT_MAX; i++) h.apply(eager, "Eager " + i, "SHOP", "EAGER" + i, 5, null);
    var r = eager.post("/api/v1/mall/vendor-applications", new JsonObject().put("name", "Eager more").put("kind", "SHOP")
        .put("tokenCode", "EAGERMORE").put("rateWon", 5));
    assertEquals(409, r.statusCode());
    assertTrue(r.bodyAsJsonObject().getString("reason").contains("waiting for approval"));
  }
}
