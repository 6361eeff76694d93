package dev.mileage.gateway.streams;

import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SessionService;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.MeterOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway (ledger, members, metering, streams; embedded PostgreSQL; the SMSC fixture for member
 * sign-up) with the demo catalog generated, stream prices set by the operator API, and members that sign
 * in like a browser (cookie and CSRF token). With a movable clock the meter is ticked by the test.
 */
final class StreamsHarness implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery";
  private static final AtomicInteger PHONES = new AtomicInteger((int) (System.nanoTime() % 1_000_000));

  final Clock clock;
  final Smsc smsc;
  final MeteringFeature metering;
  final StreamsFeature streams;
  final TestGateway gateway;

  StreamsHarness(Path dataDir, Clock clock, boolean autoTick, StreamsOptions options) throws Exception {
    this.clock = clock;
    smsc = Smsc.start();
    try {
      MembersOptions base = MembersOptions.defaults();
      // no sign-up bonus: the tests fund exact balances
      MembersOptions members = new MembersOptions(Duration.ofHours(2), Duration.ofHours(12), 0, base.codeValidity(),
          base.codeResendInterval(), base.codeAttemptsMax(), base.loginFailuresMax(), base.sourceFailuresMax(),
          base.guessWindow(), smsc.uri(), false, base.hashesPerMemberMax(), base.hashesPerSourceMax(), base.hashWindow());
      metering = new MeteringFeature(MeterOptions.defaults().withAutoTick(autoTick));
      streams = new StreamsFeature(metering, options);
      List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(members, new PasswordHasher(8 * 1024, 1, 1)),
          metering, streams);
      gateway = new TestGateway(dataDir, features, clock);
    } catch (Exception e) {
      smsc.close();
      throw e;
    }
    // stream prices at one point a second for video, so the arithmetic in the tests is plain
    price("VIDEO", 60);
    price("MUSIC", 60);
    price("VOICE", 30);
    price("SOFTWARE", 60);
    price("DATABASE", 60);
  }

  void price(String kind, long pointsPerMinute) throws Exception {
    JsonObject rate = new JsonObject().put("label", kind.toLowerCase()).put("pointsPerMinute", pointsPerMinute)
        .put("initialIncrementSeconds", 1).put("subsequentIncrementSeconds", 1);
    check(gateway.send(HttpMethod.PUT, "/api/v1/metering/tariffs/streams/" + kind, TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(rate.encode())), 200);
  }

  /** The operator sets an item's own price; {@code body} a JSON object or raw text. */
  HttpResponse<Buffer> setItemPrice(long item, Object body) throws Exception {
    return gateway.send(HttpMethod.PUT, "/api/v1/streams/items/" + item + "/price", TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(body instanceof JsonObject j ? j.encode() : String.valueOf(body)));
  }

  JsonObject itemPrice(long item, long pointsPerMinute) throws Exception {
    return check(setItemPrice(item, new JsonObject().put("pointsPerMinute", pointsPerMinute)), 200).bodyAsJsonObject();
  }

  JsonObject clearItemPrice(long item) throws Exception {
    return check(gateway.send(HttpMethod.DELETE, "/api/v1/streams/items/" + item + "/price", TestGateway.OPERATOR,
        TestGateway.PASSWORD, null), 200).bodyAsJsonObject();
  }

  int port() {
    return gateway.app.httpPort();
  }

  Ledger ledger() {
    return gateway.app.context().ledger();
  }

  /** Runs the meter's due timers (a movable clock has no ticker). */
  void tick() throws Exception {
    await(metering.requireMeter().tick());
  }

  /**
   * Moves metered time on in steps below the stall timeout, the player's heartbeat in between (a movable
   * clock only). The first tick lets a resume's fresh reservation be confirmed before time moves.
   */
  void play(Member m, String sessionId, int seconds) throws Exception {
    dev.mileage.gateway.MutableClock movable = (dev.mileage.gateway.MutableClock) clock;
    tick();
    for (int left = seconds; left > 0; left -= 5) {
      movable.advance(Duration.ofSeconds(Math.min(5, left)));
      tick();
      m.post("/api/v1/streams/sessions/" + sessionId + "/heartbeat", null);
    }
  }

  /** The demo items, once all five are generated: kind name to item id. */
  JsonArray awaitDemoCatalog() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      JsonArray items = check(gateway.get("/api/v1/streams/items"), 200).bodyAsJsonObject().getJsonArray("items");
      long ready = items.stream().map(o -> (JsonObject) o).filter(i -> i.getString("status").equals("READY")).count();
      if (ready >= DemoCatalog.SPECS.size()) return items;
      if (System.nanoTime() > deadline) throw new AssertionError("the demo catalog was not generated: " + items.encode());
      Thread.sleep(200);
    }
  }

  long demoItem(String kind) throws Exception {
    for (Object o : awaitDemoCatalog()) {
      JsonObject i = (JsonObject) o;
      if (i.getString("kind").equals(kind) && i.getString("title").equals(DemoCatalog.SPECS.stream()
          .filter(s -> s.kind().name().equals(kind)).findFirst().orElseThrow().title())) {
        return i.getLong("id");
      }
    }
    throw new AssertionError("no demo " + kind);
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) throw new AssertionError("expected " + status + ", got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  /** A member signed in like a browser: session cookie and CSRF token. */
  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone;
    String csrf;
    String cookie;
    long id;

    Member(String login) throws Exception {
      this.login = login;
      this.phone = "+8210" + String.format("%08d", PHONES.incrementAndGet());
      check(post("/auth/sign-up", new JsonObject().put("loginId", login).put("password", PASSWORD).put("name", "Test " + login)
          .put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester")), 201);
      var sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow(() -> new AssertionError("no SMS"));
      Matcher m = Pattern.compile("([0-9]{6})").matcher(sms.body());
      if (!m.find()) throw new AssertionError("no code in the SMS");
      check(post("/auth/verify-phone", new JsonObject().put("loginId", login).put("code", m.group(1))), 200);
      HttpResponse<Buffer> in = check(post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", PASSWORD)), 200);
      csrf = in.bodyAsJsonObject().getString("csrfToken");
      id = in.bodyAsJsonObject().getLong("memberId");
      for (String c : in.cookies()) {
        if (c.startsWith(SessionService.COOKIE + "=")) cookie = c.substring(SessionService.COOKIE.length() + 1).split(";")[0];
      }
    }

    String owner() {
      return "member:" + id;
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
      var req = web.request(method, path);
      if (csrf != null) req.putHeader("X-CSRF-Token", csrf);
      var f = body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
      return call(HttpMethod.POST, path, body);
    }

    HttpResponse<Buffer> get(String path) throws Exception {
      return call(HttpMethod.GET, path, null);
    }

    /** Credits exactly {@code points} mileage from the operator's issuance account. */
    Account fund(long points) throws Exception {
      Account issuer = await(ledger().openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
      Account a = await(ledger().openAccount(owner(), StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      if (points > 0 && !await(ledger().submit(Transfer.single(Transfer.idOf("test-fund:" + owner() + ":" + points), issuer.id(),
          a.id(), points, TransferCodes.OPERATOR_ADJUSTMENT, "test"))).applied()) {
        throw new AssertionError("funding failed");
      }
      return a;
    }

    Account account() throws Exception {
      return await(ledger().accountOf(owner(), StandardPointTypes.MILEAGE)).orElseThrow();
    }

    JsonObject start(long itemId) throws Exception {
      return check(post("/api/v1/streams/sessions", new JsonObject().put("itemId", itemId)), 201).bodyAsJsonObject();
    }

    JsonObject control(String sessionId, String action, JsonObject body) throws Exception {
      return check(post("/api/v1/streams/sessions/" + sessionId + "/" + action, body), 200).bodyAsJsonObject();
    }

    /** Opens the media link like a player (raw HTTP, the member's cookie) and counts the bytes as they come. */
    Download open(String mediaUrl, String range) throws Exception {
      return Download.open(gateway.clientVertx.createHttpClient(), port(), mediaUrl, cookie, range);
    }
  }

  /** A paced media response being read. */
  static final class Download {
    final HttpClient http;
    final AtomicLong bytes = new AtomicLong();
    final AtomicBoolean ended = new AtomicBoolean();
    final AtomicBoolean broken = new AtomicBoolean();
    volatile HttpClientResponse response;

    private Download(HttpClient http) {
      this.http = http;
    }

    static Download open(HttpClient http, int port, String path, String cookie, String range) throws Exception {
      Download d = new Download(http);
      d.response = http.request(HttpMethod.GET, port, "127.0.0.1", path).compose(req -> {
        if (cookie != null) req.putHeader("Cookie", SessionService.COOKIE + "=" + cookie);
        if (range != null) req.putHeader("Range", range);
        return req.send();
      }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      d.response.handler(b -> d.bytes.addAndGet(b.length()));
      d.response.endHandler(v -> d.ended.set(true));
      d.response.exceptionHandler(e -> d.broken.set(true));
      return d;
    }

    int status() {
      return response.statusCode();
    }

    /**
     * Waits (bounded) until at least {@code expected} bytes have come, then until the count stops changing: a
     * quiet moment alone is no proof that the delivery is done when a loaded machine stalls the pump for longer.
     */
    long settle(long expected) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (bytes.get() < expected && System.nanoTime() < deadline) Thread.sleep(20);
      return settle();
    }

    /** Waits until the byte count stops changing for a moment (the pacing holds the rest back). */
    long settle() throws InterruptedException {
      long last = -1;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < deadline) {
        long now = bytes.get();
        if (now == last) return now;
        last = now;
        Thread.sleep(600); // three pump intervals: the pump tops up every 200 ms
      }
      throw new AssertionError("the delivery never settled");
    }

    void close() {
      http.close();
    }
  }

  static boolean quietly(java.util.concurrent.Callable<Boolean> probe) {
    try {
      return probe.call();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    gateway.close();
    smsc.close();
  }
}
