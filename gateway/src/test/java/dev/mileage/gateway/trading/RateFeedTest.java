package dev.mileage.gateway.trading;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.await;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exchange rates from a file feed and an HTTP feed (a real server on loopback) and from operators: applied
 * to the ledger's cash values, absolute pair rates kept, every change in the history with its source; unknown
 * types, wild jumps, malformed documents and failing feeds are refused and change nothing.
 */
class RateFeedTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path feedDir;
  static TradingHarness h;
  /** The feature's feed delegates to whichever implementation the test is exercising. */
  static final AtomicReference<RateFeed> FEED = new AtomicReference<>();

  @BeforeAll
  static void start() throws Exception {
    RateFeed switching = new RateFeed() {
      @Override
      public String name() {
        return FEED.get().name();
      }

      @Override
      public Future<List<Quote>> fetch() {
        return FEED.get().fetch();
      }
    };
    h = new TradingHarness(dataDir, new TradingSettings(new SandboxPaymentProvider(), CashOptions.DEFAULTS, v -> switching,
        java.time.Duration.ofHours(1), java.time.Duration.ofHours(1)), new MutableClock(Instant.now()));
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  long cashOf(TradingHarness.Member m, int type) throws Exception {
    return check(m.get("/api/v1/trading/rates"), 200).bodyAsJsonObject().getJsonArray("cash").stream()
        .map(JsonObject.class::cast).filter(c -> c.getInteger("pointType") == type).findFirst().orElseThrow()
        .getLong("cashMicrosPerUnit");
  }

  static String doc(long cyberMicros, long pairMicros) {
    return new JsonObject().put("cash", new JsonArray().add(new JsonObject().put("code", "CYBER_MONEY")
            .put("cashMicrosPerUnit", cyberMicros)))
        .put("pairs", new JsonArray().add(new JsonObject().put("from", "MILEAGE").put("to", "CYBER_MONEY")
            .put("microsPerUnit", pairMicros))).encode();
  }

  @Test
  void fileAndHttpFeedsSetRatesKeepHistoryAndRefuseNonsense() throws Exception {
    TradingHarness.Member m = h.member("rita");
    long before = cashOf(m, CYBER);
    Path file = feedDir.resolve("rates.json");
    FEED.set(new FileRateFeed(h.gateway.clientVertx, file));

    Files.writeString(file, doc(before * 2, 500_000));
    JsonObject report = await(h.trading.pullRates());
    assertEquals(2, report.getInteger("applied"), report.encode());
    assertEquals(before * 2, cashOf(m, CYBER));
    JsonObject history = check(m.get("/api/v1/trading/rates/" + CYBER), 200).bodyAsJsonObject();
    assertEquals("feed:file:rates.json", history.getJsonArray("history").getJsonObject(0).getString("source"));
    JsonObject pair = check(m.get("/api/v1/trading/rates"), 200).bodyAsJsonObject().getJsonArray("pairs").getJsonObject(0);
    assertEquals(MILEAGE, pair.getInteger("fromType"));
    assertEquals(500_000, pair.getLong("microsPerUnit"));

    // the same document again changes nothing and adds no history
    assertEquals(0, await(h.trading.pullRates()).getInteger("applied"));
    assertEquals(1, check(m.get("/api/v1/trading/rates/" + CYBER), 200).bodyAsJsonObject().getJsonArray("history").size());

    // unknown codes and jumps over the bound are refused one by one; the rest applies
    Files.writeString(file, new JsonObject().put("cash", new JsonArray()
        .add(new JsonObject().put("code", "NO_SUCH_TYPE").put("cashMicrosPerUnit", 1))
        .add(new JsonObject().put("code", "CYBER_MONEY").put("cashMicrosPerUnit", before * 2 * 50))).encode());
    report = await(h.trading.pullRates());
    assertEquals(0, report.getInteger("applied"));
    assertEquals(2, report.getJsonArray("refused").size(), report.encode());
    assertEquals(before * 2, cashOf(m, CYBER));

    // a malformed document fails the pull as a whole
    Files.writeString(file, "{\"cash\": [{\"code\": \"CYBER_MONEY\", \"cashMicrosPerUnit\": 1.5}]}");
    assertThrows(ExecutionException.class, () -> await(h.trading.pullRates()));
    Files.writeString(file, "not json");
    assertThrows(ExecutionException.class, () -> await(h.trading.pullRates()));
    assertEquals(before * 2, cashOf(m, CYBER));

    // HTTP: a real server on loopback; a 500 fails the pull, a 200 applies it
    AtomicInteger status = new AtomicInteger(500);
    AtomicReference<String> body = new AtomicReference<>(doc(before * 3, 400_000));
    HttpServer server = await(h.gateway.clientVertx.createHttpServer().requestHandler(req -> req.response()
        .setStatusCode(status.get()).putHeader("Content-Type", "application/json").end(body.get())).listen(0, "127.0.0.1"));
    HttpRateFeed http = new HttpRateFeed(h.gateway.clientVertx, "http://127.0.0.1:" + server.actualPort() + "/rates");
    try {
      FEED.set(http);
      assertThrows(ExecutionException.class, () -> await(h.trading.pullRates()));
      assertEquals(before * 2, cashOf(m, CYBER));
      status.set(200);
      assertEquals(2, await(h.trading.pullRates()).getInteger("applied"));
      assertEquals(before * 3, cashOf(m, CYBER));
      JsonArray pairs = check(m.get("/api/v1/trading/pair-rates?from=" + MILEAGE + "&to=" + CYBER), 200).bodyAsJsonObject()
          .getJsonArray("history");
      assertEquals(400_000, pairs.getJsonObject(0).getLong("microsPerUnit"));
      assertEquals("feed:http", pairs.getJsonObject(0).getString("source"));
      assertEquals(500_000, pairs.getJsonObject(1).getLong("microsPerUnit"), "history keeps the earlier rate");
      // operators pull on demand through the API too
      assertEquals(0, check(h.operator(HttpMethod.POST, "/api/v1/trading/admin/rate-feed/pull", null), 200)
          .bodyAsJsonObject().getInteger("applied"));
      status.set(503);
      check(h.operator(HttpMethod.POST, "/api/v1/trading/admin/rate-feed/pull", null), 502);
    } finally {
      http.close();
      await(server.close());
    }
  }

  @Test
  void operatorsSetPairRatesMembersCannot() throws Exception {
    TradingHarness.Member m = h.member("otto");
    JsonObject body = new JsonObject().put("fromType", CYBER).put("toType", MILEAGE).put("microsPerUnit", 2_000_000);
    check(m.call(HttpMethod.PUT, "/api/v1/trading/admin/pair-rates", body), 403);
    check(h.operator(HttpMethod.PUT, "/api/v1/trading/admin/pair-rates", body), 200);
    check(h.operator(HttpMethod.PUT, "/api/v1/trading/admin/pair-rates", body.copy().put("toType", CYBER)), 400);
    check(h.operator(HttpMethod.PUT, "/api/v1/trading/admin/pair-rates", body.copy().put("toType", 99_999)), 404);
    JsonObject latest = check(m.get("/api/v1/trading/pair-rates?from=" + CYBER + "&to=" + MILEAGE), 200).bodyAsJsonObject()
        .getJsonArray("history").getJsonObject(0);
    assertEquals(2_000_000, latest.getLong("microsPerUnit"));
    assertEquals("operator", latest.getString("source"), "operators' names are not shown to members");
    assertTrue(check(m.get("/api/v1/trading/rates"), 200).bodyAsJsonObject().getJsonArray("pairs").size() >= 1);
  }
}
