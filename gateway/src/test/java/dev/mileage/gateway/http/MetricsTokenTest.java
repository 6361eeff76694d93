package dev.mileage.gateway.http;

import dev.mileage.gateway.LogCapture;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} on a real gateway started with {@code --metrics-token}: Prometheus text only for
 * {@code Authorization: Bearer <token>}; no or a wrong token is 401 with a Bearer challenge and a reason, wrong tokens
 * count against the source with the operators' Basic passwords (one limiter), and the token never reaches the log.
 * Clients connect from distinct loopback addresses (127.0.0.x) so each test has its own source.
 */
class MetricsTokenTest {
  static final String TOKEN = "scrape-token-0123456789abcdef";

  @TempDir
  static Path dir;
  static final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  static TestGateway gateway;
  static LogCapture log;
  static final Vertx clients = Vertx.vertx();

  @BeforeAll
  static void start() throws Exception {
    log = LogCapture.install();
    gateway = new TestGateway(TestGateway.config(dir).withMetricsToken(Optional.of(TOKEN)), List.of(new LedgerFeature()),
        clock);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    clients.close();
    if (log != null) log.close();
  }

  static WebClient from(String localAddress) {
    return WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(gateway.app.httpPort()).setLocalAddress(localAddress));
  }

  static HttpResponse<Buffer> get(WebClient client, String path, String authorization) throws Exception {
    HttpRequest<Buffer> request = client.get(path);
    if (authorization != null) request.putHeader("Authorization", authorization);
    return request.send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void assertRefused(HttpResponse<Buffer> r, String reason) {
    assertEquals(401, r.statusCode(), r.bodyAsString());
    assertEquals("Bearer realm=\"metrics\"", r.getHeader("WWW-Authenticate"));
    assertEquals("unauthorized", r.bodyAsJsonObject().getString("error"));
    assertEquals(reason, r.bodyAsJsonObject().getString("reason"));
    assertFalse(r.bodyAsString().contains("jvm_"), "no figures in a refusal");
  }

  @Test
  void withoutTheTokenNobodyReadsMetricsNotEvenFromLoopback() throws Exception {
    WebClient client = from("127.0.0.1");
    assertRefused(get(client, "/metrics", null), MetricsAccess.TOKEN_REQUIRED);
    assertRefused(get(client, "/metrics", "Basic " + java.util.Base64.getEncoder().encodeToString(
        (TestGateway.OPERATOR + ":" + TestGateway.PASSWORD).getBytes())), MetricsAccess.TOKEN_REQUIRED);
    assertRefused(get(client, "/metrics", "Bearer"), MetricsAccess.TOKEN_REQUIRED);
    assertRefused(get(client, "/metrics", "Bearer x"), MetricsAccess.TOKEN_REFUSED);
    assertRefused(get(client, "/metrics", "Bearer " + TOKEN + "x"), MetricsAccess.TOKEN_REFUSED);
    assertRefused(get(client, "/metrics", "Bearer " + TOKEN.substring(1)), MetricsAccess.TOKEN_REFUSED);
    assertRefused(get(client, "/metrics", "Bearer " + TOKEN.toUpperCase()), MetricsAccess.TOKEN_REFUSED);
    assertRefused(get(client, "/metrics", TOKEN), MetricsAccess.TOKEN_REQUIRED);
  }

  @Test
  void theRightBearerTokenGetsPrometheusText() throws Exception {
    for (String scheme : new String[] {"Bearer ", "bearer ", "BEARER "}) {
      HttpResponse<Buffer> r = get(from("127.0.0.2"), "/metrics", scheme + TOKEN);
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertTrue(r.bodyAsString().contains("jvm_memory_used_bytes"));
      assertTrue(r.bodyAsString().contains("ledger_queue_depth"));
      assertEquals("no-store", r.getHeader("Cache-Control"));
    }
    assertEquals(200, get(from("127.0.0.2"), "/health", null).statusCode(), "/health needs no token");
  }

  /** {@code gateway_metrics_refused_total{status}}, scraped with the token from a source that guesses nothing. */
  static double refused(int status) throws Exception {
    HttpResponse<Buffer> r = get(from("127.0.0.5"), "/metrics", "Bearer " + TOKEN);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^gateway_metrics_refused_total\\{status=\""
        + status + "\"} ([0-9.E]+)$").matcher(r.bodyAsString());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void wrongTokensCountWithOperatorPasswordsPerSourceUntilTheWindowEnds() throws Exception {
    double refused401 = refused(401);
    double refused429 = refused(429);
    WebClient guesser = from("127.0.0.3");
    // operator password guesses and token guesses from one source add up in one limiter
    for (int i = 1; i <= 5; i++) {
      HttpResponse<Buffer> r = guesser.get("/api/v1/me").basicAuthentication("nobody" + i, "wrong-password").send()
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(401, r.statusCode(), r.bodyAsString());
    }
    for (int i = 6; i <= FailureLimiter.SOURCE_FAILURES_MAX; i++) {
      assertRefused(get(guesser, "/metrics", "Bearer wrong-token-" + i), MetricsAccess.TOKEN_REFUSED);
    }
    HttpResponse<Buffer> blocked = get(guesser, "/metrics", "Bearer " + TOKEN);
    assertEquals(429, blocked.statusCode(), "the right token too, while the source is blocked");
    assertEquals(MetricsAccess.LOCKED, blocked.bodyAsJsonObject().getString("reason"));
    assertTrue(blocked.getHeader("Retry-After") != null);
    HttpResponse<Buffer> operator = guesser.get("/api/v1/me").basicAuthentication(TestGateway.OPERATOR, TestGateway.PASSWORD)
        .send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(429, operator.statusCode(), "and the operator's password from that source");
    assertEquals(refused401 + FailureLimiter.SOURCE_FAILURES_MAX - 5, refused(401), "wrong tokens are counted");
    assertEquals(refused429 + 1, refused(429), "the locked-out scrape is counted (the operator's 429 is the API's)");
    assertEquals(200, get(from("127.0.0.4"), "/metrics", "Bearer " + TOKEN).statusCode(), "other sources are not blocked");
    clock.advance(FailureLimiter.WINDOW.plusSeconds(1));
    assertEquals(200, get(guesser, "/metrics", "Bearer " + TOKEN).statusCode(), "the block ends with the window");
    assertTrue(log.lines.stream().noneMatch(line -> line.contains(TOKEN)), "the token is never logged");
  }
}
