package dev.mileage.gateway.metering;

import dev.mileage.gateway.Features;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.Authorization;
import dev.mileage.points.metering.AuthorizeResult;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.SessionListener;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The metering API and the live stream over real HTTP on a real gateway (embedded PostgreSQL, real ledger). */
class MeteringGatewayTest {
  @TempDir
  static Path dataDir;
  static TestGateway gateway;
  static MeteringFeature metering = new MeteringFeature();
  static MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));

  @BeforeAll
  static void start() throws Exception {
    List<dev.mileage.gateway.Feature> features = new ArrayList<>(Features.all(metering, null));
    features.add(new TestMemberFeature());
    gateway = new TestGateway(dataDir, features, clock);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  static HttpResponse<Buffer> member(HttpMethod method, String path, String id) throws Exception {
    return gateway.client.request(method, path).putHeader(TestMemberFeature.HEADER, id).send()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> put(String path, JsonObject body) throws Exception {
    return gateway.send(HttpMethod.PUT, path, TestGateway.OPERATOR, TestGateway.PASSWORD, Buffer.buffer(body.encode()));
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static JsonObject rate(long ppm, int initial, int subsequent) {
    return new JsonObject().put("label", "test").put("pointsPerMinute", ppm).put("initialIncrementSeconds", initial)
        .put("subsequentIncrementSeconds", subsequent);
  }

  static Account fund(String owner, long points) throws Exception {
    Ledger ledger = gateway.app.context().ledger();
    Account issuer = await(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
    Account a = await(ledger.openAccount(owner, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    assertTrue(await(ledger.submit(Transfer.single(Transfer.idOf("test:" + owner), issuer.id(), a.id(), points,
        TransferCodes.OPERATOR_ADJUSTMENT, "test"))).applied());
    return a;
  }

  @Test
  void operatorsManageTariffsAndBadInputChangesNothing() throws Exception {
    assertEquals(200, put("/api/v1/metering/tariffs/calls/8250", rate(10, 60, 6)).statusCode());
    assertEquals(200, put("/api/v1/metering/tariffs/calls/82506", new JsonObject().put("blocked", true)
        .put("label", "premium")).statusCode());
    assertEquals(200, put("/api/v1/metering/tariffs/streams/MUSIC", rate(5, 1, 1)).statusCode());
    JsonObject book = gateway.get("/api/v1/metering/tariffs").bodyAsJsonObject();
    long version = book.getLong("version");
    assertTrue(book.getJsonArray("callRates").stream().anyMatch(o -> ((JsonObject) o).getString("prefix").equals("8250")));

    for (JsonObject bad : List.of(rate(-1, 60, 6), rate(10, 0, 6), new JsonObject().put("label", "x"),
        rate(10, 60, 6).put("surprise", 1), rate(10, 60, 6).put("pointTypes", new JsonArray()))) {
      HttpResponse<Buffer> r = put("/api/v1/metering/tariffs/calls/8251", bad);
      assertEquals(400, r.statusCode(), bad.encode() + " -> " + r.bodyAsString());
      assertTrue(r.bodyAsJsonObject().containsKey("reason"));
    }
    assertEquals(400, put("/api/v1/metering/tariffs/calls/+8251", rate(10, 60, 6)).statusCode());
    assertEquals(400, put("/api/v1/metering/tariffs/streams/PODCAST", rate(10, 60, 6)).statusCode());
    assertEquals(version, gateway.get("/api/v1/metering/tariffs").bodyAsJsonObject().getLong("version"),
        "nothing changed");
    assertEquals(404, gateway.send(HttpMethod.DELETE, "/api/v1/metering/tariffs/calls/8259", TestGateway.OPERATOR,
        TestGateway.PASSWORD, null).statusCode());

    HttpResponse<Buffer> previewResponse = member(HttpMethod.GET, "/api/v1/metering/rate?number=%2B825012345", "7");
    assertEquals(200, previewResponse.statusCode(), previewResponse.bodyAsString());
    JsonObject preview = previewResponse.bodyAsJsonObject();
    assertEquals("RATED", preview.getString("result"));
    assertEquals("8250", preview.getString("matched"));
    assertEquals("BLOCKED", member(HttpMethod.GET, "/api/v1/metering/rate?number=%2B8250612345", "7")
        .bodyAsJsonObject().getString("result"));

    assertEquals(403, member(HttpMethod.GET, "/api/v1/metering/tariffs", "7").statusCode(), "members cannot");
    assertEquals(401, gateway.client.request(HttpMethod.GET, "/api/v1/metering/tariffs").send().toCompletionStage()
        .toCompletableFuture().get(30, TimeUnit.SECONDS).statusCode());
    assertEquals(403, gateway.get("/api/v1/metering/my/usage").statusCode(), "operators have no own usage");
  }

  @Test
  void membersWatchTheirOwnBalanceLiveUntilTheEndAndReadTheirOwnRecords() throws Exception {
    assertEquals(200, put("/api/v1/metering/tariffs/calls/8201", rate(60, 1, 1)).statusCode());
    fund("member:42", 30);
    Meter meter = await(metering.ready().toCompletionStage());
    Authorization call = await(meter.authorize(AuthorizeRequest.call("member:42", "+820112345", "sip-call-1"),
        SessionListener.NONE));
    assertEquals(AuthorizeResult.OK, call.result());

    HttpClient http = gateway.clientVertx.createHttpClient();
    List<String> mine = new CopyOnWriteArrayList<>();
    List<String> theirs = new CopyOnWriteArrayList<>();
    open(http, "42", mine);
    open(http, "43", theirs);
    await(meter.start(call.sessionId()));
    clock.advance(Duration.ofSeconds(10));
    String tenSeconds = waitFor(mine, e -> e.startsWith("event: balance") && e.contains("\"usedSeconds\":10"));
    JsonObject live = data(tenSeconds);
    assertEquals(20, live.getLong("remainingPoints"));
    assertEquals(20, live.getLong("remainingSeconds"));
    assertEquals(call.sessionId().toString(), live.getString("sessionId"));

    clock.advance(Duration.ofSeconds(15)); // 25 s: the final grant (30 s) is in use
    waitFor(mine, e -> e.startsWith("event: final-unit"));
    clock.advance(Duration.ofSeconds(5)); // 30 s: exhausted
    JsonObject ended = data(waitFor(mine, e -> e.startsWith("event: ended")));
    assertEquals("BALANCE_EXHAUSTED", ended.getString("reason"));
    assertEquals(30, ended.getLong("points"));
    assertTrue(theirs.stream().noneMatch(e -> e.contains(call.sessionId().toString())), "another member sees nothing");

    JsonArray records = member(HttpMethod.GET, "/api/v1/metering/my/usage", "42").bodyAsJsonObject()
        .getJsonArray("records");
    assertEquals(1, records.size());
    assertEquals("+820112345", records.getJsonObject(0).getString("destination"));
    assertEquals(30, records.getJsonObject(0).getLong("points"));
    assertEquals(0, member(HttpMethod.GET, "/api/v1/metering/my/usage", "43").bodyAsJsonObject()
        .getJsonArray("records").size());
    JsonArray forOperator = gateway.get("/api/v1/metering/usage?owner=member:42").bodyAsJsonObject()
        .getJsonArray("records");
    assertEquals(1, forOperator.size());
    assertEquals(400, gateway.get("/api/v1/metering/usage?limit=0").statusCode());
    assertEquals(0, await(gateway.app.context().ledger().accountOf("member:42", StandardPointTypes.MILEAGE))
        .orElseThrow().available());
    http.close();
  }

  @Test
  void aMemberCannotOpenUnboundedStreams() throws Exception {
    HttpClient http = gateway.clientVertx.createHttpClient();
    List<Integer> statuses = new CopyOnWriteArrayList<>();
    for (int i = 0; i < LiveStream.STREAMS_PER_MEMBER_MAX + 1; i++) {
      HttpClientResponse r = http.request(HttpMethod.GET, gateway.app.httpPort(), "127.0.0.1", "/api/v1/metering/my/live")
          .compose(req -> req.putHeader(TestMemberFeature.HEADER, "77").send())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      statuses.add(r.statusCode());
    }
    assertEquals(LiveStream.STREAMS_PER_MEMBER_MAX, statuses.stream().filter(s -> s == 200).count());
    assertEquals(429, statuses.get(statuses.size() - 1));
    http.close();
  }

  static void open(HttpClient http, String memberId, List<String> events) throws Exception {
    StringBuilder pending = new StringBuilder();
    // the chunk handler is set inside send()'s composition, so no event can arrive before it (vert.x #4705)
    HttpClientResponse r = http.request(HttpMethod.GET, gateway.app.httpPort(), "127.0.0.1", "/api/v1/metering/my/live")
        .compose(req -> req.putHeader(TestMemberFeature.HEADER, memberId).send().map(resp -> resp.handler(chunk -> {
          synchronized (pending) {
            pending.append(chunk.toString());
            int end;
            while ((end = pending.indexOf("\n\n")) >= 0) {
              events.add(pending.substring(0, end));
              pending.delete(0, end + 2);
            }
          }
        })))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("text/event-stream"));
  }

  static String waitFor(List<String> events, Predicate<String> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (String e : events) if (match.test(e)) return e;
      Thread.sleep(20);
    }
    fail("no such event among " + events);
    return null;
  }

  static JsonObject data(String event) {
    for (String line : event.split("\n")) if (line.startsWith("data: ")) return new JsonObject(line.substring(6));
    throw new AssertionError("no data in " + event);
  }
}
