package dev.mileage.gateway.trading;

import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trading over HTTP on a real gateway: members sign up (real SMSC fixture), place, fill, cancel, give. */
class TradingApiTest {
  static final String PASSWORD = "correct-horse-battery";
  static final int MILEAGE = StandardPointTypes.MILEAGE;
  static final int CYBER = StandardPointTypes.CYBER_MONEY;
  static final long BONUS = 3_000;
  static final AtomicInteger PHONES = new AtomicInteger(5000);

  @TempDir
  static Path dataDir;
  static Smsc smsc;
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    smsc = Smsc.start();
    MembersOptions options = MembersOptions.defaults().withSmscUri(smsc.uri());
    List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(options, PasswordHasher.OWASP),
        new TradingFeature());
    gateway = new TestGateway(dataDir, features, new MutableClock(Instant.now()));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    if (smsc != null) smsc.close();
  }

  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone = "+8210" + String.format("%08d", PHONES.incrementAndGet());
    String csrf;
    long id;

    Member(String login) throws Exception {
      this.login = login + PHONES.get();
      check(post("/auth/sign-up", new JsonObject().put("loginId", this.login).put("password", PASSWORD)
          .put("name", "Test").put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester")), 201);
      var sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow();
      Matcher m = Pattern.compile("([0-9]{6})").matcher(sms.body());
      assertTrue(m.find());
      check(post("/auth/verify-phone", new JsonObject().put("loginId", this.login).put("code", m.group(1))), 200);
      JsonObject signIn = check(post("/auth/sign-in", new JsonObject().put("loginId", this.login)
          .put("password", PASSWORD)), 200).bodyAsJsonObject();
      csrf = signIn.getString("csrfToken");
      id = signIn.getLong("memberId");
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
      var req = web.request(method, path);
      if (csrf != null) req.putHeader("X-CSRF-Token", csrf);
      var f = body == null ? req.send()
          : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
      return call(HttpMethod.POST, path, body);
    }

    HttpResponse<Buffer> get(String path) throws Exception {
      return call(HttpMethod.GET, path, null);
    }

    long balance(int type) throws Exception {
      JsonObject p = check(get("/api/v1/trading/portfolio"), 200).bodyAsJsonObject();
      for (Object o : p.getJsonArray("holdings")) {
        JsonObject h = (JsonObject) o;
        if (h.getInteger("pointType") == type) return h.getLong("available");
      }
      return 0;
    }

    HttpResponse<Buffer> order(int sell, long sellAmount, int buy, long buyAmount) throws Exception {
      return post("/api/v1/trading/orders", new JsonObject().put("sellType", sell).put("sellAmount", sellAmount)
          .put("buyType", buy).put("buyAmount", buyAmount));
    }
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) throw new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  /** Cyber money from the operator's issuance account, through the operator ledger API. */
  static void giveCyberMoney(Member m, long amount) throws Exception {
    long issuer = check(gateway.post("/api/v1/ledger/accounts", new JsonObject().put("owner", "operator")
        .put("pointType", CYBER)), 200, 201).bodyAsJsonObject().getLong("id");
    long account = check(gateway.post("/api/v1/ledger/accounts", new JsonObject().put("owner", "member:" + m.id)
        .put("pointType", CYBER).put("flags", new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS"))), 200, 201)
        .bodyAsJsonObject().getLong("id");
    check(gateway.post("/api/v1/ledger/transfers", new JsonObject().put("transfers", new JsonArray().add(new JsonObject()
        .put("key", "test:cyber:" + m.id).put("debitAccountId", issuer).put("creditAccountId", account)
        .put("amount", amount)))), 200);
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int a, int b) {
    if (r.statusCode() != a && r.statusCode() != b) throw new AssertionError("got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  @Test
  void twoMembersTradeOverHttpAndOnlyTheirOwnOrdersAreReachable() throws Exception {
    Member alice = new Member("alice");
    Member bob = new Member("bob");
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
    Member carol = new Member("carol");
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
    Member dan = new Member("dan");
    Member erin = new Member("erin");
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
