package dev.mileage.gateway.http;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Limits password guessing. Per user name (known or not, so a lock-out says nothing about existence):
 * {@link #USER_FAILURES_MAX} failures lock it for {@link #LOCKOUT}. Per source address:
 * {@link #SOURCE_FAILURES_MAX} failures within {@link #WINDOW} block the source for the rest of the
 * window. Both maps are bounded, oldest entry forgotten first. Time comes from the injected clock.
 */
public final class FailureLimiter {
  public static final int USER_FAILURES_MAX = 5;
  public static final int SOURCE_FAILURES_MAX = 20;
  public static final Duration WINDOW = Duration.ofMinutes(1);
  public static final Duration LOCKOUT = Duration.ofMinutes(5);
  public static final int TRACKED_USERS_MAX = 10_000;
  public static final int TRACKED_SOURCES_MAX = 10_000;

  private static final class Counter {
    Instant windowStart;
    int failures;
    Instant lockedUntil = Instant.MIN;
  }

  private final Clock clock;
  private final Map<String, Counter> users = bounded(TRACKED_USERS_MAX);
  private final Map<String, Counter> sources = bounded(TRACKED_SOURCES_MAX);

  public FailureLimiter(Clock clock) {
    this.clock = clock;
  }

  /** Whether an attempt from this source for this user may be checked at all. */
  public synchronized boolean allowed(String source, String user) {
    Instant now = clock.instant();
    return !locked(users.get(user), now) && !locked(sources.get(source), now);
  }

  /** Whether a credential without a user name (a bearer token) may be checked from this source at all. */
  public synchronized boolean sourceAllowed(String source) {
    return !locked(sources.get(source), clock.instant());
  }

  /** A wrong credential without a user name: counts against the source only (no user to lock out). */
  public synchronized void recordSourceFailure(String source) {
    count(sources, source, clock.instant(), SOURCE_FAILURES_MAX, WINDOW);
  }

  public synchronized void recordFailure(String source, String user) {
    Instant now = clock.instant();
    count(users, user, now, USER_FAILURES_MAX, LOCKOUT);
    count(sources, source, now, SOURCE_FAILURES_MAX, WINDOW);
  }

  /** A successful sign-in clears the user's failures (not the source's). */
  public synchronized void recordSuccess(String user) {
    users.remove(user);
  }

  synchronized int trackedUsers() {
    return users.size();
  }

  private static boolean locked(Counter c, Instant now) {
    return c != null && now.isBefore(c.lockedUntil);
  }

  private static void count(Map<String, Counter> map, String key, Instant now, int max, Duration lockFor) {
    Counter c = map.computeIfAbsent(key, k -> new Counter());
    if (c.windowStart == null || !now.isBefore(c.windowStart.plus(WINDOW))) {
      c.windowStart = now;
      c.failures = 0;
    }
    c.failures++;
    if (c.failures >= max) {
      c.lockedUntil = now.plus(lockFor);
      c.failures = 0;
    }
  }

  private static Map<String, Counter> bounded(int max) {
    return new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Counter> eldest) {
        return size() > max;
      }
    };
  }
}
