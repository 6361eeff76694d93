package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceGuardTest {
  static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-23T00:00:00Z");

    @Override public ZoneId getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(ZoneId zone) { return this; }
    @Override public Instant instant() { return now; }
  }

  @Test
  void floodIsBannedForTheBanDurationThenForgiven() {
    TestClock clock = new TestClock();
    SourceGuard guard = new SourceGuard(10, 5, Duration.ofMinutes(1), clock);
    for (int i = 0; i < 10; i++) assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.8", "phone"), "other sources are not affected");
    clock.now = clock.now.plusSeconds(30);
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("192.0.2.7", "phone"));
    clock.now = clock.now.plusSeconds(31);
    assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", "phone"));
    assertEquals(1, guard.bans());
  }

  @Test
  void requestsAreCountedPerSecond() {
    TestClock clock = new TestClock();
    SourceGuard guard = new SourceGuard(10, 5, Duration.ofMinutes(1), clock);
    for (int s = 0; s < 5; s++) {
      for (int i = 0; i < 10; i++) assertEquals(SourceGuard.Verdict.PASS, guard.onRequest("192.0.2.7", null));
      clock.now = clock.now.plusSeconds(1);
    }
  }

  @Test
  void scannersAreBannedAtFirstSight() {
    SourceGuard guard = new SourceGuard(100, 5, Duration.ofMinutes(1), new TestClock());
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.1", "friendly-scanner"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onRequest("198.51.100.2", "SIPVicious 0.3"));
    assertTrue(guard.isBanned("198.51.100.1"));
    assertFalse(guard.isBanned("198.51.100.3"));
  }

  @Test
  void passwordGuessingIsBannedAndSuccessResetsTheCount() {
    SourceGuard guard = new SourceGuard(100, 3, Duration.ofMinutes(1), new TestClock());
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    guard.onAuthSuccess("203.0.113.9");
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.PASS, guard.onAuthFailure("203.0.113.9"));
    assertEquals(SourceGuard.Verdict.BANNED, guard.onAuthFailure("203.0.113.9"));
    assertTrue(guard.isBanned("203.0.113.9"));
  }
}
