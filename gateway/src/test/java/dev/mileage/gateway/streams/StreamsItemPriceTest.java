package dev.mileage.gateway.streams;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.Account;
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
import java.time.Instant;

import static dev.mileage.gateway.streams.StreamsHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-item prices over real HTTP on a real gateway (embedded PostgreSQL, real ledger and meter): the
 * operator sets, changes and clears an item's price; bad values and other callers change nothing; members
 * see the price and are debited at it, fixed at the session's start. Each test prices its own demo item and
 * the kinds keep the harness's tariffs (video and music 60, voice 30 points a minute, 1-second increments).
 */
class StreamsItemPriceTest {
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

  static HttpResponse<Buffer> setPrice(long item, Object body) throws Exception {
    return h.setItemPrice(item, body);
  }

  static JsonObject price(long item, long pointsPerMinute) throws Exception {
    return h.itemPrice(item, pointsPerMinute);
  }

  static JsonObject clearPrice(long item) throws Exception {
    return h.clearItemPrice(item);
  }

  static JsonObject listed(StreamsHarness.Member m, long item, String kind) throws Exception {
    JsonArray items = check(m.get("/api/v1/streams/items?kind=" + kind), 200).bodyAsJsonObject().getJsonArray("items");
    return items.stream().map(o -> (JsonObject) o).filter(i -> i.getLong("id") == item).findFirst().orElseThrow();
  }

  @Test
  void anOperatorSetsChangesAndClearsAnItemsPriceAndMembersSeeIt() throws Exception {
    long item = h.demoItem("MUSIC");
    var m = h.new Member("price-reader");
    m.fund(300);
    JsonObject set = price(item, 150);
    assertEquals(150, set.getLong("pointsPerMinute"));
    assertEquals(150, set.getLong("itemPointsPerMinute"));
    assertEquals("ITEM", set.getString("priceSource"));

    assertEquals(150, listed(m, item, "MUSIC").getLong("pointsPerMinute"), "the catalog lists the item's price");
    JsonObject detail = check(m.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject();
    assertEquals(150, detail.getLong("pointsPerMinute"));
    assertEquals(150, detail.getJsonObject("tariff").getLong("pointsPerMinute"));
    assertEquals(120, detail.getLong("affordableSeconds"), "300 points at 150 a minute buy two minutes");
    assertEquals(2, detail.getLong("affordableMinutes"));

    assertEquals(90, price(item, 90).getLong("pointsPerMinute"), "changed");
    assertEquals(200, check(m.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject().getLong("affordableSeconds"));
    JsonObject free = price(item, 0);
    assertEquals(0, free.getLong("pointsPerMinute"), "0 is a price like a kind's tariff's: a free item");

    JsonObject cleared = clearPrice(item);
    assertEquals("KIND", cleared.getString("priceSource"));
    assertNull(cleared.getValue("itemPointsPerMinute"));
    assertEquals(60, cleared.getLong("pointsPerMinute"), "back to the kind's tariff");
    assertEquals(60, listed(m, item, "MUSIC").getLong("pointsPerMinute"));
    assertEquals(300, check(m.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject().getLong("affordableSeconds"));
    assertEquals("KIND", clearPrice(item).getString("priceSource"), "clearing twice is harmless");

    assertEquals(404, setPrice(999_999, new JsonObject().put("pointsPerMinute", 10)).statusCode());
    assertEquals(404, h.gateway.send(HttpMethod.DELETE, "/api/v1/streams/items/999999/price", TestGateway.OPERATOR,
        TestGateway.PASSWORD, null).statusCode());
  }

  @Test
  void badPricesAndOtherCallersAreRefusedAndChangeNothing() throws Exception {
    long item = h.demoItem("DATABASE");
    price(item, 100);
    Object[] bad = {
        new JsonObject().put("pointsPerMinute", -1),
        new JsonObject().put("pointsPerMinute", 1_000_000_001L),
        new JsonObject().put("pointsPerMinute", Long.MAX_VALUE),
        "{\"pointsPerMinute\": 1e30}",
        new JsonObject().put("pointsPerMinute", 12.5),
        new JsonObject().put("pointsPerMinute", "12"),
        new JsonObject().put("pointsPerMinute", true),
        new JsonObject().putNull("pointsPerMinute"),
        new JsonObject(),
        new JsonObject().put("pointsPerMinute", 10).put("currency", "KRW"),
        "[10]",
        "not json",
    };
    for (Object body : bad) {
      HttpResponse<Buffer> r = setPrice(item, body);
      assertEquals(400, r.statusCode(), body + " -> " + r.bodyAsString());
      JsonObject error = r.bodyAsJsonObject();
      assertTrue(error.getString("error") != null && !error.getString("reason").isBlank(), r.bodyAsString());
      assertEquals(100, check(h.gateway.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject()
          .getLong("pointsPerMinute"), "unchanged after " + body);
    }
    assertEquals(400, h.gateway.send(HttpMethod.PUT, "/api/v1/streams/items/abc/price", TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(new JsonObject().put("pointsPerMinute", 5).encode())).statusCode());

    var m = h.new Member("price-setter");
    HttpResponse<Buffer> member = m.call(HttpMethod.PUT, "/api/v1/streams/items/" + item + "/price",
        new JsonObject().put("pointsPerMinute", 1));
    assertEquals(403, member.statusCode());
    assertEquals("forbidden", member.bodyAsJsonObject().getString("error"));
    assertEquals(403, m.call(HttpMethod.DELETE, "/api/v1/streams/items/" + item + "/price", null).statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.PUT, "/api/v1/streams/items/" + item + "/price", null, null,
        Buffer.buffer(new JsonObject().put("pointsPerMinute", 1).encode())).statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.DELETE, "/api/v1/streams/items/" + item + "/price", null, null, null)
        .statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.PUT, "/api/v1/streams/items/" + item + "/price", TestGateway.OPERATOR,
        "wrong-password", Buffer.buffer(new JsonObject().put("pointsPerMinute", 1).encode())).statusCode());
    JsonObject after = check(h.gateway.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject();
    assertEquals(100, after.getLong("pointsPerMinute"));
    assertEquals("ITEM", after.getString("priceSource"));
    clearPrice(item);
  }

  @Test
  void aPricedItemIsDebitedAtItsPriceAndAnUnpricedOneAtItsKindsTariff() throws Exception {
    long item = h.demoItem("VOICE"); // voice: 30 points a minute by kind
    var m = h.new Member("priced-listener");
    m.fund(1000);
    price(item, 120);
    JsonObject s = m.start(item);
    assertEquals(120, s.getJsonObject("tariff").getLong("pointsPerMinute"));
    assertEquals(500, s.getLong("maxSeconds"), "1000 points at 120 a minute");
    m.control(s.getString("sessionId"), "play", null);
    h.play(m, s.getString("sessionId"), 20);
    JsonObject record = m.control(s.getString("sessionId"), "stop", null).getJsonObject("record");
    assertEquals(20, record.getLong("usedSeconds"));
    assertEquals(40, record.getLong("points"), "20 s at 120 a minute");
    assertEquals(120, record.getLong("pointsPerMinute"), "the record shows the rate charged");
    Account a = m.account();
    assertEquals(960, a.available());
    assertEquals(0, a.debitsPending());
    assertEquals(40, a.debitsPosted());

    clearPrice(item);
    JsonObject byKind = m.start(item);
    assertEquals(30, byKind.getJsonObject("tariff").getLong("pointsPerMinute"));
    m.control(byKind.getString("sessionId"), "play", null);
    h.play(m, byKind.getString("sessionId"), 20);
    JsonObject kindRecord = m.control(byKind.getString("sessionId"), "stop", null).getJsonObject("record");
    assertEquals(10, kindRecord.getLong("points"), "20 s at the kind's 30 a minute");
    a = m.account();
    assertEquals(950, a.available());
    assertEquals(50, a.debitsPosted());
    JsonArray history = check(m.get("/api/v1/streams/my/history"), 200).bodyAsJsonObject().getJsonArray("streams");
    assertEquals(2, history.size());
    assertEquals(30, history.getJsonObject(0).getLong("pointsPerMinute"), "newest first");
    assertEquals(120, history.getJsonObject(1).getLong("pointsPerMinute"));
  }

  @Test
  void aPriceChangeDuringASessionAppliesToTheNextSessionOnly() throws Exception {
    long item = h.demoItem("VIDEO"); // video: 60 points a minute by kind
    var m = h.new Member("steady-viewer");
    m.fund(1000);
    price(item, 120);
    JsonObject s = m.start(item);
    String id = s.getString("sessionId");
    m.control(id, "play", null);
    h.play(m, id, 10);
    price(item, 600);
    h.play(m, id, 10);
    // a pause settles and a resume reserves afresh: still at the session's own rate
    m.control(id, "pause", new JsonObject().put("reason", "PLAYER"));
    h.tick();
    m.control(id, "play", null);
    h.play(m, id, 10);
    JsonObject record = m.control(id, "stop", null).getJsonObject("record");
    assertEquals(30, record.getLong("usedSeconds"));
    assertEquals(60, record.getLong("points"), "30 s at the 120 the session started with, not 600");
    assertEquals(120, record.getLong("pointsPerMinute"));
    assertEquals(940, m.account().available());

    JsonObject next = m.start(item);
    assertEquals(600, next.getJsonObject("tariff").getLong("pointsPerMinute"), "the next session pays the new price");
    m.control(next.getString("sessionId"), "play", null);
    h.play(m, next.getString("sessionId"), 10);
    JsonObject nextRecord = m.control(next.getString("sessionId"), "stop", null).getJsonObject("record");
    assertEquals(100, nextRecord.getLong("points"), "10 s at 600 a minute");
    Account a = m.account();
    assertEquals(840, a.available());
    assertEquals(0, a.debitsPending());
    clearPrice(item);
  }
}
