package dev.mileage.gateway.members;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts failed guesses per key (a login id, a source address) in a fixed window and blocks the key once
 * it reaches its limit until the window ends. Bounded: past {@code keysMax} keys the oldest is dropped,
 * which can only forget a counter, never block an innocent key. Thread safe.
 */
public final class GuessLimiter {
  private record Window(Instant start, int failures) { }

  private final int failuresMax;
  private final Duration window;
  private final int keysMax;
  private final Clock clock;
  private final LinkedHashMap<String, Window> windows;

  public GuessLimiter(int failuresMax, Duration window, int keysMax, Clock clock) {
    this.failuresMax = failuresMax;
    this.window = window;
    this.keysMax = keysMax;
    this.clock = clock;
    this.windows = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
        return size() > GuessLimiter.this.keysMax;
      }
    };
  }

  /** Zero when the key may try now, else the seconds to wait. */
  public synchronized long retryAfterSeconds(String key) {
    Window w = windows.get(key);
    if (w == null) return 0;
    Instant end = w.start().plus(window);
    Instant now = clock.instant();
    if (!now.isBefore(end)) {
      windows.remove(key);
      return 0;
    }
    return w.failures() >= failuresMax ? Math.max(1, Duration.between(now, end).toSeconds()) : 0;
  }

  public synchronized void recordFailure(String key) {
    Instant now = clock.instant();
    Window w = windows.get(key);
    if (w == null || !now.isBefore(w.start().plus(window))) {
      windows.put(key, new Window(now, 1));
    } else {
      windows.put(key, new Window(w.start(), w.failures() + 1));
    }
  }

  public synchronized void reset(String key) {
    windows.remove(key);
  }
}
