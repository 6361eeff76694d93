package dev.mileage.gateway.http;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-address limits behind a reverse proxy, on a real gateway that trusts 127.0.0.1 as its proxy: the limit is the
 * sign-in budget per source address (3 here). A client connecting from 127.0.0.2 (not trusted) is limited as
 * 127.0.0.2 whatever X-Forwarded-For it sends; requests through the proxy are limited per forwarded client; a
 * malformed header from the proxy counts against the proxy's own address and never fails the request.
 */
class TrustedProxyLimitsTest {
  static final int SIGN_INS = 3;
  static final Duration WINDOW = Duration.ofMinutes(15);

  @TempDir
  static Path dir;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  static TestGateway gateway;
  static final Vertx clients = Vertx.vertx();
  /** Connects from 127.0.0.1, the trusted proxy. */
  static WebClient proxy;
  /** Connects from 127.0.0.2: a client reaching the gateway directly, not a proxy. */
  static WebClient direct;

  @BeforeAll
  static void start() throws Exception {
    MembersOptions members = MembersOptions.defaults().withHashLimits(MembersOptions.HASHES_PER_MEMBER_DEFAULT, SIGN_INS, WINDOW);
    gateway = new TestGateway(TestGateway.config(dir).withTrustedProxies(TrustedProxies.parse("127.0.0.1")),
        List.of(new LedgerFeature(), new MembersFeature(members, new PasswordHasher(8 * 1024, 1, 1))), clock);
    int port = gateway.app.httpPort();
    proxy = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setLocalAddress("127.0.0.1"));
    direct = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setLocalAddress("127.0.0.2"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    clients.close();
  }

  @BeforeEach
  void freshWindow() {
    clock.advance(WINDOW.plusSeconds(1));
  }

  /**
   * A sign-in with a wrong password for a login nobody has (a new one each time, so no login's own lock-out
   * interferes): 401 while the source's budget lasts, then 429 from that budget.
   */
  static int signIn(WebClient client, String... forwardedFor) throws Exception {
    var request = client.post("/auth/sign-in").putHeader("Content-Type", "application/json");
    for (String f : forwardedFor) request.headers().add(ClientAddress.FORWARDED_FOR, f);
    HttpResponse<Buffer> r = request.sendBuffer(Buffer.buffer(new JsonObject().put("loginId", "nobody" + LOGINS.incrementAndGet())
        .put("password", "not-the-password").encode())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    boolean budget = r.statusCode() == 429 && "too_many_hashing_requests".equals(r.bodyAsJsonObject().getString("error"));
    if (r.statusCode() != 401 && !budget) throw new AssertionError(r.statusCode() + ": " + r.bodyAsString());
    return r.statusCode();
  }

  static final java.util.concurrent.atomic.AtomicInteger LOGINS = new java.util.concurrent.atomic.AtomicInteger(100);

  @Test
  void aClientThatIsNoTrustedProxyIsLimitedByItsOwnAddressWhateverItForwards() throws Exception {
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(direct, "203.0.113." + i), "sign-in " + i);
    assertEquals(429, signIn(direct, "203.0.113.99"), "a new X-Forwarded-For from 127.0.0.2 is not a new client");
    assertEquals(429, signIn(direct));
    // and its spoofs charged nobody else: 203.0.113.1 through the real proxy has its whole budget
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, "203.0.113.1"), "through the proxy " + i);
  }

  @Test
  void throughTheTrustedProxyEachForwardedClientHasItsOwnBudget() throws Exception {
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, "198.51.100.1"), "sign-in " + i);
    assertEquals(429, signIn(proxy, "198.51.100.1"));
    assertEquals(401, signIn(proxy, "198.51.100.2"), "another client behind the same proxy");
    // what the client wrote left of the address the proxy saw is not believed
    assertEquals(429, signIn(proxy, "6.6.6.6, 198.51.100.1"));
    // a chain through two trusted proxies (127.0.0.1 again), in one header or in two
    assertEquals(429, signIn(proxy, "198.51.100.1, 127.0.0.1"));
    assertEquals(429, signIn(proxy, "198.51.100.1", "127.0.0.1"));
    // the proxy's own requests (no header) are its own
    assertEquals(401, signIn(proxy));
    // reaching the gateway directly it is the peer 127.0.0.2, whose budget its forwarded address does not touch
    assertEquals(401, signIn(direct, "198.51.100.1"));
  }

  @Test
  void aForwardedHeaderIsNeverReadWhenTheProxiesWriteXForwardedFor() throws Exception {
    // a proxy that appends X-Forwarded-For passes the client's own Forwarded header on unchanged
    for (int i = 1; i <= SIGN_INS; i++) {
      assertEquals(401, signInWith(proxy, "198.51.100.60", "for=203.0.113." + (60 + i)), "sign-in " + i);
    }
    assertEquals(429, signInWith(proxy, "198.51.100.60", "for=203.0.113.99"), "a new Forwarded is not a new client");
    assertEquals(401, signInWith(proxy, null, "for=198.51.100.61"), "Forwarded alone: the proxy's own request");
    assertEquals(401, signIn(proxy, "198.51.100.61"), "198.51.100.61 was charged nothing");
  }

  static int signInWith(WebClient client, String forwardedFor, String forwarded) throws Exception {
    var request = client.post("/auth/sign-in").putHeader("Content-Type", "application/json")
        .putHeader(ClientAddress.FORWARDED, forwarded);
    if (forwardedFor != null) request.putHeader(ClientAddress.FORWARDED_FOR, forwardedFor);
    HttpResponse<Buffer> r = request.sendBuffer(Buffer.buffer(new JsonObject().put("loginId", "nobody" + LOGINS.incrementAndGet())
        .put("password", "not-the-password").encode())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (r.statusCode() != 401 && r.statusCode() != 429) throw new AssertionError(r.statusCode() + ": " + r.bodyAsString());
    return r.statusCode();
  }

  @Test
  void aMalformedHeaderFromTheTrustedProxyCountsAgainstTheProxyAndFailsNothing() throws Exception {
    assertEquals(401, signIn(proxy, "not-an-address"));
    assertEquals(401, signIn(proxy, "198.51.100.77, garbage"));
    assertEquals(401, signIn(proxy, ""));
    // the proxy's address (127.0.0.1) spent its budget on them
    assertEquals(429, signIn(proxy, "198.51.100.78:443"));
    assertEquals(429, signIn(proxy, " , "));
    assertEquals(429, signIn(proxy));
    // a chain longer than any real one falls back the same way
    assertEquals(429, signIn(proxy, "198.51.100.79" + ", 127.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX)));
    // none of them was taken for a client: 198.51.100.77 has its whole budget
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, "198.51.100.77"), "sign-in " + i);
  }
}
