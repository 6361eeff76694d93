package dev.mileage.gateway.http;

import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Per-address limits behind a reverse proxy that writes RFC 7239 {@code Forwarded}, on a real gateway that trusts
 * 127.0.0.1 as that proxy ({@code --trusted-proxy-header Forwarded}); the limit is the sign-in budget per source (3).
 * Only the proxy's {@code for=} counts: a client reaching the gateway directly (127.0.0.2) is itself whatever it
 * sends, an X-Forwarded-For the proxy passes on is never read, and a malformed header counts against the proxy.
 */
class ForwardedLimitsTest {
  static final int SIGN_INS = ProxiedGateway.SIGN_INS;

  @TempDir
  static Path dir;
  static ProxiedGateway g;
  static WebClient proxy;
  static WebClient direct;

  @BeforeAll
  static void start() throws Exception {
    g = new ProxiedGateway(dir, TrustedProxies.parse("127.0.0.1").withHeader(TrustedProxies.Header.FORWARDED));
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

  /** A wrong sign-in with these header name/value pairs: 401 while the source's budget lasts, then 429. */
  static int signIn(WebClient client, String... headerPairs) throws Exception {
    return g.signIn(client, headerPairs);
  }

  static final String F = ClientAddress.FORWARDED;
  static final String XFF = ClientAddress.FORWARDED_FOR;

  @Test
  void throughTheTrustedProxyEachForwardedClientHasItsOwnBudget() throws Exception {
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, F, "for=198.51.100.1;proto=http"), "sign-in " + i);
    assertEquals(429, signIn(proxy, F, "for=\"198.51.100.1:5555\""), "another port is the same client");
    assertEquals(401, signIn(proxy, F, "for=198.51.100.2"), "another client behind the same proxy");
    assertEquals(401, signIn(proxy, F, "for=\"[2001:db8::7]:4711\""), "an IPv6 client");
    // what the client wrote left of the element the proxy added is not believed
    assertEquals(429, signIn(proxy, F, "for=6.6.6.6, for=198.51.100.1"));
    assertEquals(429, signIn(proxy, F, "for=6.6.6.6", F, "for=198.51.100.1"), "over two header lines");
    // an X-Forwarded-For the proxy passed on is the client's own: never read when the proxies write Forwarded
    assertEquals(429, signIn(proxy, F, "for=198.51.100.1", XFF, "203.0.113.50"));
    assertEquals(401, signIn(proxy, XFF, "198.51.100.1"), "without Forwarded it is the proxy's own request");
    // reaching the gateway directly it is the peer 127.0.0.2, whatever it forwards
    assertEquals(401, signIn(direct, F, "for=198.51.100.1"));
  }

  @Test
  void aClientThatIsNoTrustedProxyIsLimitedByItsOwnAddressWhateverItForwards() throws Exception {
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(direct, F, "for=203.0.113." + i), "sign-in " + i);
    assertEquals(429, signIn(direct, F, "for=203.0.113.99"));
    assertEquals(429, signIn(direct, XFF, "203.0.113.98"));
    assertEquals(429, signIn(direct));
    // and its spoofs charged nobody else
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, F, "for=203.0.113.1"), "through the proxy " + i);
  }

  @Test
  void aMalformedOrHiddenForFromTheTrustedProxyCountsAgainstTheProxyAndFailsNothing() throws Exception {
    assertEquals(401, signIn(proxy, F, "for=198.51.100.77:443"), "a port must be quoted");
    assertEquals(401, signIn(proxy, F, "for=\"[2001:db8::7\""));
    assertEquals(401, signIn(proxy, F, "for=unknown"));
    // the proxy's address (127.0.0.1) spent its budget on them
    assertEquals(429, signIn(proxy, F, "for=_hidden"));
    assertEquals(429, signIn(proxy, F, "for=198.51.100.77;for=198.51.100.78"));
    assertEquals(429, signIn(proxy, F, "for=\"unterminated"));
    assertEquals(429, signIn(proxy, F, "for=198.51.100.77, for=garbage"));
    assertEquals(429, signIn(proxy, F, "for=198.51.100.77" + ", for=127.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX)));
    assertEquals(429, signIn(proxy));
    // none of them was taken for a client: 198.51.100.77 has its whole budget
    for (int i = 1; i <= SIGN_INS; i++) assertEquals(401, signIn(proxy, F, "for=198.51.100.77"), "sign-in " + i);
  }
}
