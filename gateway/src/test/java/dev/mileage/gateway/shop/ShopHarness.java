package dev.mileage.gateway.shop;

import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real gateway with the members and shop features, a real SMSC fixture, a movable clock and member clients. */
final class ShopHarness implements AutoCloseable {
  static final String PASSWORD = "correct-horse-battery";
  private static final AtomicInteger PHONES = new AtomicInteger(1000);

  final MutableClock clock = new MutableClock(java.time.Instant.now());
  final Smsc smsc;
  final SandboxPaymentProvider payments = new SandboxPaymentProvider();
  final TestGateway gateway;
  final ShopFeature shop;

  ShopHarness(Path dataDir) throws Exception {
    smsc = Smsc.start();
    try {
      MembersOptions options = MembersOptions.defaults().withSmscUri(smsc.uri());
      shop = new ShopFeature(new CrashingProvider(payments));
      List<Feature> features = List.of(new LedgerFeature(), new MembersFeature(options, PasswordHasher.OWASP), shop);
      gateway = new TestGateway(dataDir, features, clock);
    } catch (Exception e) {
      smsc.close();
      throw e;
    }
  }

  int port() {
    return gateway.app.httpPort();
  }

  /** A browser-like client: keeps cookies, sends the CSRF token. */
  final class Member {
    final WebClientSession web = WebClientSession.create(gateway.client);
    final String login;
    final String phone;
    String csrf;
    long id;

    Member(String login) {
      this.login = login;
      this.phone = "+8210" + String.format("%08d", PHONES.incrementAndGet());
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

    HttpResponse<Buffer> signUp() throws Exception {
      return post("/auth/sign-up", new JsonObject().put("loginId", login).put("password", PASSWORD).put("name", "Test " + login)
          .put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester"));
    }

    /** The code from the SMS the SMSC received for this member's phone. */
    String codeFromSmsc() throws Exception {
      var sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow(() -> new AssertionError("no SMS for " + login));
      Matcher m = Pattern.compile("([0-9]{6})").matcher(sms.body());
      if (!m.find()) throw new AssertionError("no code in the SMS");
      return m.group(1);
    }

    HttpResponse<Buffer> signIn(String password) throws Exception {
      HttpResponse<Buffer> r = post("/auth/sign-in", new JsonObject().put("loginId", login).put("password", password));
      if (r.statusCode() == 200) {
        csrf = r.bodyAsJsonObject().getString("csrfToken");
        id = r.bodyAsJsonObject().getLong("memberId");
      }
      return r;
    }

    /** Signed up, verified and signed in. */
    Member ready() throws Exception {
      check(signUp(), 201);
      check(post("/auth/verify-phone", new JsonObject().put("loginId", login).put("code", codeFromSmsc())), 200);
      check(signIn(PASSWORD), 200);
      return this;
    }

    long mileage() throws Exception {
      return balance(dev.mileage.points.ledger.StandardPointTypes.MILEAGE);
    }

    long balance(int pointType) throws Exception {
      var arr = check(get("/api/v1/shop/balances"), 200).bodyAsJsonArray();
      for (Object o : arr) {
        JsonObject b = (JsonObject) o;
        if (b.getInteger("pointType") == pointType) return b.getLong("available");
      }
      return 0;
    }

    HttpResponse<Buffer> buy(String key, JsonObject... items) throws Exception {
      return buy(key, SandboxPaymentProvider.TOKEN_OK, null, items);
    }

    HttpResponse<Buffer> buy(String key, String token, JsonObject points, JsonObject... items) throws Exception {
      var arr = new io.vertx.core.json.JsonArray();
      for (JsonObject i : items) arr.add(i);
      return post("/api/v1/shop/orders", new JsonObject().put("checkoutKey", key).put("items", arr)
          .put("paymentToken", token).put("points", points));
    }
  }

  static JsonObject item(long productId, int quantity, String variant) {
    return new JsonObject().put("productId", productId).put("quantity", quantity).put("variant", variant);
  }

  static HttpResponse<Buffer> check(HttpResponse<Buffer> r, int status) {
    if (r.statusCode() != status) throw new AssertionError("expected " + status + " but got " + r.statusCode() + ": " + r.bodyAsString());
    return r;
  }

  /** A product made by the operator through the back-office API. */
  JsonObject product(String sku, long priceWon, int stock, JsonObject mileage) throws Exception {
    JsonObject p = new JsonObject().put("sku", sku).put("name", "Product " + sku).put("kind", "testing")
        .put("features", "for tests").put("priceWon", priceWon).put("supplier", "Test Supplier")
        .put("mileage", mileage).put("stock", stock);
    return check(gateway.post("/api/v1/shop/admin/products", p), 201).bodyAsJsonObject();
  }

  int stock(long productId) throws Exception {
    return check(gateway.send(HttpMethod.GET, "/catalog/products/" + productId, null, null, null), 200).bodyAsJsonObject().getInteger("stock");
  }

  @Override
  public void close() {
    gateway.close();
    smsc.close();
  }
}
