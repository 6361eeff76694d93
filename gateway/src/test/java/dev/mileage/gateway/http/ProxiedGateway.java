package dev.mileage.gateway.http;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real gateway behind a reverse proxy, for the per-address limits: it trusts the given proxies, its limit under test
 * is the sign-in budget per source address ({@link #SIGN_INS} in {@link #WINDOW}, on a clock the tests move), and two
 * HTTP clients reach it, one from 127.0.0.1 (the trusted proxy) and one from 127.0.0.2 (a client connecting directly).
 */
final class ProxiedGateway implements AutoCloseable {
  static final int SIGN_INS = 3;
  static final Duration WINDOW = Duration.ofMinutes(15);

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  final TestGateway gateway;
  /** Connects from 127.0.0.1, the trusted proxy. */
  final WebClient proxy;
  /** Connects from 127.0.0.2: a client reaching the gateway directly, not a proxy. */
  final WebClient direct;
  private final Vertx clients = Vertx.vertx();
  private final AtomicInteger logins = new AtomicInteger(100);

  ProxiedGateway(Path dataDir, TrustedProxies proxies) throws Exception {
    MembersOptions members = MembersOptions.defaults().withHashLimits(MembersOptions.HASHES_PER_MEMBER_DEFAULT, SIGN_INS, WINDOW);
    TestGateway started = null;
    try {
      started = new TestGateway(TestGateway.config(dataDir).withTrustedProxies(proxies),
          List.of(new LedgerFeature(), new MembersFeature(members, new PasswordHasher(8 * 1024, 1, 1))), clock);
      int port = started.app.httpPort();
      proxy = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setLocalAddress("127.0.0.1"));
      direct = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
          .setLocalAddress("127.0.0.2"));
    } catch (Exception | Error e) {
      if (started != null) started.close();
      clients.close();
      throw e;
    }
    gateway = started;
  }

  /** Past the budget window: every source has its whole budget again. */
  void freshWindow() {
    clock.advance(WINDOW.plusSeconds(1));
  }

  /**
   * A sign-in with a wrong password for a login nobody has (a new one each time, so no login's own lock-out
   * interferes), with these header name/value pairs.
   */
  HttpResponse<Buffer> wrongSignIn(WebClient client, String... headerPairs) throws Exception {
    var request = client.post("/auth/sign-in").putHeader("Content-Type", "application/json");
    for (int i = 0; i < headerPairs.length; i += 2) request.headers().add(headerPairs[i], headerPairs[i + 1]);
    return request.sendBuffer(Buffer.buffer(new JsonObject().put("loginId", "nobody" + logins.incrementAndGet())
        .put("password", "not-the-password").encode())).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** {@link #wrongSignIn}: 401 while the source's budget lasts, then 429 from that budget (anything else fails). */
  int signIn(WebClient client, String... headerPairs) throws Exception {
    HttpResponse<Buffer> r = wrongSignIn(client, headerPairs);
    boolean budget = r.statusCode() == 429 && "too_many_hashing_requests".equals(r.bodyAsJsonObject().getString("error"));
    if (r.statusCode() != 401 && !budget) throw new AssertionError(r.statusCode() + ": " + r.bodyAsString());
    return r.statusCode();
  }

  @Override
  public void close() {
    try {
      gateway.close();
    } finally {
      clients.close();
    }
  }
}
