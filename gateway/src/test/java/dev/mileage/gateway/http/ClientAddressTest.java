package dev.mileage.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which X-Forwarded-For address is believed, and which proxy lists are accepted (TrustedProxyLimitsTest: on a gateway). */
class ClientAddressTest {
  static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 2001:db8::/32, 192.0.2.7");

  static Optional<String> client(String... headers) {
    return ClientAddress.fromForwardedFor(List.of(headers), PROXIES);
  }

  @Test
  void theRightMostAddressThatIsNoTrustedProxyIsTheClient() {
    assertEquals(Optional.of("198.51.100.1"), client("198.51.100.1"));
    assertEquals(Optional.of("198.51.100.1"), client("6.6.6.6, 198.51.100.1, 10.1.2.3, 192.0.2.7"));
    assertEquals(Optional.of("198.51.100.1"), client("6.6.6.6, 198.51.100.1", "10.1.2.3"));
    assertEquals(Optional.of("2001:db9:0:0:0:0:0:1"), client("[2001:db9::1]", "2001:db8::5"), "IPv6, canonical");
    assertEquals(Optional.of("198.51.100.2"), client("garbage, 198.51.100.2"), "left of the client is never read");
    assertEquals(Optional.of("10.0.0.1"), client("10.0.0.1, 10.0.0.2"), "all proxies: the first of them");
  }

  @Test
  void aMalformedOrEndlessChainGivesNothingSoThePeerCounts() {
    assertEquals(Optional.empty(), client());
    assertEquals(Optional.empty(), client("not-an-address"));
    assertEquals(Optional.empty(), client("198.51.100.1, garbage"));
    assertEquals(Optional.empty(), client(""));
    assertEquals(Optional.empty(), client("198.51.100.1,"));
    assertEquals(Optional.empty(), client("198.51.100.1:8080"));
    assertEquals(Optional.empty(), client("localhost"), "names are never looked up");
    assertEquals(Optional.empty(), client("198.51.100.1" + ", 10.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX)));
    assertEquals(Optional.of("198.51.100.1"), client("198.51.100.1" + ", 10.0.0.1".repeat(ClientAddress.FORWARDED_HOPS_MAX - 1)));
  }

  @Test
  void proxiesAreAddressesOrBlocksNeverNames() {
    assertTrue(TrustedProxies.parse("").isEmpty());
    assertTrue(TrustedProxies.parse(" ").isEmpty());
    assertFalse(TrustedProxies.NONE.contains("127.0.0.1"));
    assertTrue(PROXIES.contains("10.255.255.255"));
    assertFalse(PROXIES.contains("11.0.0.0"));
    assertTrue(PROXIES.contains("2001:db8:ffff::1"));
    assertFalse(PROXIES.contains("unknown"));
    assertTrue(TrustedProxies.parse("0.0.0.0/0").contains("203.0.113.9"));
    for (String bad : List.of("example.com", "10.0.0.0/33", "10.0.0.0/", "/8", "10.0.0.1,", "::1/200", "10.0.0.0/08x")) {
      assertThrows(IllegalArgumentException.class, () -> TrustedProxies.parse(bad), bad);
    }
  }
}
