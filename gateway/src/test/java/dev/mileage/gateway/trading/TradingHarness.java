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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real gateway with members (real SMSC fixture for the verification codes) and trading, plus clients for
 * members (session + CSRF), operators (Basic) and partner shops (HMAC-signed requests on the gateway's clock).
 */
final class TradingHarness implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery";
  static final int MILEAGE = StandardPointTypes.MILEAGE;
  static final int CYBER = StandardPointTypes.CYBER_MONEY;
  static final long BONUS = 3_000;
  /** Phone numbers unique across the test classes of one run (each class has its own database anyway). */
  private static final AtomicInteger PHONES = new AtomicInteger((int) (ProcessHandle.current().pid() % 1000) * 10_000);

  final Smsc smsc;
  final TestGateway gateway;
  final TradingFeature trading;
  final MutableClock clock;

  TradingHarness(Path dataDir, TradingSettings settings, MutableClock clock) throws Exception {
    this.clock = clock;
    smsc = Smsc.start();
    MembersOptions options = MembersOptions.defaults().withSmscUri(smsc.uri());
    trading = new TradingFeature(settings);
    List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(options, PasswordHasher.OWASP), trading);
    TestGateway g;
    try {
      g = new TestGateway(dataDir, features, clock);
    } catch (Exception e) {
      smsc.close();
      throw e;
    }
    gateway = g;
  }

  TradingHarness(Path dataDir) throws Exception {
    this(dataDir, TradingSettings.fromEnvironment().withRateFeed(null), new MutableClock(Instant.now()));
  }

  @Override
  public void close() {
    gateway.close();
    smsc.close();
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int... statuses) {
    for (int s : statuses) if (r.statusCode() == s) return r;
    throw new AssertionError("expected " + java.util.Arrays.toString(statuses) + " but got " + r.statusCode() + ": " + r.bodyAsString());
  }

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  HttpResponse<Buffer> operator(HttpMethod method, String path, JsonObject body) throws Exception {
    return gateway.send(method, path, TestGateway.OPERATOR, TestGateway.PASSWORD, body == null ? null : Buffer.buffer(body.encode()));
  }

  Member member(String name) throws Exception {
    return new Member(name);
  }

  /** The same member on this gateway (after a restart). */
  Member again(Member before) throws Exception {
    return new Member(before.login, before.phone, before.id);
  }

  /** Points of {@code type} from the operator's issuance account, through the operator ledger API. */
  void fund(Member m, int type, long amount) throws Exception {
    long issuer = check(gateway.post("/api/v1/ledger/accounts", new JsonObject().put("owner", "operator")
        .put("pointType", type)), 200, 201).bodyAsJsonObject().getLong("id");
    long account = check(gateway.post("/api/v1/ledger/accounts", new JsonObject().put("owner", "member:" + m.id)
        .put("pointType", type).put("flags", new JsonArray().add("DEBITS_MUST_NOT_EXCEED_CREDITS"))), 200, 201)
        .bodyAsJsonObject().getLong("id");
    check(gateway.post("/api/v1/ledger/transfers", new JsonObject().put("transfers", new JsonArray().add(new JsonObject()
        .put("key", "test:fund:" + type + ":" + m.id + ":" + UUID.randomUUID()).put("debitAccountId", issuer)
        .put("creditAccountId", account).put("amount", amount)))), 200);
  }

  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone;
    String csrf;
    long id;

    /** An existing member (signed up on an earlier gateway on the same data), signed in here. */
    Member(String login, String phone, long id) throws Exception {
      this.login = login;
      this.phone = phone;
      this.id = id;
      signIn();
    }

    Member(String name) throws Exception {
      this.phone = "+8210" + String.format("%08d", PHONES.incrementAndGet());
      this.login = name + PHONES.get();
      check(post("/auth/sign-up", new JsonObject().put("loginId", login).put("password", PASSWORD)
          .put("name", "Test").put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester")), 201);
      var sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow();
      Matcher m = Pattern.compile("([0-9]{6})").matcher(sms.body());
      assertTrue(m.find());
      check(post("/auth/verify-phone", new JsonObject().put("loginId", login).put("code", m.group(1))), 200);
      JsonObject signIn = check(post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", PASSWORD)), 200)
          .bodyAsJsonObject();
      csrf = signIn.getString("csrfToken");
      id = signIn.getLong("memberId");
    }

    /** A new session (the old one may have outlived its lifetime on an advanced clock). */
    void signIn() throws Exception {
      csrf = null;
      csrf = check(post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", PASSWORD)), 200)
          .bodyAsJsonObject().getString("csrfToken");
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

  Partner partner(String name, String code, long cashMicrosPerUnit, String webhookUrl) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("code", code).put("cashMicrosPerUnit", cashMicrosPerUnit);
    if (webhookUrl != null) body.put("webhookUrl", webhookUrl);
    JsonObject p = check(operator(HttpMethod.POST, "/api/v1/trading/admin/partners", body), 201).bodyAsJsonObject();
    return new Partner(p.getLong("id"), p.getInteger("pointType"), p.getString("apiKey"), p.getString("secret"));
  }

  /** A partner shop's client: every request signed like a real shop would, on the gateway's clock. */
  final class Partner {
    final long id;
    final int pointType;
    final String apiKey;
    final String secret;

    Partner(long id, int pointType, String apiKey, String secret) {
      this.id = id;
      this.pointType = pointType;
      this.apiKey = apiKey;
      this.secret = secret;
    }

    HttpResponse<Buffer> send(HttpMethod method, String path, JsonObject body) throws Exception {
      return send(method, path, body == null ? new byte[0] : body.encode().getBytes(StandardCharsets.UTF_8),
          clock.instant().getEpochSecond(), UUID.randomUUID().toString().replace("-", ""), null);
    }

    /** Sends with explicit parts, so tests can replay, tamper or skew; {@code sentBody} null sends what was signed. */
    HttpResponse<Buffer> send(HttpMethod method, String path, byte[] signedBody, long timestamp, String nonce, byte[] sentBody)
        throws Exception {
      var req = gateway.client.request(method, path)
          .putHeader(PartnerSignature.KEY, apiKey)
          .putHeader(PartnerSignature.TIMESTAMP, Long.toString(timestamp))
          .putHeader(PartnerSignature.NONCE, nonce)
          .putHeader(PartnerSignature.CONTENT_SHA256, PartnerSignature.sha256Hex(signedBody))
          .putHeader(PartnerSignature.SIGNATURE, PartnerSignature.request(secret, method.name(), path, timestamp, nonce, signedBody));
      byte[] body = sentBody != null ? sentBody : signedBody;
      var f = method == HttpMethod.GET ? req.send()
          : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body));
      return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    HttpResponse<Buffer> issue(String key, String phone, long amount) throws Exception {
      return send(HttpMethod.POST, "/api/v1/trading/partner/issuances", new JsonObject().put("issuanceKey", key)
          .put("phone", phone).put("amount", amount));
    }

    HttpResponse<Buffer> portfolio(String phone, long balance, long version) throws Exception {
      return send(HttpMethod.POST, "/api/v1/trading/partner/portfolios", new JsonObject().put("phone", phone)
          .put("balance", balance).put("version", version));
    }

    JsonArray events() throws Exception {
      return check(send(HttpMethod.GET, "/api/v1/trading/partner/events?after=0&limit=200", null), 200)
          .bodyAsJsonObject().getJsonArray("events");
    }
  }
}
