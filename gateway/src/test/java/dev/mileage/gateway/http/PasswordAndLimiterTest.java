package dev.mileage.gateway.http;

import dev.mileage.gateway.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Argon2id hashes and the guessing limiter, in isolation, with an injected clock. */
class PasswordAndLimiterTest {
  @Test
  void argon2idHashesVerifyOnlyTheirPassword() {
    String hash = PasswordHasher.hash("correct horse");
    assertTrue(hash.startsWith("$argon2id$v=19$m=" + PasswordHasher.MEMORY_KIB + ",t=" + PasswordHasher.ITERATIONS));
    assertTrue(PasswordHasher.verify("correct horse", hash));
    assertFalse(PasswordHasher.verify("correct horsE", hash));
    assertFalse(PasswordHasher.verify("", hash));
    assertNotEquals(hash, PasswordHasher.hash("correct horse"), "salted");
  }

  @Test
  void malformedOrTamperedHashesNeverMatch() {
    String hash = PasswordHasher.hash("pw");
    assertFalse(PasswordHasher.verify("pw", null));
    assertFalse(PasswordHasher.verify("pw", "plain"));
    assertFalse(PasswordHasher.verify("pw", hash.replace("$argon2id$", "$argon2i$")));
    assertFalse(PasswordHasher.verify("pw", hash.replace("t=2", "t=99")), "cost out of bounds");
    assertFalse(PasswordHasher.verify("pw", hash.substring(0, hash.length() - 4) + "AAAA"));
  }

  @Test
  void userLockExpiresWithTheClockAndSuccessClearsFailures() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    FailureLimiter limiter = new FailureLimiter(clock);
    for (int i = 0; i < FailureLimiter.USER_FAILURES_MAX - 1; i++) limiter.recordFailure("10.0.0.1", "alice");
    assertTrue(limiter.allowed("10.0.0.1", "alice"));
    limiter.recordSuccess("alice");
    limiter.recordFailure("10.0.0.1", "alice");
    assertTrue(limiter.allowed("10.0.0.1", "alice"), "success cleared the earlier failures");
    for (int i = 0; i < FailureLimiter.USER_FAILURES_MAX; i++) limiter.recordFailure("10.0.0.2", "bob");
    assertFalse(limiter.allowed("10.0.0.3", "bob"), "locked from every source");
    assertTrue(limiter.allowed("10.0.0.3", "carol"), "other users unaffected");
    clock.advance(FailureLimiter.LOCKOUT.minusSeconds(1));
    assertFalse(limiter.allowed("10.0.0.3", "bob"));
    clock.advance(Duration.ofSeconds(2));
    assertTrue(limiter.allowed("10.0.0.3", "bob"));
  }

  @Test
  void failuresOutsideTheWindowDoNotAccumulate() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    FailureLimiter limiter = new FailureLimiter(clock);
    for (int i = 0; i < 3 * FailureLimiter.USER_FAILURES_MAX; i++) {
      limiter.recordFailure("10.0.0." + (i % 200), "slow");
      clock.advance(FailureLimiter.WINDOW.dividedBy(FailureLimiter.USER_FAILURES_MAX - 1).plusMillis(1));
      if (i % (FailureLimiter.USER_FAILURES_MAX - 1) == 0) assertTrue(limiter.allowed("10.0.1.1", "slow"));
    }
  }

  @Test
  void trackedUsersAreBounded() {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    FailureLimiter limiter = new FailureLimiter(clock);
    for (int i = 0; i < FailureLimiter.USER_FAILURES_MAX; i++) limiter.recordFailure("s" + i, "first");
    assertFalse(limiter.allowed("x", "first"));
    for (int i = 0; i < FailureLimiter.TRACKED_USERS_MAX; i++) limiter.recordFailure("s" + (i % 7), "user" + i);
    assertTrue(limiter.trackedUsers() <= FailureLimiter.TRACKED_USERS_MAX);
  }
}
