package dev.mileage.gateway.members;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Counts failed guesses per key (a login id, a source address, a certificate code) in a fixed window and
 * blocks the key once it reaches its limit until the window ends. Bounded: past {@code keysMax} keys the
 * oldest is dropped, which can only forget a counter, never block an innocent key. Thread safe.
 *
 * <p>A {@linkplain #persistent persistent} limiter also writes each window to {@code gateway.guess_window}
 * and reads the open ones back at start, so a restart does not reset a guesser's count. Keys are held,
 * in memory and in the table, only as SHA-256 digests of limiter name and key. Writes are asynchronous;
 * they never delay an answer, and a write racing an older one keeps the higher count of a window.
 */
public final class GuessLimiter {
  private static final Logger LOG = Logger.getLogger(GuessLimiter.class.getName());
  /** Every this many writes, ended windows of this limiter are deleted from the table. */
  static final int PRUNE_EVERY_WRITES = 1_000;

  private record Window(Instant start, int failures) { }

  private final String name;
  private final int failuresMax;
  private final Duration window;
  private final int keysMax;
  private final Clock clock;
  private final Pool pool;
  private final LinkedHashMap<String, Window> windows;
  private long writes;

  public GuessLimiter(int failuresMax, Duration window, int keysMax, Clock clock) {
    this("memory", failuresMax, window, keysMax, clock, null);
  }

  private GuessLimiter(String name, int failuresMax, Duration window, int keysMax, Clock clock, Pool pool) {
    if (!name.matches("[a-z][a-z0-9_.]{0,63}")) throw new IllegalArgumentException("bad limiter name: " + name);
    if (failuresMax < 1 || keysMax < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.name = name;
    this.failuresMax = failuresMax;
    this.window = window;
    this.keysMax = keysMax;
    this.clock = clock;
    this.pool = pool;
    this.windows = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
        return size() > GuessLimiter.this.keysMax;
      }
    };
  }

  /**
   * A limiter whose windows survive restarts, under {@code name} (unique per limiter). Its open windows are
   * read back now, asynchronously; failures recorded meanwhile are kept (the higher count of a window wins).
   */
  public static GuessLimiter persistent(String name, int failuresMax, Duration window, int keysMax, Clock clock,
                                        Pool pool) {
    GuessLimiter l = new GuessLimiter(name, failuresMax, window, keysMax, clock, java.util.Objects.requireNonNull(pool));
    l.load().onFailure(e -> LOG.warning("guess limiter " + name + ": earlier counts not read: " + e.getMessage()));
    return l;
  }

  /** Zero when the key may try now, else the seconds to wait. */
  public long retryAfterSeconds(String key) {
    String id = id(key);
    synchronized (this) {
      Window w = windows.get(id);
      if (w == null) return 0;
      Instant end = w.start().plus(window);
      Instant now = clock.instant();
      if (!now.isBefore(end)) {
        windows.remove(id);
        return 0;
      }
      return w.failures() >= failuresMax ? Math.max(1, Duration.between(now, end).toSeconds()) : 0;
    }
  }

  public void recordFailure(String key) {
    String id = id(key);
    Window next;
    boolean prune;
    synchronized (this) {
      Instant now = clock.instant();
      Window w = windows.get(id);
      next = w == null || !now.isBefore(w.start().plus(window)) ? new Window(now, 1) : new Window(w.start(), w.failures() + 1);
      windows.put(id, next);
      prune = ++writes % PRUNE_EVERY_WRITES == 0;
    }
    write(id, next, prune);
  }

  /**
   * Takes {@code uses} from the key's allowance in its window, all or nothing, in one step (so concurrent callers
   * cannot overshoot it): zero when they were counted, else nothing is counted and the answer is the seconds until
   * the window ends. For budgets of work rather than of failures (e.g. Argon2 hashes a member may cause).
   */
  public long tryCount(String key, int uses) {
    if (uses < 1 || uses > failuresMax) {
      throw new IllegalArgumentException("uses must be 1.." + failuresMax + ": " + uses);
    }
    String id = id(key);
    Window next;
    boolean prune;
    synchronized (this) {
      Instant now = clock.instant();
      Window w = windows.get(id);
      boolean open = w != null && now.isBefore(w.start().plus(window));
      if (open && w.failures() + uses > failuresMax) {
        return Math.max(1, Duration.between(now, w.start().plus(window)).toSeconds());
      }
      next = open ? new Window(w.start(), w.failures() + uses) : new Window(now, uses);
      windows.put(id, next);
      prune = ++writes % PRUNE_EVERY_WRITES == 0;
    }
    write(id, next, prune);
    return 0;
  }

  private void write(String id, Window next, boolean prune) {
    if (pool == null) return;
    pool.preparedQuery("INSERT INTO gateway.guess_window AS g (limiter, key_hash, window_start, failures) VALUES ($1, $2, $3, $4)"
            + " ON CONFLICT (limiter, key_hash) DO UPDATE SET"
            + " failures = CASE WHEN EXCLUDED.window_start > g.window_start THEN EXCLUDED.failures"
            + "   WHEN EXCLUDED.window_start = g.window_start THEN GREATEST(g.failures, EXCLUDED.failures) ELSE g.failures END,"
            + " window_start = GREATEST(g.window_start, EXCLUDED.window_start)")
        .execute(Tuple.of(name, Buffer.buffer(Base64.getDecoder().decode(id)), next.start().atOffset(ZoneOffset.UTC), next.failures()))
        .onFailure(e -> LOG.warning("guess limiter " + name + ": a failure was not written: " + e.getMessage()));
    if (prune) prune();
  }

  public void reset(String key) {
    String id = id(key);
    synchronized (this) {
      windows.remove(id);
    }
    if (pool == null) return;
    pool.preparedQuery("DELETE FROM gateway.guess_window WHERE limiter = $1 AND key_hash = $2")
        .execute(Tuple.of(name, Buffer.buffer(Base64.getDecoder().decode(id))))
        .onFailure(e -> LOG.warning("guess limiter " + name + ": a reset was not written: " + e.getMessage()));
  }

  /** Reads this limiter's open windows (the newest {@code keysMax}) into memory, after deleting the ended ones. */
  Future<Void> load() {
    return prune().compose(v -> pool.preparedQuery("SELECT key_hash, window_start, failures FROM gateway.guess_window"
            + " WHERE limiter = $1 ORDER BY window_start DESC LIMIT $2")
        .execute(Tuple.of(name, keysMax))).map(rows -> {
          synchronized (this) {
            for (Row r : rows) {
              String id = Base64.getEncoder().encodeToString(r.getBuffer("key_hash").getBytes());
              Window stored = new Window(r.getOffsetDateTime("window_start").toInstant(), r.getInteger("failures"));
              Window mine = windows.get(id);
              if (mine == null || stored.start().isAfter(mine.start())) {
                windows.put(id, stored);
              } else if (stored.start().equals(mine.start()) && stored.failures() > mine.failures()) {
                windows.put(id, stored);
              }
            }
          }
          return null;
        });
  }

  private Future<Void> prune() {
    return pool.preparedQuery("DELETE FROM gateway.guess_window WHERE limiter = $1 AND window_start <= $2")
        .execute(Tuple.of(name, clock.instant().minus(window).atOffset(ZoneOffset.UTC))).mapEmpty();
  }

  private String id(String key) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(name.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0);
      d.update(String.valueOf(key).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
