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
import java.time.Duration;
import java.time.Instant;

import static dev.mileage.gateway.streams.StreamsHarness.check;
import static dev.mileage.gateway.streams.StreamsHarness.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Metered streams over real HTTP on a real gateway (embedded PostgreSQL, real ledger and meter, members
 * signed in by cookie): paced range delivery, pause and resume, exhaustion cut by the server and billed
 * exactly, member-bound and expiring links, software by transfer time, database queries while open.
 * The clock is moved by the test and the meter ticked, so nothing waits for real seconds.
 */
class StreamsApiTest {
  @TempDir
  static Path dataDir;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T09:00:00Z"));
  static StreamsHarness h;
  /** The demo music: 22,050 Hz 16-bit mono WAV, 44 header bytes. */
  static final long MUSIC_BPS = 44_100;
  static final long WAV_HEADER = 44;
  static final int LEAD = StreamsOptions.defaults().leadSeconds();

  @BeforeAll
  static void start() throws Exception {
    h = new StreamsHarness(dataDir, clock, false, StreamsOptions.defaults());
    h.awaitDemoCatalog();
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  /** Moves metered time on in steps below the stall timeout, the player's heartbeat in between. */
  static void play(StreamsHarness.Member m, String sessionId, int seconds) throws Exception {
    h.play(m, sessionId, seconds);
  }

  @Test
  void theCatalogHasEveryKindWithItsPriceAndWhatTheBalanceBuys() throws Exception {
    JsonArray items = h.awaitDemoCatalog();
    for (String kind : new String[] {"VIDEO", "MUSIC", "VOICE", "SOFTWARE", "DATABASE"}) {
      assertTrue(items.stream().anyMatch(o -> ((JsonObject) o).getString("kind").equals(kind)), kind);
    }
    var m = h.new Member("catalog-reader");
    m.fund(150);
    JsonArray music = check(m.get("/api/v1/streams/items?kind=MUSIC"), 200).bodyAsJsonObject().getJsonArray("items");
    assertTrue(music.stream().allMatch(o -> ((JsonObject) o).getString("kind").equals("MUSIC")));
    JsonObject voice = check(m.get("/api/v1/streams/items/" + h.demoItem("VOICE")), 200).bodyAsJsonObject();
    assertEquals(30, voice.getLong("pointsPerMinute"));
    assertEquals(150, voice.getLong("balance"));
    assertEquals(300, voice.getLong("affordableSeconds"), "150 points at 30 a minute buy five minutes");
    assertEquals(5, voice.getLong("affordableMinutes"));
    assertEquals(40, voice.getInteger("durationSeconds"));
    assertEquals(400, m.get("/api/v1/streams/items?kind=PODCAST").statusCode());
    assertEquals(401, h.gateway.send(HttpMethod.GET, "/api/v1/streams/items", null, null, null).statusCode());
  }

  @Test
  void playingIsPacedByMeteredTimePausingStopsTheMeterAndStopBillsExactly() throws Exception {
    var m = h.new Member("listener");
    m.fund(100);
    JsonObject s = m.start(h.demoItem("MUSIC"));
    String id = s.getString("sessionId");
    assertEquals("READY", s.getString("state"));
    assertEquals(100, s.getLong("balanceBefore"));
    assertEquals(100, s.getLong("maxSeconds"));
    assertEquals(30, m.account().debitsPending(), "the first 30-second grant is reserved");

    StreamsHarness.Download d = m.open(s.getString("mediaUrl"), "bytes=0-");
    assertEquals(206, d.status());
    assertEquals("audio/wav", d.response.getHeader("Content-Type"));
    assertTrue(d.response.getHeader("Content-Range").startsWith("bytes 0-"));
    long startBytes = WAV_HEADER + Math.max(LEAD * MUSIC_BPS, StreamsOptions.START_BYTES_MIN);
    assertEquals(startBytes, d.settle(startBytes),
        "before playing: the header and what a player needs to start, no more");

    m.control(id, "play", null);
    play(m, id, 10);
    assertEquals(WAV_HEADER + (LEAD + 10) * MUSIC_BPS, d.settle(WAV_HEADER + (LEAD + 10) * MUSIC_BPS), "ten metered seconds more");

    JsonObject paused = m.control(id, "pause", new JsonObject().put("reason", "PLAYER"));
    assertEquals("PAUSED", paused.getString("state"));
    waitFor(() -> {
      try {
        Account a = m.account();
        return a.debitsPending() == 0 && a.debitsPosted() == 10;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the pause posts the ten seconds used and releases the rest of the grant");
    long before = d.bytes.get();
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(5));
      h.tick();
      m.post("/api/v1/streams/sessions/" + id + "/heartbeat", null);
    }
    assertEquals(before, d.settle(), "nothing is delivered while paused");
    assertEquals(10, m.control(id, "heartbeat", null).getJsonObject("live").getLong("usedSeconds"), "the meter is frozen");

    m.control(id, "play", null);
    play(m, id, 5);
    JsonObject stopped = m.control(id, "stop", new JsonObject().put("reason", "STOPPED"));
    JsonObject record = stopped.getJsonObject("record");
    assertEquals(15, record.getLong("usedSeconds"));
    assertEquals(15, record.getLong("points"), "the ten seconds before the pause are not billed twice");
    assertEquals("CALLER_HANGUP", record.getString("reason"));
    Account a = m.account();
    assertEquals(85, a.available());
    assertEquals(0, a.debitsPending());
    waitFor(() -> d.broken.get() || d.ended.get(), "the delivery is cut when the stream stops");
    assertEquals(410, m.get(s.getString("mediaUrl")).statusCode(), "the link dies with the stream");

    JsonArray history = check(m.get("/api/v1/streams/my/history"), 200).bodyAsJsonObject().getJsonArray("streams");
    assertEquals(1, history.size());
    assertEquals("Evening in C major", history.getJsonObject(0).getString("title"));
    assertEquals(15, history.getJsonObject(0).getLong("points"));
    assertEquals(15, history.getJsonObject(0).getLong("usedSeconds"));
    d.close();
  }

  @Test
  void theServerCutsTheStreamWhenTheBalanceRunsOutAndBillsExactly() throws Exception {
    var m = h.new Member("runs-out");
    m.fund(10);
    JsonObject s = m.start(h.demoItem("VIDEO"));
    String id = s.getString("sessionId");
    assertEquals(10, s.getLong("maxSeconds"));
    StreamsHarness.Download d = m.open(s.getString("mediaUrl"), null);
    assertEquals(200, d.status());
    assertEquals("video/webm", d.response.getHeader("Content-Type"));
    m.control(id, "play", null);
    play(m, id, 5);
    clock.advance(Duration.ofSeconds(7)); // two seconds past the paid ten
    h.tick();
    waitFor(() -> d.broken.get() || d.ended.get(), "the server cuts the delivery at exhaustion");
    JsonObject after = check(m.get("/api/v1/streams/sessions/" + id), 200).bodyAsJsonObject();
    assertEquals("ENDED", after.getString("state"));
    assertEquals("BALANCE_EXHAUSTED", after.getString("endReason"));
    JsonObject item = check(m.get("/api/v1/streams/items/" + h.demoItem("VIDEO")), 200).bodyAsJsonObject();
    long bps = (item.getLong("sizeBytes") - 0) / item.getInteger("durationSeconds");
    assertTrue(d.bytes.get() < item.getLong("sizeBytes") / 2, "a 30-second video: only the paid third or so was sent");
    assertTrue(d.bytes.get() <= 2000 + bps * 11, "nothing beyond the paid ten seconds: " + d.bytes.get());
    Account a = m.account();
    assertEquals(0, a.available());
    assertEquals(0, a.debitsPending());
    assertEquals(10, a.debitsPosted(), "billed exactly the ten seconds the balance paid for");
    waitFor(() -> {
      try {
        JsonArray history = m.get("/api/v1/streams/my/history").bodyAsJsonObject().getJsonArray("streams");
        return history.size() == 1 && history.getJsonObject(0).getString("reason").equals("BALANCE_EXHAUSTED")
            && history.getJsonObject(0).getLong("usedSeconds") == 10;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the record of the exhausted stream");
    assertEquals(410, m.get(s.getString("mediaUrl")).statusCode());
    assertEquals(402, m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", h.demoItem("VIDEO"))).statusCode(),
        "nothing left to start another");
    d.close();
  }

  @Test
  void aCopiedLinkIsRefusedForAnotherMemberAndLinksExpire() throws Exception {
    var owner = h.new Member("link-owner");
    var other = h.new Member("link-copier");
    owner.fund(100);
    other.fund(100);
    JsonObject s = owner.start(h.demoItem("VOICE"));
    String url = s.getString("mediaUrl");
    HttpResponse<Buffer> copied = other.call(HttpMethod.GET, url, null);
    assertEquals(403, copied.statusCode());
    assertEquals("forbidden", copied.bodyAsJsonObject().getString("error"));
    assertEquals(401, h.gateway.send(HttpMethod.GET, url, null, null, null).statusCode(), "nobody signed in");
    assertEquals(403, h.gateway.get(url).statusCode(), "not even an operator");
    assertEquals(404, other.get("/api/v1/streams/sessions/" + s.getString("sessionId")).statusCode(),
        "another member's stream is not theirs to see");
    assertEquals(404, other.post("/api/v1/streams/sessions/" + s.getString("sessionId") + "/play", null).statusCode());
    assertEquals(404, owner.get("/api/v1/streams/media/" + "A".repeat(43)).statusCode());
    assertEquals(400, owner.get("/api/v1/streams/media/short").statusCode());

    clock.advance(StreamsOptions.defaults().linkIdle().plusSeconds(1));
    HttpResponse<Buffer> expired = owner.get(url);
    assertEquals(410, expired.statusCode());
    assertEquals("link_expired", expired.bodyAsJsonObject().getString("error"));
    assertEquals(0, owner.account().debitsPosted(), "nothing was billed: the stream never played");
  }

  @Test
  void startingWithoutBalanceIsRefusedAndChangesNothing() throws Exception {
    var m = h.new Member("penniless");
    m.fund(0);
    HttpResponse<Buffer> r = m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", h.demoItem("MUSIC")));
    assertEquals(402, r.statusCode());
    assertEquals("insufficient_balance", r.bodyAsJsonObject().getString("error"));
    Account a = m.account();
    assertEquals(0, a.debitsPending() + a.debitsPosted());
    assertEquals(404, m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", 999_999)).statusCode());
    assertEquals(400, m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", "one")).statusCode());
    assertEquals(403, h.gateway.post("/api/v1/streams/sessions", new JsonObject().put("itemId", 1)).statusCode(),
        "operators do not stream");
  }

  @Test
  void operatorsUploadCheckedMediaAndBadUploadsChangeNothing() throws Exception {
    JsonObject draft = check(h.gateway.post("/api/v1/streams/items", new JsonObject().put("kind", "MUSIC")
        .put("title", "Operator tune").put("description", "uploaded in a test").put("contentType", "audio/wav")), 201)
        .bodyAsJsonObject();
    long id = draft.getLong("id");
    assertEquals("DRAFT", draft.getString("status"));
    var m = h.new Member("browser-of-drafts");
    assertEquals(404, m.get("/api/v1/streams/items/" + id).statusCode(), "a draft is not in the members' catalog");

    byte[] notWav = DemoMedia.priceDatabase(10);
    HttpResponse<Buffer> wrong = upload(id, notWav);
    assertEquals(415, wrong.statusCode());
    assertEquals("wrong_content", wrong.bodyAsJsonObject().getString("error"));
    // past the kind's own limit (music: 32 MiB): refused by the check, nothing stored
    HttpResponse<Buffer> huge = upload(id, new byte[33 * 1024 * 1024]);
    assertEquals(413, huge.statusCode(), huge.bodyAsString());
    // past the largest kind's limit: refused while reading, before the body is held whole
    assertEquals(413, upload(id, new byte[65 * 1024 * 1024]).statusCode());
    // a large body is read only for an operator: a member's is refused before any of it is
    assertEquals(403, m.call(HttpMethod.PUT, "/api/v1/streams/items/" + id + "/media", null).statusCode());
    assertEquals(400, check(h.gateway.send(HttpMethod.PATCH, "/api/v1/streams/items/" + id, TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(new JsonObject().put("status", "DRAFT").encode())), 400).statusCode());
    assertEquals(409, h.gateway.send(HttpMethod.PATCH, "/api/v1/streams/items/" + id, TestGateway.OPERATOR, TestGateway.PASSWORD,
        Buffer.buffer(new JsonObject().put("status", "READY").encode())).statusCode(), "no media, no publishing");
    assertEquals("DRAFT", check(h.gateway.get("/api/v1/streams/items/" + id), 200).bodyAsJsonObject().getString("status"));

    assertEquals(415, h.gateway.post("/api/v1/streams/items", new JsonObject().put("kind", "VIDEO").put("title", "x")
        .put("contentType", "video/x-msvideo")).statusCode());
    assertEquals(400, h.gateway.post("/api/v1/streams/items", new JsonObject().put("kind", "VIDEO").put("title", "")
        .put("contentType", "video/webm")).statusCode());
    assertEquals(403, m.post("/api/v1/streams/items", new JsonObject().put("kind", "MUSIC").put("title", "mine")
        .put("contentType", "audio/wav")).statusCode(), "members do not manage the catalog");

    JsonObject csvItem = check(h.gateway.post("/api/v1/streams/items", new JsonObject().put("kind", "DATABASE")
        .put("title", "Broken table").put("contentType", "text/csv")), 201).bodyAsJsonObject();
    HttpResponse<Buffer> ragged = upload(csvItem.getLong("id"), "a,b\n1,2\n3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(415, ragged.statusCode());
    assertTrue(ragged.bodyAsJsonObject().getString("reason").contains("line 3"));

    byte[] longTune = DemoMedia.music(240);
    assertTrue(longTune.length > dev.mileage.gateway.http.HttpApi.BODY_BYTES_MAX, "larger than other requests may be: " + longTune.length);
    JsonObject ready = check(upload(id, longTune), 200).bodyAsJsonObject();
    assertEquals("READY", ready.getString("status"));
    assertEquals(240, ready.getInteger("durationSeconds"), "read from the WAV header");
    assertEquals(200, m.get("/api/v1/streams/items/" + id).statusCode());
    check(h.gateway.send(HttpMethod.PATCH, "/api/v1/streams/items/" + id, TestGateway.OPERATOR, TestGateway.PASSWORD,
        Buffer.buffer(new JsonObject().put("status", "RETIRED").encode())), 200);
    assertEquals(404, m.get("/api/v1/streams/items/" + id).statusCode(), "retired items leave the catalog");
    m.fund(50);
    assertEquals(404, m.post("/api/v1/streams/sessions", new JsonObject().put("itemId", id)).statusCode());
  }

  @Test
  void softwareIsMeteredByTransferTimeAndEndsWithTheDownload() throws Exception {
    var m = h.new Member("downloader");
    m.fund(100);
    long item = h.demoItem("SOFTWARE");
    JsonObject info = check(m.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject();
    long size = info.getLong("sizeBytes");
    JsonObject s = m.start(item);
    StreamsHarness.Download d = m.open(s.getString("mediaUrl"), null);
    assertEquals(200, d.status());
    assertTrue(d.response.getHeader("Content-Disposition").startsWith("attachment"));
    waitFor(() -> StreamsHarness.quietly(() -> m.control(s.getString("sessionId"), "heartbeat", null).getString("state")
        .equals("PLAYING")), "the transfer starts the meter");
    long rate = StreamsOptions.defaults().softwareBytesPerSecond();
    long seconds = (size + rate - 1) / rate;
    for (int i = 0; i < seconds + 1 && !d.ended.get(); i++) {
      clock.advance(Duration.ofSeconds(1));
      h.tick();
      // what these metered seconds allow must have arrived before the clock moves on: a quiet moment alone is no
      // proof (a loaded machine can stall the 200 ms pump for longer), and the last bytes sent after one more second
      // would stop the meter a second late
      d.settle(Math.min(size, (i + 1) * rate));
    }
    waitFor(d.ended::get, "the whole package arrives");
    assertEquals(size, d.bytes.get());
    // the usage record is written after the ledger's settlement: wait for the record, not only for the ledger
    waitFor(() -> {
      try {
        return m.account().debitsPending() == 0 && check(m.get("/api/v1/streams/my/history"), 200).bodyAsJsonObject()
            .getJsonArray("streams").size() == 1;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the download settles and its record is written");
    assertEquals(seconds, m.account().debitsPosted(), "one point per second of transfer time at 60 a minute");
    JsonObject record = check(m.get("/api/v1/streams/my/history"), 200).bodyAsJsonObject().getJsonArray("streams").getJsonObject(0);
    assertEquals("CALLEE_HANGUP", record.getString("reason"));
    d.close();
  }

  @Test
  void databaseQueriesAreMeteredWhileTheSessionIsOpen() throws Exception {
    var m = h.new Member("researcher");
    m.fund(100);
    JsonObject s = m.start(h.demoItem("DATABASE"));
    String id = s.getString("sessionId");
    assertEquals(409, m.get("/api/v1/streams/sessions/" + id + "/query?q=tea").statusCode(), "not open yet");
    m.control(id, "play", null);
    JsonObject found = check(m.get("/api/v1/streams/sessions/" + id + "/query?q=green%20tea%20seoul"), 200).bodyAsJsonObject();
    assertEquals("sku", found.getJsonArray("columns").getString(0));
    assertTrue(found.getInteger("matches") > 0);
    for (Object row : found.getJsonArray("rows")) {
      JsonArray r = (JsonArray) row;
      assertEquals("green tea", r.getString(1));
      assertEquals("Seoul Mart", r.getString(3));
    }
    assertEquals(400, m.get("/api/v1/streams/sessions/" + id + "/query?q=" + "x".repeat(101)).statusCode());
    assertTrue(!s.containsKey("mediaUrl"), "a database is searched, not downloaded");
    play(m, id, 20);
    m.control(id, "pause", null);
    assertEquals(409, m.get("/api/v1/streams/sessions/" + id + "/query?q=tea").statusCode(), "paused: no queries");
    m.control(id, "play", null);
    play(m, id, 10);
    JsonObject record = m.control(id, "stop", null).getJsonObject("record");
    assertEquals(30, record.getLong("usedSeconds"));
    assertEquals(30, record.getLong("points"));
    assertEquals(410, m.get("/api/v1/streams/sessions/" + id + "/query?q=tea").statusCode(), "closed: no more queries");
    assertNotNull(record.getString("sessionId"));
  }

  @Test
  void aStreamWhosePlayerWentSilentIsPausedAsStalled() throws Exception {
    var m = h.new Member("gone-away");
    m.fund(100);
    JsonObject s = m.start(h.demoItem("MUSIC"));
    String id = s.getString("sessionId");
    m.control(id, "play", null);
    play(m, id, 5);
    clock.advance(StreamsOptions.defaults().stallTimeout().plusSeconds(5)); // no heartbeat, no download
    waitFor(() -> {
      try {
        return m.get("/api/v1/streams/sessions/" + id).bodyAsJsonObject().getString("state").equals("PAUSED");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "the stall pauses the meter");
    JsonObject paused = check(m.get("/api/v1/streams/sessions/" + id), 200).bodyAsJsonObject();
    assertTrue(paused.getBoolean("stalled"));
    JsonObject record = m.control(id, "stop", null).getJsonObject("record");
    // metered until its last sign of life plus what was delivered ahead, not for the stall timeout
    long ahead = StreamsOptions.defaults().leadSeconds();
    assertTrue(record.getLong("usedSeconds") <= 5 + ahead, record.encode());
    assertTrue(record.getLong("usedSeconds") >= 5, record.encode());
  }

  static HttpResponse<Buffer> upload(long id, byte[] data) throws Exception {
    return h.gateway.client.request(HttpMethod.PUT, "/api/v1/streams/items/" + id + "/media")
        .basicAuthentication(TestGateway.OPERATOR, TestGateway.PASSWORD).putHeader("Content-Type", "application/octet-stream")
        .sendBuffer(Buffer.buffer(data)).toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }
}
