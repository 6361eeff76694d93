package dev.mileage.gateway.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-address limits behind a reverse proxy, on a real gateway that trusts 127.0.0.1 as its proxy: the limit is the
 * sign-in budget per source address (3 here). A client connecting from 127.0.0.2 (not trusted) is limited as
 * 127.0.0.2 whatever X-Forwarded-For it sends; requests through the proxy are limited per forwarded client; a
 * malformed header from the proxy counts against the proxy's own address and never fails the request.
 */
class TrustedProxyLimitsTest {
  static final int SIGN_INS = ProxiedGateway.SIGN_INS;

  @TempDir
  static Path dir;
  static ProxiedGateway g;
  /** Connects from 127.0.0.1, the trusted proxy. */
  static WebClient proxy;
  /** Connects from 127.0.0.2: a client reaching the gateway directly, not a proxy. */
  static WebClient direct;

  @BeforeAll
  static void start() throws Exception {
    g = new ProxiedGateway(dir, TrustedProxies.parse("127.0.0.1"));
    proxy = g.proxy;
    direct = g.direct;
  }

  @AfterAll
  static void stop() {
    if (g != null) g.close();
  }

  @BeforeEach
  void freshWindow() {
    g.freshWindow();
  }

  /** A wrong sign-in with these X-Forwarded-For lines: 401 while the source's budget lasts, then 429 from that budget. */
  static int signIn(WebClient client, String... forwardedFor) throws Exception {
    String[] pairs = new String[forwardedFor.length * 2];
    for (int i = 0; i < forwardedFor.length; i++) {
      pairs[2 * i] = ClientAddress.FORWARDED_FOR;
      pairs[2 * i + 1] = forwardedFor[i];
    }
    return g.signIn(client, pairs);
  }

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
    HttpResponse<Buffer> r = forwardedFor == null ? g.wrongSignIn(client, ClientAddress.FORWARDED, forwarded)
        : g.wrongSignIn(client, ClientAddress.FORWARDED, forwarded, ClientAddress.FORWARDED_FOR, forwardedFor);
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
