package dev.mileage.gateway.members;

import dev.mileage.gateway.MutableClock;
import dev.mileage.points.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guess counters that survive a restart, against real PostgreSQL: the table {@code gateway.guess_window}. */
class GuessLimiterPersistenceTest {
  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    db = Database.embedded(dataDir);
    db.migrate("gateway");
    vertx = Vertx.vertx();
    Database.ConnectionInfo c = db.connection();
    pool = c.pool(vertx, 4);
  }

  @AfterAll
  static void stop() throws Exception {
    if (pool != null) pool.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (db != null) db.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static List<Row> rows(String limiter) throws Exception {
    List<Row> out = new ArrayList<>();
    await(pool.preparedQuery("SELECT key_hash, window_start, failures FROM gateway.guess_window WHERE limiter = $1")
        .execute(io.vertx.sqlclient.Tuple.of(limiter))).forEach(out::add);
    return out;
  }

  static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  static int failuresStored(String limiter) {
    try {
      return rows(limiter).stream().mapToInt(r -> r.getInteger("failures")).sum();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aRestartedLimiterStillBlocksAndKeysAreNotStoredInClear() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
    GuessLimiter before = GuessLimiter.persistent("test.pin", 3, Duration.ofMinutes(15), 100, clock, pool);
    for (int i = 0; i < 3; i++) before.recordFailure("GC-1234-5678");
    before.recordFailure("other-code");
    assertTrue(before.retryAfterSeconds("GC-1234-5678") > 0);
    waitFor(() -> failuresStored("test.pin") == 4, "the four failures written");
    for (Row r : rows("test.pin")) {
      assertFalse(new String(r.getBuffer("key_hash").getBytes(), StandardCharsets.ISO_8859_1).contains("GC-1234"),
          "only a digest of the key is stored");
    }

    // the gateway restarts: a new limiter of the same name reads the open windows back
    GuessLimiter after = GuessLimiter.persistent("test.pin", 3, Duration.ofMinutes(15), 100, clock, pool);
    waitFor(() -> after.retryAfterSeconds("GC-1234-5678") > 0, "the blocked code blocked again after the restart");
    assertEquals(15 * 60, after.retryAfterSeconds("GC-1234-5678"));
    assertEquals(0, after.retryAfterSeconds("other-code"), "one failure is below the limit");
    after.recordFailure("other-code");
    after.recordFailure("other-code");
    assertTrue(after.retryAfterSeconds("other-code") > 0, "its earlier failure still counts: 1 + 2 reaches 3");

    // another limiter's name sees nothing of these
    GuessLimiter unrelated = GuessLimiter.persistent("test.login", 3, Duration.ofMinutes(15), 100, clock, pool);
    await(unrelated.load());
    assertEquals(0, unrelated.retryAfterSeconds("GC-1234-5678"));

    // a reset is written too
    after.reset("GC-1234-5678");
    waitFor(() -> failuresStored("test.pin") == 3, "the reset key's row deleted");
    GuessLimiter third = GuessLimiter.persistent("test.pin", 3, Duration.ofMinutes(15), 100, clock, pool);
    await(third.load());
    assertEquals(0, third.retryAfterSeconds("GC-1234-5678"));

    // windows that ended are not read back, and are deleted at the next start
    clock.advance(Duration.ofMinutes(16));
    GuessLimiter later = GuessLimiter.persistent("test.pin", 3, Duration.ofMinutes(15), 100, clock, pool);
    await(later.load());
    assertEquals(0, later.retryAfterSeconds("other-code"));
    waitFor(() -> failuresStored("test.pin") == 0, "ended windows deleted");
  }

  @Test
  void aLateWriteOfAnOlderCountNeverLowersTheStoredCount() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T11:00:00Z"));
    GuessLimiter l = GuessLimiter.persistent("test.race", 10, Duration.ofMinutes(15), 100, clock, pool);
    for (int i = 0; i < 10; i++) l.recordFailure("k"); // ten writes in flight at once on a pool of four
    waitFor(() -> failuresStored("test.race") == 10, "the highest count stored");
    GuessLimiter restarted = GuessLimiter.persistent("test.race", 10, Duration.ofMinutes(15), 100, clock, pool);
    await(restarted.load());
    assertTrue(restarted.retryAfterSeconds("k") > 0);
  }
}
