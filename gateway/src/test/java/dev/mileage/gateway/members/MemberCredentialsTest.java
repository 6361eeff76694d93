package dev.mileage.gateway.members;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemberCredentialsTest {
  @Test
  void sessionCookiesAreSecureInProduction() {
    java.nio.file.Path dir = java.nio.file.Path.of("unused");
    dev.mileage.gateway.GatewayConfig demo = new dev.mileage.gateway.GatewayConfig("127.0.0.1", 0, 0, dir,
        java.util.Optional.empty(), false, true, "op", "op-secret-123456", "sip:pstn@127.0.0.1:5080");
    dev.mileage.gateway.GatewayConfig production = new dev.mileage.gateway.GatewayConfig("127.0.0.1", 0, 0, dir,
        java.util.Optional.empty(), true, false, "op", "op-secret-123456", "sip:pstn@127.0.0.1:5080");
    assertFalse(MembersFeature.secureCookies(MembersOptions.defaults(), demo), "the HTTP demo keeps its cookie");
    assertTrue(MembersFeature.secureCookies(MembersOptions.defaults(), production), "production: the cookie never goes over HTTP");
  }

  @Test
  void argon2idHashesVerifyOnlyTheRightPassword() {
    PasswordHasher h = PasswordHasher.OWASP;
    String a = h.hash("correct horse battery");
    String b = h.hash("correct horse battery");
    assertTrue(a.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), a);
    assertNotEquals(a, b, "salted");
    assertTrue(h.verify("correct horse battery", a));
    assertFalse(h.verify("correct horse batterY", a));
    assertFalse(h.verify("correct horse battery", "$argon2i$v=19$m=8,t=1,p=1$AAAA$AAAA"), "other algorithms never match");
    assertFalse(h.verify("x", "not a hash"));
    assertFalse(h.verifyDecoy("correct horse battery"));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(4, 1, 1));
  }

  @Test
  void theLimiterBlocksAKeyAtItsLimitUntilTheWindowEndsAndStaysBounded() {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    Clock clock = new Clock() {
      @Override public java.time.ZoneId getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now.get(); }
    };
    GuessLimiter l = new GuessLimiter(3, Duration.ofMinutes(15), 2, clock);
    for (int i = 0; i < 2; i++) l.recordFailure("a");
    assertEquals(0, l.retryAfterSeconds("a"), "below the limit");
    l.recordFailure("a");
    assertEquals(15 * 60, l.retryAfterSeconds("a"));
    now.set(now.get().plus(Duration.ofMinutes(10)));
    assertEquals(5 * 60, l.retryAfterSeconds("a"));
    now.set(now.get().plus(Duration.ofMinutes(5)));
    assertEquals(0, l.retryAfterSeconds("a"), "window over");
    for (int i = 0; i < 3; i++) l.recordFailure("b");
    l.reset("b");
    assertEquals(0, l.retryAfterSeconds("b"));
    for (int i = 0; i < 3; i++) l.recordFailure("c");
    l.recordFailure("d");
    l.recordFailure("e"); // bound of 2 keys: the oldest ("c") is forgotten
    assertEquals(0, l.retryAfterSeconds("c"));
  }

  @Test
  void signUpsAreCheckedAndNeverPrintPersonalData() {
    var s = new SignUp(" Alice.K ", "long-enough-pw", "Alice", "+821012345678", "Seoul", null);
    assertEquals("alice.k", s.loginId());
    assertFalse(s.toString().contains("Alice") || s.toString().contains("+8210"), s.toString());
    assertThrows(IllegalArgumentException.class, () -> new SignUp("al", "long-enough-pw", "A", "+821012345678", "S", null));
    assertThrows(IllegalArgumentException.class, () -> new SignUp("alice", "short", "A", "+821012345678", "S", null));
    assertThrows(IllegalArgumentException.class, () -> new SignUp("alice", "long-enough-pw", "A", "01012345678", "S", null));
    assertThrows(IllegalArgumentException.class, () -> new SignUp("alice", "long-enough-pw", " ", "+821012345678", "S", null));
  }

  @Test
  void smsGoesBesideTheTrunkUnlessConfigured() {
    assertEquals("sip:smsc@127.0.0.1:5080", MembersFeature.smscBesideTrunk("sip:pstn@127.0.0.1:5080"));
    assertEquals("sip:smsc@trunk.example:5060", MembersFeature.smscBesideTrunk("sip:pstn@trunk.example:5060;transport=udp"));
    assertEquals("", MembersFeature.smscBesideTrunk("tel:+1"));
  }
}
