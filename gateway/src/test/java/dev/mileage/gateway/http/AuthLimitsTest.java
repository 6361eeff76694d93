package dev.mileage.gateway.http;

import dev.mileage.gateway.Features;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Guessing limits over real HTTP, with an injected clock: a user locks after repeated failures (even the
 * right password is refused until the lock expires), and a source that fails too often is blocked for
 * every user. Tests run in one class, in order of their effect on the shared source counter.
 */
class AuthLimitsTest {
  static final String PATH = "/api/v1/me";
  @TempDir
  static Path dataDir;
  static MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway(dataDir, Features.all(), clock);
    OperatorStore store = new OperatorStore(gateway.app.context().pool(), gateway.app.context().vertx());
    store.ensureOperator("cashier1", "cashier-password-1", Set.of(Access.ROLE_CASHIER))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    store.ensureOperator("locked1", "locked-password-1", Set.of(Access.ROLE_OPERATOR))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  private static int status(String user, String password) throws Exception {
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, PATH, user, password, null);
    return r.statusCode();
  }

  @Test
  void userLocksAfterRepeatedFailuresAndUnlocksWhenTheLockExpires() throws Exception {
    assertEquals(200, status("locked1", "locked-password-1"), "right password works before");
    for (int i = 0; i < FailureLimiter.USER_FAILURES_MAX; i++) assertEquals(401, status("locked1", "wrong-" + i));
    HttpResponse<Buffer> locked = gateway.send(HttpMethod.GET, PATH, "locked1", "locked-password-1", null);
    assertEquals(429, locked.statusCode(), "right password refused while locked");
    assertEquals("too_many_attempts", locked.bodyAsJsonObject().getString("error"));
    // an unknown user locks the same way: the answer does not reveal whether a user exists
    for (int i = 0; i < FailureLimiter.USER_FAILURES_MAX; i++) assertEquals(401, status("ghost", "wrong-" + i));
    assertEquals(429, status("ghost", "anything"));
    clock.advance(FailureLimiter.LOCKOUT.plusSeconds(1));
    assertEquals(200, status("locked1", "locked-password-1"), "unlocked after the lock-out");
    clock.advance(FailureLimiter.WINDOW); // clear this test's source failures for the next test
  }

  @Test
  void roleIsChecked() throws Exception {
    HttpResponse<Buffer> me = gateway.send(HttpMethod.GET, PATH, "cashier1", "cashier-password-1", null);
    assertEquals(200, me.statusCode());
    assertEquals("[\"cashier\"]", me.bodyAsJsonObject().getJsonArray("roles").encode());
    HttpResponse<Buffer> r = gateway.send(HttpMethod.GET, "/api/v1/ledger/point-types", "cashier1",
        "cashier-password-1", null);
    assertEquals(403, r.statusCode());
    assertEquals("forbidden", r.bodyAsJsonObject().getString("error"));
  }

  @Test
  void sourceIsBlockedAfterTooManyFailuresAcrossUsers() throws Exception {
    clock.advance(FailureLimiter.LOCKOUT.plus(FailureLimiter.WINDOW));
    for (int i = 0; i < FailureLimiter.SOURCE_FAILURES_MAX; i++) {
      assertEquals(401, status("spray" + i, "guess"), "attempt " + i);
    }
    assertEquals(429, status(TestGateway.OPERATOR, TestGateway.PASSWORD), "source blocked for every user");
    clock.advance(FailureLimiter.WINDOW.plus(Duration.ofSeconds(1)));
    assertEquals(200, status(TestGateway.OPERATOR, TestGateway.PASSWORD), "source unblocked after the window");
  }
}
