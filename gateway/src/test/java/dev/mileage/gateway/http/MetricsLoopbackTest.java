package dev.mileage.gateway.http;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import io.vertx.core.MultiMap;
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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} without {@code --metrics-token}, on a real gateway that trusts 127.0.0.1 as its reverse proxy: a
 * scraper connecting from another loopback address (127.0.0.2) reads it; the proxy, and anything carrying forwarding
 * headers, gets 403 with a reason, whatever address the headers name. Non-loopback peers cannot be made on loopback
 * sockets, so the address rule itself is checked on {@link MetricsAccess#localScraper} too.
 */
class MetricsLoopbackTest {
  @TempDir
  static Path dir;
  static TestGateway gateway;
  static final Vertx clients = Vertx.vertx();
  static WebClient proxy;
  static WebClient local;

  @BeforeAll
  static void start() throws Exception {
    gateway = new TestGateway(TestGateway.config(dir).withTrustedProxies(TrustedProxies.parse("127.0.0.1")),
        List.of(new LedgerFeature()), new MutableClock(Instant.parse("2026-11-24T10:00:00Z")));
    int port = gateway.app.httpPort();
    proxy = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setLocalAddress("127.0.0.1"));
    local = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setLocalAddress("127.0.0.2"));
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    clients.close();
  }

  static HttpResponse<Buffer> metrics(WebClient client, String... headerPairs) throws Exception {
    HttpRequest<Buffer> request = client.get("/metrics");
    for (int i = 0; i < headerPairs.length; i += 2) request.putHeader(headerPairs[i], headerPairs[i + 1]);
    return request.send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static void assertForbidden(HttpResponse<Buffer> r) {
    assertEquals(403, r.statusCode(), r.bodyAsString());
    assertEquals("forbidden", r.bodyAsJsonObject().getString("error"));
    assertEquals(MetricsAccess.LOOPBACK_ONLY, r.bodyAsJsonObject().getString("reason"));
    assertFalse(r.bodyAsString().contains("jvm_"));
  }

  @Test
  void aScraperOnLoopbackReadsMetrics() throws Exception {
    HttpResponse<Buffer> r = metrics(local);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertTrue(r.bodyAsString().contains("jvm_memory_used_bytes"));
  }

  /** {@code gateway_metrics_refused_total{status}} as a local scraper reads it. */
  static double refused(WebClient scraper, int status) throws Exception {
    HttpResponse<Buffer> r = metrics(scraper);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^gateway_metrics_refused_total\\{status=\""
        + status + "\"} ([0-9.E]+)$").matcher(r.bodyAsString());
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void theTrustedProxyAndForwardedRequestsAreRefusedWhateverAddressTheyName() throws Exception {
    double before = refused(local, 403);
    assertForbidden(metrics(proxy));
    assertForbidden(metrics(proxy, "X-Forwarded-For", "127.0.0.1"));
    assertForbidden(metrics(proxy, "Forwarded", "for=127.0.0.1"));
    assertForbidden(metrics(local, "X-Forwarded-For", "127.0.0.2"));
    assertForbidden(metrics(local, "Forwarded", "for=\"[::1]\""));
    assertForbidden(metrics(local, "X-Real-IP", "127.0.0.2"));
    assertEquals(before + 6, refused(local, 403), "every refusal is counted");
    assertEquals(200, proxy.get("/health").send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
        .statusCode(), "/health stays open to the proxy (load balancers)");
  }

  @Test
  void onlyLoopbackPeersThatRelayNobodyAreLocalScrapers() {
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 127.0.0.9");
    for (String local : List.of("127.0.0.1", "127.8.9.10", "0:0:0:0:0:0:0:1", "::1", "::ffff:127.0.0.1")) {
      assertTrue(MetricsAccess.localScraper(local, proxies, none), local);
    }
    for (String remote : List.of("192.0.2.1", "10.0.0.1", "203.0.113.7", "2001:db8::1", "::ffff:192.0.2.1", "0.0.0.0",
        "::", "unknown", "localhost", "")) {
      assertFalse(MetricsAccess.localScraper(remote, proxies, none), remote);
    }
    assertFalse(MetricsAccess.localScraper(null, proxies, none));
    assertFalse(MetricsAccess.localScraper("127.0.0.9", proxies, none), "a trusted proxy relays others");
    for (String header : MetricsAccess.PROXY_HEADERS) {
      MultiMap relayed = MultiMap.caseInsensitiveMultiMap().add(header.toLowerCase(java.util.Locale.ROOT), "127.0.0.1");
      assertFalse(MetricsAccess.localScraper("127.0.0.1", proxies, relayed), header);
    }
  }
}
