package dev.mileage.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which RFC 7239 {@code Forwarded: for=} address is believed from a trusted proxy: the same right-to-left walk as
 * X-Forwarded-For (ClientAddressTest), hidden hops ending it at the last trusted proxy, anything malformed on the
 * way giving nothing (the caller then takes the peer). ForwardedLimitsTest: on a gateway.
 */
class ForwardedHeaderTest {
  static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 2001:db8::/32, 192.0.2.7");

  static Optional<String> client(String... headers) {
    return ClientAddress.fromForwarded(List.of(headers), PROXIES);
  }

  @Test
  void theRightMostForAddressThatIsNoTrustedProxyIsTheClient() {
    assertEquals(Optional.of("198.51.100.1"), client("for=198.51.100.1"));
    assertEquals(Optional.of("198.51.100.1"), client("for=6.6.6.6, for=198.51.100.1, for=10.1.2.3;proto=https, for=192.0.2.7"));
    assertEquals(Optional.of("198.51.100.1"), client("for=6.6.6.6, for=198.51.100.1", "for=10.1.2.3"), "over two header lines");
    assertEquals(Optional.of("198.51.100.1"), client("For=198.51.100.1"), "parameter names in any case");
    assertEquals(Optional.of("198.51.100.1"), client("FOR=198.51.100.1;PROTO=https"));
    assertEquals(Optional.of("198.51.100.1"), client("for=\"198.51.100.1\""));
    assertEquals(Optional.of("198.51.100.1"), client("for=\"198.51.100.1:4711\""), "the port is dropped");
    assertEquals(Optional.of("198.51.100.1"), client("for=\"198.51.100.1:_port-1\""), "an obfuscated port too");
    assertEquals(Optional.of("2001:db9:0:0:0:0:0:1"), client("for=\"[2001:db9::1]:4711\""), "IPv6, canonical");
    assertEquals(Optional.of("2001:db9:0:0:0:0:0:1"), client("for=\"[2001:DB9::1]\", for=\"[2001:db8::5]\""));
    assertEquals(Optional.of("198.51.100.1"), client("for=198.51.100.1;by=10.0.0.1;proto=https;host=example.com"));
    assertEquals(Optional.of("198.51.100.1"), client("by=\"[2001:db8::9]\";for=198.51.100.1"), "in any order");
    assertEquals(Optional.of("198.51.100.1"), client("host=\"a\\\"b,c;d\";for=198.51.100.1"),
        "commas, semicolons and escaped quotes inside a quoted string");
    assertEquals(Optional.of("198.51.100.1"), client("for=198.51.100.1 ; proto=https"), "spaces around ;");
    assertEquals(Optional.of("198.51.100.1"), client(";for=198.51.100.1;;proto=https;"), "empty pairs");
    assertEquals(Optional.of("198.51.100.1"), client("for=198.51.100.1, , for=10.0.0.1,"), "empty list elements");
    assertEquals(Optional.of("198.51.100.1"), client("ext-param=_x;for=198.51.100.1"), "extension parameters");
    assertEquals(Optional.of("198.51.100.2"), client("garbage!!, for=198.51.100.2"), "left of the client is never read");
    assertEquals(Optional.of("198.51.100.2"), client("for=198.51.100.1;for=2.2.2.2, for=198.51.100.2"),
        "nor checked, however malformed");
    assertEquals(Optional.of("10.0.0.1"), client("for=10.0.0.1, for=10.0.0.2"), "all proxies: the first of them");
    assertEquals(Optional.of("1.2.3.4"), client("for=\"[::ffff:1.2.3.4]\""), "IPv4-mapped IPv6 is the IPv4 address");
  }

  @Test
  void aHopTheProxyWouldNotNameEndsTheWalkAtTheTrustedProxyThatReceivedFromIt() {
    assertEquals(Optional.empty(), client("for=unknown"), "the peer itself does not name its client: the peer");
    assertEquals(Optional.empty(), client("for=_hidden"));
    assertEquals(Optional.empty(), client("proto=https"), "no for= at all: the same");
    assertEquals(Optional.of("10.0.0.2"), client("for=unknown, for=10.0.0.2"));
    assertEquals(Optional.of("10.0.0.2"), client("for=UNKNOWN, for=10.0.0.2"));
    assertEquals(Optional.of("10.0.0.2"), client("for=\"unknown:8080\", for=10.0.0.2"));
    assertEquals(Optional.of("10.0.0.2"), client("for=198.51.100.1, for=_hidden, for=10.0.0.2"),
        "an address left of a hidden hop is not believed");
    assertEquals(Optional.of("10.0.0.2"), client("for=\"_abc.DEF-1_2:_p\", for=10.0.0.2"));
    assertEquals(Optional.of("10.0.0.3"), client("for=_x, for=10.0.0.3, for=10.0.0.2"), "the last trusted hop passed");
    assertEquals(Optional.of("10.0.0.2"), client("by=10.0.0.9;proto=http, for=10.0.0.2"));
    assertEquals(Optional.of("198.51.100.9"), client("for=_x, for=198.51.100.9, for=10.0.0.2"),
        "a hidden hop left of the client does not matter");
  }

  @Test
  void aMalformedHeaderOrEndlessChainGivesNothingSoThePeerCounts() {
    List<String> malformed = List.of(
        "", " , ", "for=198.51.100.1:4711", "for=[2001:db9::1]", "for=\"2001:db9::1\"", "for=\"[198.51.100.1]\"",
        "for=\"[2001:db9::1\"", "for=\"[2001:db9::1]x\"", "for=\"[2001:db9::1]:\"", "for=\"198.51.100.1:\"",
        "for=\"198.51.100.1:123456\"", "for=\"198.51.100.1:http\"", "for=\"198.51.100.1:_\"", "for=example.com",
        "for=localhost", "for=999.1.1.1", "for=1.2.3", "for=01.2.3.4.5", "for=198.51.100.1;for=198.51.100.2",
        "for=198.51.100.1;FOR=198.51.100.2", "for = 198.51.100.1", "for =198.51.100.1", "for= 198.51.100.1", "for=",
        "=198.51.100.1", "for", "for=\"198.51.100.1", "for=\"198.51.100.1\"x", "for=198.51.100.1 proto=https",
        "for=\"198.51.100.1\\", "for=\"\u0001\"", "for=_", "for=_a b", "for=_a/b", "for=198.51.100.1, for=garbage",
        "for=198.51.100.1, for=\"unterminated", "for=\"unterminated, for=198.51.100.1", "for=198.51.100.1\u0000",
        "for=\"[]\"", "for=\"[::1]:80:80\"", "f\u00f6r=198.51.100.1", "for=\"198.51.100.1\";for", "for=198.51.100.1,;=",
        "for=\"\"");
    for (String bad : malformed) {
      Optional<String> got = assertDoesNotThrow(bad);
      // "" and " , " have no elements; the rest have one met on the walk that is not RFC 7239
      assertEquals(Optional.empty(), got, "\"" + bad + "\"");
    }
    assertEquals(Optional.empty(), client());
    assertEquals(Optional.empty(), client("for=198.51.100.1" + ", for=10.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX)));
    assertEquals(Optional.of("198.51.100.1"),
        client("for=198.51.100.1" + ", for=10.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX - 1)));
    assertEquals(Optional.empty(), client("for=10.0.0.1, ".repeat(ForwardedHeader.ELEMENTS_MAX) + "for=198.51.100.1"),
        "more elements than any real chain: not even split");
  }

  static Optional<String> assertDoesNotThrow(String header) {
    try {
      return client(header);
    } catch (RuntimeException e) {
      throw new AssertionError("\"" + header + "\" threw " + e, e);
    }
  }

  @Test
  void theHeaderTheProxiesWriteIsNamedInAnyCaseAndXForwardedForByDefault() {
    assertEquals(TrustedProxies.Header.X_FORWARDED_FOR, TrustedProxies.parse("10.0.0.1").header());
    assertEquals(TrustedProxies.Header.X_FORWARDED_FOR, TrustedProxies.NONE.header());
    assertEquals(Optional.of(TrustedProxies.Header.FORWARDED), TrustedProxies.Header.parse("forwarded"));
    assertEquals(Optional.of(TrustedProxies.Header.X_FORWARDED_FOR), TrustedProxies.Header.parse(" x-forwarded-FOR "));
    assertEquals(Optional.empty(), TrustedProxies.Header.parse("X-Real-IP"));
    assertEquals(Optional.empty(), TrustedProxies.Header.parse(""));
    TrustedProxies forwarded = TrustedProxies.parse("10.0.0.1").withHeader(TrustedProxies.Header.FORWARDED);
    assertTrue(forwarded.contains("10.0.0.1"));
    assertEquals("10.0.0.1/32 (Forwarded)", forwarded.toString());
  }
}
