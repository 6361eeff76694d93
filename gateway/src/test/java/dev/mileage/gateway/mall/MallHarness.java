package dev.mileage.gateway.mall;

import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.points.ledger.Account;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real gateway (ledger, members, mall) on embedded PostgreSQL, the SMSC fixture for members' verification
 * codes, the sandbox card provider, a movable clock; browser-like member clients and vendor clients that
 * present their key.
 */
final class MallHarness implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery";
  private static final AtomicInteger PHONES = new AtomicInteger(7000);

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-20T10:00:00Z"));
  final Smsc smsc;
  final SandboxPaymentProvider payments = new SandboxPaymentProvider();
  final TestGateway gateway;

  MallHarness(Path dataDir) throws Exception {
    this(dataDir, new MallOptions(300, 200, 50, Duration.ofMillis(100)));
  }

  MallHarness(Path dataDir, MallOptions options) throws Exception {
    smsc = Smsc.start();
    try {
      MembersOptions members = MembersOptions.defaults().withSmscUri(smsc.uri());
      List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(members, new PasswordHasher(8 * 1024, 1, 1)),
          new MallFeature(options, payments, false));
      gateway = new TestGateway(dataDir, features, clock);
    } catch (Exception e) {
      smsc.close();
      throw e;
    }
  }

  int port() {
    return gateway.app.httpPort();
  }

  static String key() {
    return UUID.randomUUID().toString();
  }

  /** A browser-like member: keeps cookies, sends the CSRF token. */
  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone = "+8210" + String.format("%08d", PHONES.incrementAndGet());
    String csrf;
    long id;

    Member(String login) {
      this.login = login;
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
      var req = web.request(method, path);
      if (csrf != null) req.putHeader("X-CSRF-Token", csrf);
      var f = body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
      return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
      return call(HttpMethod.POST, path, body);
    }

    HttpResponse<Buffer> get(String path) throws Exception {
      return call(HttpMethod.GET, path, null);
    }

    Member ready() throws Exception {
      check(post("/auth/sign-up", new JsonObject().put("loginId", login).put("password", PASSWORD).put("name", "Tester " + login)
          .put("phone", phone).put("address", "1 Test-ro, Seoul")), 201);
      var sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow(() -> new AssertionError("no SMS for " + login));
      Matcher m = Pattern.compile("([0-9]{6})").matcher(sms.body());
      if (!m.find()) throw new AssertionError("no code in the SMS");
      check(post("/auth/verify-phone", new JsonObject().put("loginId", login).put("code", m.group(1))), 200);
      return signIn();
    }

    /** Signs in (again: a session ends when the clock is moved past its lifetime). */
    Member signIn() throws Exception {
      HttpResponse<Buffer> r = check(post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", PASSWORD)), 200);
      csrf = r.bodyAsJsonObject().getString("csrfToken");
      id = r.bodyAsJsonObject().getLong("memberId");
      return this;
    }

    void register(long vendorId) throws Exception {
      HttpResponse<Buffer> r = post("/api/v1/mall/vendors/" + vendorId + "/registrations", new JsonObject());
      if (r.statusCode() != 201 && r.statusCode() != 200) throw new AssertionError(r.bodyAsString());
    }

    HttpResponse<Buffer> spend(long atVendor, String sku, long tokenVendor, String key) throws Exception {
      return post("/api/v1/mall/vendors/" + atVendor + "/purchases", new JsonObject().put("sku", sku)
          .put("tokenVendorId", tokenVendor).put("requestKey", key));
    }

    HttpResponse<Buffer> exchange(long from, long to, long tokens, String key) throws Exception {
      return post("/api/v1/mall/exchanges", new JsonObject().put("fromVendorId", from).put("toVendorId", to)
          .put("tokens", tokens).put("requestKey", key));
    }

    HttpResponse<Buffer> bid(long auction, long amount, String key) throws Exception {
      return post("/api/v1/mall/auctions/" + auction + "/bids", new JsonObject().put("amount", amount).put("bidKey", key));
    }

    /** Available tokens of a vendor in this member's wallet. */
    long tokens(long vendorId) throws Exception {
      for (Object o : check(get("/api/v1/mall/wallet"), 200).bodyAsJsonArray()) {
        JsonObject w = (JsonObject) o;
        if (w.getLong("vendorId") == vendorId) return w.getLong("available");
      }
      return 0;
    }
  }

  /** A vendor: applied by {@code applicant}, approved by the operator unless told not to. */
  final class VendorClient {
    final long id;
    final String apiKey;
    final int pointType;

    VendorClient(long id, String apiKey, int pointType) {
      this.id = id;
      this.apiKey = apiKey;
      this.pointType = pointType;
    }

    HttpResponse<Buffer> call(HttpMethod method, String path, JsonObject body) throws Exception {
      return send(apiKey, method, path, body);
    }

    HttpResponse<Buffer> post(String path, JsonObject body) throws Exception {
      return call(HttpMethod.POST, path, body);
    }

    void product(String sku, long priceTokens) throws Exception {
      check(call(HttpMethod.PUT, "/api/v1/mall/vendor/products/" + sku, new JsonObject().put("name", "Product " + sku)
          .put("priceTokens", priceTokens)), 200);
    }

    void accept(VendorClient other) throws Exception {
      check(call(HttpMethod.PUT, "/api/v1/mall/vendor/acceptances/" + other.id, new JsonObject().put("accept", true)), 200);
    }

    HttpResponse<Buffer> buyTokens(long tokens, String key) throws Exception {
      return post("/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", tokens).put("requestKey", key)
          .put("cardToken", SandboxPaymentProvider.TOKEN_OK));
    }

    HttpResponse<Buffer> allot(long memberId, long tokens, String reason, String key) throws Exception {
      return post("/api/v1/mall/vendor/allotments", new JsonObject().put("memberId", memberId).put("tokens", tokens)
          .put("reason", reason).put("requestKey", key));
    }

    JsonObject report() throws Exception {
      return check(call(HttpMethod.GET, "/api/v1/mall/vendor/report", null), 200).bodyAsJsonObject();
    }
  }

  HttpResponse<Buffer> send(String apiKey, HttpMethod method, String path, JsonObject body) throws Exception {
    var req = gateway.client.request(method, path).putHeader("X-Vendor-Key", apiKey);
    var f = body == null ? req.send() : req.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()));
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** Applies as {@code applicant}; answers {id, apiKey, ...} of the PENDING vendor. */
  JsonObject apply(Member applicant, String name, String kind, String code, long rateWon, JsonArray allowed) throws Exception {
    JsonObject body = new JsonObject().put("name", name).put("kind", kind).put("tokenCode", code).put("rateWon", rateWon);
    if (allowed != null) body.put("allowedProducts", allowed);
    return check(applicant.post("/api/v1/mall/vendor-applications", body), 201).bodyAsJsonObject();
  }

  VendorClient approve(JsonObject applied) throws Exception {
    JsonObject v = check(gateway.post("/api/v1/mall/admin/vendors/" + applied.getLong("id") + "/approve", new JsonObject()), 200)
        .bodyAsJsonObject();
    return new VendorClient(v.getLong("id"), applied.getString("apiKey"), v.getInteger("pointType"));
  }

  VendorClient vendor(Member applicant, String name, long rateWon) throws Exception {
    return approve(apply(applicant, name, "SHOP", name.toUpperCase().replaceAll("[^A-Z0-9]", ""), rateWon, null));
  }

  JsonObject operatorReport() throws Exception {
    return check(gateway.get("/api/v1/mall/admin/report"), 200).bodyAsJsonObject();
  }

  /** An account straight from the ledger (not through the mall's routes). */
  Optional<Account> account(String owner, int pointType) throws Exception {
    return gateway.app.context().ledger().accountOf(owner, pointType).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) throw new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  @Override
  public void close() {
    gateway.close();
    smsc.close();
  }
}
