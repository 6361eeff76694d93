package dev.mileage.gateway.streams;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.points.metering.TariffBook;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static dev.mileage.gateway.streams.StreamsHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The metering quote of a stream item, {@code GET /api/v1/metering/rate?itemId=}, over real HTTP on a real
 * gateway (embedded PostgreSQL, real ledger and meter): the item's own price on its kind's increments and
 * minimum charge, following price changes and clearing, refused clearly for unknown, retired and malformed
 * items, and equal to what a session of the item is then charged. Each test uses its own kind.
 */
class StreamsItemQuoteTest {
  @TempDir
  static Path dataDir;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
  static StreamsHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new StreamsHarness(dataDir, clock, false, StreamsOptions.defaults());
    h.awaitDemoCatalog();
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** A kind's tariff with increments and a minimum charge that an item price must not lose. */
  static void kindTariff(String kind, long pointsPerMinute, int initial, int subsequent, long minimum) throws Exception {
    JsonObject rate = new JsonObject().put("label", kind.toLowerCase() + " tariff").put("pointsPerMinute", pointsPerMinute)
        .put("initialIncrementSeconds", initial).put("subsequentIncrementSeconds", subsequent)
        .put("minimumChargePoints", minimum);
    check(h.gateway.send(HttpMethod.PUT, "/api/v1/metering/tariffs/streams/" + kind, TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(rate.encode())), 200);
  }

  static JsonObject quote(StreamsHarness.Member m, long item) throws Exception {
    return check(m.get("/api/v1/metering/rate?itemId=" + item), 200).bodyAsJsonObject();
  }

  static void assertRefused(HttpResponse<Buffer> r, int status, String reasonPart) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    JsonObject error = r.bodyAsJsonObject();
    assertTrue(error.getString("error") != null && error.getString("reason").contains(reasonPart), r.bodyAsString());
  }

  @Test
  void anItemIsQuotedAtItsOwnPriceOnItsKindsRulesAndFollowsChangesAndClearing() throws Exception {
    kindTariff("MUSIC", 60, 30, 10, 7);
    long item = h.demoItem("MUSIC");
    var m = h.new Member("quote-reader");

    JsonObject byKind = quote(m, item);
    assertEquals("RATED", byKind.getString("result"));
    assertEquals("KIND", byKind.getString("priceSource"));
    assertNull(byKind.getValue("itemPointsPerMinute"));
    assertEquals(item, byKind.getLong("itemId"));
    assertEquals("MUSIC", byKind.getString("kind"));
    assertEquals("music tariff", byKind.getString("label"));
    JsonObject kindQuote = check(m.get("/api/v1/metering/rate?kind=MUSIC"), 200).bodyAsJsonObject();
    assertEquals(kindQuote.getJsonObject("tariff"), byKind.getJsonObject("tariff"), "an unpriced item costs its kind's tariff");

    h.itemPrice(item, 150);
    JsonObject own = quote(m, item);
    assertEquals("RATED", own.getString("result"));
    assertEquals("ITEM", own.getString("priceSource"));
    assertEquals(150, own.getLong("itemPointsPerMinute"));
    assertEquals(TariffBook.ITEM_PRICE_LABEL, own.getString("label"));
    assertEquals("MUSIC", own.getString("matched"));
    JsonObject tariff = own.getJsonObject("tariff");
    assertEquals(150, tariff.getLong("pointsPerMinute"), "the item's price, not the kind's 60");
    assertEquals(30, tariff.getInteger("initialIncrementSeconds"), "the kind's increments still apply");
    assertEquals(10, tariff.getInteger("subsequentIncrementSeconds"));
    assertEquals(7, tariff.getLong("minimumChargePoints"), "and its minimum charge");
    assertEquals(kindQuote.getJsonObject("tariff").getJsonArray("pointTypes"), tariff.getJsonArray("pointTypes"));
    assertEquals(60, check(m.get("/api/v1/metering/rate?kind=MUSIC"), 200).bodyAsJsonObject().getJsonObject("tariff")
        .getLong("pointsPerMinute"), "the kind's own quote is unchanged");

    h.itemPrice(item, 45);
    assertEquals(45, quote(m, item).getJsonObject("tariff").getLong("pointsPerMinute"), "a changed price is quoted at once");
    h.itemPrice(item, 0);
    assertEquals(0, quote(m, item).getJsonObject("tariff").getLong("pointsPerMinute"), "a free item, minimum charge kept");

    h.clearItemPrice(item);
    JsonObject cleared = quote(m, item);
    assertEquals("KIND", cleared.getString("priceSource"));
    assertNull(cleared.getValue("itemPointsPerMinute"));
    assertEquals(kindQuote.getJsonObject("tariff"), cleared.getJsonObject("tariff"), "back to the kind's tariff");

    kindTariff("MUSIC", 90, 30, 10, 7);
    assertEquals(90, quote(m, item).getJsonObject("tariff").getLong("pointsPerMinute"), "an unpriced item follows its kind");
    JsonObject byOperator = check(h.gateway.get("/api/v1/metering/rate?itemId=" + item), 200).bodyAsJsonObject();
    assertEquals(90, byOperator.getJsonObject("tariff").getLong("pointsPerMinute"), "operators get the same quote");
    h.price("MUSIC", 60);
  }

  @Test
  void anItemWhoseKindHasNoTariffStaysUnpricedEvenWithItsOwnPrice() throws Exception {
    long item = h.demoItem("SOFTWARE");
    h.itemPrice(item, 80);
    var m = h.new Member("quote-unpriced");
    check(h.gateway.send(HttpMethod.DELETE, "/api/v1/metering/tariffs/streams/SOFTWARE", TestGateway.OPERATOR,
        TestGateway.PASSWORD, null), 204);
    try {
      JsonObject q = quote(m, item);
      assertEquals("NO_TARIFF", q.getString("result"), "the item's price replaces the rate, not the billing rules");
      assertFalse(q.containsKey("tariff"));
      assertEquals("ITEM", q.getString("priceSource"));
      assertEquals(80, q.getLong("itemPointsPerMinute"));
      m.fund(1000);
      HttpResponse<Buffer> refused = m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", item));
      assertEquals(409, refused.statusCode(), "the meter refuses it too: " + refused.bodyAsString());
      assertEquals("no_tariff", refused.bodyAsJsonObject().getString("error"));
    } finally {
      h.price("SOFTWARE", 60);
      h.clearItemPrice(item);
    }
    assertEquals("RATED", quote(m, item).getString("result"));
  }

  @Test
  void unknownRetiredDraftAndMalformedItemsAreRefusedWithAReason() throws Exception {
    var m = h.new Member("quote-prober");
    assertRefused(m.get("/api/v1/metering/rate?itemId=999999"), 404, "no stream item 999999");
    assertRefused(m.get("/api/v1/metering/rate?itemId=" + Long.MAX_VALUE), 404, "no stream item");

    JsonObject draft = check(h.gateway.post("/api/v1/streams/items", new JsonObject().put("kind", "VOICE")
        .put("title", "Quote draft").put("contentType", "audio/wav")), 201).bodyAsJsonObject();
    long draftId = draft.getLong("id");
    assertRefused(m.get("/api/v1/metering/rate?itemId=" + draftId), 404, "no stream item " + draftId);
    JsonObject operatorDraft = check(h.gateway.get("/api/v1/metering/rate?itemId=" + draftId), 200).bodyAsJsonObject();
    assertEquals("RATED", operatorDraft.getString("result"), "operators see drafts in the catalog, and their price");
    assertEquals(30, operatorDraft.getJsonObject("tariff").getLong("pointsPerMinute"));

    check(h.gateway.send(HttpMethod.PATCH, "/api/v1/streams/items/" + draftId, TestGateway.OPERATOR, TestGateway.PASSWORD,
        Buffer.buffer(new JsonObject().put("status", "RETIRED").encode())), 200);
    assertRefused(m.get("/api/v1/metering/rate?itemId=" + draftId), 404, "retired");
    assertRefused(h.gateway.get("/api/v1/metering/rate?itemId=" + draftId), 404, "retired");

    for (String bad : List.of("abc", "0", "-3", "1.5", "", "99999999999999999999", "1%20OR%201=1")) {
      HttpResponse<Buffer> r = m.get("/api/v1/metering/rate?itemId=" + bad);
      assertEquals(400, r.statusCode(), bad + " -> " + r.bodyAsString());
      assertTrue(!r.bodyAsJsonObject().getString("reason", "").isBlank(), r.bodyAsString());
    }
    long item = h.demoItem("VOICE");
    assertRefused(m.get("/api/v1/metering/rate?itemId=" + item + "&kind=VOICE"), 400, "exactly one of");
    assertRefused(m.get("/api/v1/metering/rate"), 400, "exactly one of");
    assertEquals(401, h.gateway.send(HttpMethod.GET, "/api/v1/metering/rate?itemId=" + item, null, null, null).statusCode());
  }

  @Test
  void theQuoteIsWhatASessionOfTheItemIsThenCharged() throws Exception {
    kindTariff("VIDEO", 60, 30, 10, 7);
    long item = h.demoItem("VIDEO");
    h.itemPrice(item, 120);
    var m = h.new Member("quote-viewer");
    m.fund(1000);
    JsonObject quoted = quote(m, item).getJsonObject("tariff");

    JsonObject s = m.start(item);
    JsonObject charged = s.getJsonObject("tariff");
    for (String field : List.of("pointsPerMinute", "initialIncrementSeconds", "subsequentIncrementSeconds", "minimumChargePoints")) {
      assertEquals(quoted.getValue(field), charged.getValue(field), field);
    }
    String id = s.getString("sessionId");
    m.control(id, "play", null);
    h.play(m, id, 60);
    JsonObject minute = m.control(id, "stop", null).getJsonObject("record");
    assertEquals(60, minute.getLong("usedSeconds"));
    assertEquals(quoted.getLong("pointsPerMinute"), minute.getLong("points"), "one minute costs the quoted price");
    assertEquals(quoted.getLong("pointsPerMinute"), minute.getLong("pointsPerMinute"));

    h.itemPrice(item, 600);
    JsonObject requoted = quote(m, item).getJsonObject("tariff");
    JsonObject short_ = m.start(item);
    assertEquals(requoted.getLong("pointsPerMinute"), short_.getJsonObject("tariff").getLong("pointsPerMinute"));
    m.control(short_.getString("sessionId"), "play", null);
    h.play(m, short_.getString("sessionId"), 5);
    JsonObject fiveSeconds = m.control(short_.getString("sessionId"), "stop", null).getJsonObject("record");
    assertEquals(30, fiveSeconds.getLong("billedSeconds"), "the quoted 30-second first increment");
    assertEquals(300, fiveSeconds.getLong("points"), "30 s at the quoted 600 a minute");
    assertEquals(1000 - 120 - 300, m.account().available());
    assertEquals(0, m.account().debitsPending());
    h.clearItemPrice(item);
    h.price("VIDEO", 60);
  }
}
