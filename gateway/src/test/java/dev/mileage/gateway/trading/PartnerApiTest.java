package dev.mileage.gateway.trading;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partner shops over HTTP: operators register them, signed requests report issued points and portfolios
 * (idempotently), and every kind of bad signature, replay, stale timestamp or swapped body is refused and
 * moves nothing. The shop's points become tradable; the shop reads the events that concern them.
 */
class PartnerApiTest {
  @TempDir
  static Path dataDir;
  static TradingHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new TradingHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  @Test
  void issuedPointsArriveOnceAndBecomeTradable() throws Exception {
    TradingHarness.Partner shop = h.partner("Coffee Shop", "PARTNER_COFFEE", 5_000_000, null);
    TradingHarness.Member ann = h.member("ann");
    TradingHarness.Member ben = h.member("ben");
    JsonObject first = check(shop.issue("receipt-1", ann.phone, 400), 201).bodyAsJsonObject();
    assertEquals("ISSUED", first.getString("result"));
    assertEquals("EXISTS", check(shop.issue("receipt-1", ann.phone, 400), 200).bodyAsJsonObject().getString("result"));
    check(shop.issue("receipt-1", ann.phone, 401), 409);
    check(shop.issue("receipt-1", ben.phone, 400), 409);
    check(shop.issue("receipt-2", "+821099999999", 400), 404);
    assertEquals(400, ann.balance(shop.pointType), "issued once only");

    // the partner's points are on the portfolio at their cash value, and trade like any other type
    JsonObject portfolio = check(ann.get("/api/v1/trading/portfolio"), 200).bodyAsJsonObject();
    assertTrue(portfolio.getJsonArray("holdings").stream().map(JsonObject.class::cast)
        .anyMatch(x -> x.getInteger("pointType") == shop.pointType && x.getLong("cashValueMicros") == 400L * 5_000_000));
    h.fund(ben, CYBER, 1_000);
    check(ann.order(shop.pointType, 100, CYBER, 500), 201);
    assertEquals("FILLED", check(ben.order(CYBER, 500, shop.pointType, 100), 201).bodyAsJsonObject().getString("result"));
    assertTrue(ben.balance(shop.pointType) > 0);

    JsonArray events = shop.events();
    assertTrue(events.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("type").equals("points.issued")));
    assertTrue(events.stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("type").equals("trade.filled")),
        "the shop hears of trades in its points: " + events);
    assertEquals(1, events.stream().map(JsonObject.class::cast).filter(e -> e.getString("type").equals("points.issued")).count(),
        "one event per issuance, however often it was reported");
  }

  static String storedSecret(TradingHarness harness, long partnerId) throws Exception {
    return harness.gateway.app.context().pool().preparedQuery("SELECT secret FROM trading.partner WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(partnerId)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
        .iterator().next().getString(0);
  }

  static void storeSecret(TradingHarness harness, long partnerId, String value) throws Exception {
    harness.gateway.app.context().pool().preparedQuery("UPDATE trading.partner SET secret = $2 WHERE id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(partnerId, value)).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void secretsAreSealedAtRestAndAnOlderVersionsClearSecretIsSealedAtStart(@TempDir Path dir) throws Exception {
    TradingHarness.Partner tea;
    TradingHarness.Partner ink;
    String inkSealed;
    try (TradingHarness first = new TradingHarness(dir)) {
      tea = first.partner("Tea Shop", "PARTNER_TEA", 1_000_000, null);
      ink = first.partner("Ink Shop", "PARTNER_INK", 1_000_000, null);
      String stored = storedSecret(first, tea.id);
      assertTrue(stored.startsWith("v1:") && !stored.contains(tea.secret), "sealed in the database: " + stored);
      inkSealed = storedSecret(first, ink.id);
      storeSecret(first, tea.id, tea.secret); // as an older version left it
      storeSecret(first, ink.id, stored);     // the tea shop's sealed secret copied onto the ink shop's row
    }
    try (TradingHarness second = new TradingHarness(dir)) {
      String resealed = storedSecret(second, tea.id);
      assertTrue(resealed.startsWith("v1:") && !resealed.contains(tea.secret), "sealed at start: " + resealed);
      TradingHarness.Member dan = second.member("dan");
      TradingHarness.Partner teaAgain = second.new Partner(tea.id, tea.pointType, tea.apiKey, tea.secret);
      check(teaAgain.issue("tea-1", dan.phone, 10), 201);
      assertEquals(10, dan.balance(tea.pointType), "signatures verify with the opened secret");

      // a row whose sealed value belongs to another row does not open: that shop is refused, nothing moves
      TradingHarness.Partner inkAgain = second.new Partner(ink.id, ink.pointType, ink.apiKey, ink.secret);
      TradingHarness.Partner inkWithTeasSecret = second.new Partner(ink.id, ink.pointType, ink.apiKey, tea.secret);
      HttpResponse401.assertRefused(inkAgain.issue("ink-1", dan.phone, 10), "invalid partner credentials"); // its own secret, but the row holds the tea shop's
      HttpResponse401.assertRefused(inkWithTeasSecret.issue("ink-2", dan.phone, 10), "invalid partner credentials");
      assertEquals(0, dan.balance(ink.pointType));
      assertTrue(inkSealed.startsWith("v1:"));
    }
  }

  @Test
  void forgedReplayedStaleOrSwappedRequestsAreRefusedAndMoveNothing() throws Exception {
    TradingHarness.Partner shop = h.partner("Book Shop", "PARTNER_BOOKS", 1_000_000, null);
    TradingHarness.Member cat = h.member("cat");
    String path = "/api/v1/trading/partner/issuances";
    byte[] body = new JsonObject().put("issuanceKey", "k1").put("phone", cat.phone).put("amount", 50).encode()
        .getBytes(StandardCharsets.UTF_8);
    long now = h.clock.instant().getEpochSecond();

    check(shop.send(HttpMethod.POST, path, body, now, "nonce-aaaaaaaaaaaaaaaa", null), 201);
    // the very same request again: a replay
    HttpResponse401.assertRefused(shop.send(HttpMethod.POST, path, body, now, "nonce-aaaaaaaaaaaaaaaa", null), "replayed");
    // a different body under the signature of the first
    byte[] bigger = new JsonObject().put("issuanceKey", "k2").put("phone", cat.phone).put("amount", 50_000).encode()
        .getBytes(StandardCharsets.UTF_8);
    HttpResponse401.assertRefused(shop.send(HttpMethod.POST, path, body, now, "nonce-bbbbbbbbbbbbbbbb", bigger), "body");
    // a timestamp outside the window, signed correctly
    HttpResponse401.assertRefused(shop.send(HttpMethod.POST, path, bigger, now - 3_600, "nonce-cccccccccccccccc", null), "timestamp");
    // signed with another secret
    TradingHarness.Partner forger = h.new Partner(shop.id, shop.pointType, shop.apiKey, "not-the-secret");
    HttpResponse401.assertRefused(forger.send(HttpMethod.POST, path, bigger, now, "nonce-dddddddddddddddd", null), "invalid");
    // a short nonce
    HttpResponse401.assertRefused(shop.send(HttpMethod.POST, path, bigger, now, "short", null), "Nonce");
    assertEquals(50, cat.balance(shop.pointType), "only the first, genuine request moved points");

    // members cannot use the partner API, partners cannot use members' routes or the operators'
    check(cat.post(path, new JsonObject().put("issuanceKey", "k3").put("phone", cat.phone).put("amount", 5)), 403);
    check(shop.send(HttpMethod.GET, "/api/v1/trading/portfolio", null), 403);
    check(shop.send(HttpMethod.POST, "/api/v1/trading/admin/partners", new JsonObject().put("name", "x").put("code", "PARTNER_X")
        .put("cashMicrosPerUnit", 1)), 403);
    // bad input is a 400 with a reason
    JsonObject bad = check(shop.send(HttpMethod.POST, path, new JsonObject().put("issuanceKey", "k4").put("phone", "12")
        .put("amount", 5)), 400).bodyAsJsonObject();
    assertTrue(bad.getString("reason").length() > 0);
  }

  @Test
  void portfoliosBringTheLedgerToTheShopsBalanceByVersion() throws Exception {
    TradingHarness.Partner shop = h.partner("Bakery", "PARTNER_BAKERY", 2_000_000, null);
    TradingHarness.Member dan = h.member("dan");
    assertEquals("SYNCED", check(shop.portfolio(dan.phone, 1_000, 1), 200).bodyAsJsonObject().getString("result"));
    assertEquals(1_000, dan.balance(shop.pointType));
    assertEquals("UNCHANGED", check(shop.portfolio(dan.phone, 1_000, 1), 200).bodyAsJsonObject().getString("result"));
    check(shop.portfolio(dan.phone, 5_000, 1), 409); // same version, other balance
    JsonObject down = check(shop.portfolio(dan.phone, 700, 2), 200).bodyAsJsonObject();
    assertEquals(-300, down.getLong("change"));
    assertEquals(700, dan.balance(shop.pointType));
    check(shop.portfolio(dan.phone, 9_000, 1), 409); // older version
    assertEquals(700, dan.balance(shop.pointType));

    // points the customer already gave away cannot be taken back by a lower report: refused, nothing changes
    TradingHarness.Member eve = h.member("eve");
    check(dan.post("/api/v1/trading/transfers", new JsonObject().put("phone", eve.phone).put("pointType", shop.pointType)
        .put("amount", 600).put("transferKey", "gift")), 200);
    check(shop.portfolio(dan.phone, 0, 3), 409);
    assertEquals(100, dan.balance(shop.pointType));
    assertEquals(600, eve.balance(shop.pointType));
    assertTrue(shop.events().stream().map(JsonObject.class::cast).anyMatch(e -> e.getString("type").equals("points.transferred")));
  }

  /** Asserts a 401 whose reason mentions what was wrong. */
  static final class HttpResponse401 {
    static void assertRefused(io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> r, String reasonPart) {
      check(r, 401);
      String reason = r.bodyAsJsonObject().getString("reason");
      assertTrue(reason.contains(reasonPart), "reason '" + reason + "' should mention " + reasonPart);
    }
  }
}
