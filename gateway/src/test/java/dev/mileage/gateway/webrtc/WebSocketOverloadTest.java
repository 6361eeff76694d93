package dev.mileage.gateway.webrtc;

import dev.mileage.points.metering.Tariff;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Overload control for browsers: a burst of new calls over one SIP WebSocket (RFC 7118) against a 1 ms
 * overload limit. A browser's Via names a {@code .invalid} host, so a refusal can only reach it on its own
 * connection: every INVITE gets exactly one final answer there, either the challenge (401) or 503 with
 * Retry-After, each refusal is counted once at {@code /metrics}, and the gate lets a new call in once the
 * burst has been handled. Nothing is reserved: none of these INVITEs is authenticated.
 */
class WebSocketOverloadTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  /** Far more than a millisecond of work: with a 1 ms limit this burst overloads any machine. */
  static final int BURST = 200;
  static final String OFFER = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
  @TempDir
  static Path dataDir;
  static BrowserGateway gateway;
  static WebRtcCalls web;

  @BeforeAll
  static void start() throws Exception {
    // a 1 ms limit, and no per-source rate limit: the burst comes from one connection
    gateway = BrowserGateway.start(dataDir, "ws-overload-operator-password",
        o -> o.withLimits(4, 1000, 1_000_000, 10).withOverloadDelay(Duration.ofMillis(1)), "1555", "demo",
        Tariff.of(60, 1, 1, 0));
    web = gateway.web();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  @Test
  void aBurstOverOneWebSocketIsAnsweredInFullOnItSomeChallengedTheRestRefusedWithRetryAfter() throws Exception {
    String domain = web.domain().orElseThrow();
    try (WsSipClient c = new WsSipClient(web.webSocketUrl().orElseThrow())) {
      Set<String> sent = new TreeSet<>();
      for (int i = 0; i < BURST; i++) {
        String callId = "ws-burst-" + i;
        sent.add(callId);
        c.send(c.invite("+15550100001", domain, "anyone", callId, "t" + i, "z9hG4bK-ws-burst-" + i, OFFER, null));
      }
      Map<String, Set<Integer>> finals = new HashMap<>();
      int refused = 0;
      int answers = 0;
      while (answers < BURST) {
        String r = c.awaitFinal(WAIT);
        assertNotNull(r, "only " + answers + " of " + BURST + " INVITEs were answered: " + finals.keySet());
        answers++;
        int status = WsSipClient.status(r);
        finals.computeIfAbsent(WsSipClient.header(r, "Call-ID"), k -> new TreeSet<>()).add(status);
        if (status == 503) {
          refused++;
          assertEquals("2", WsSipClient.header(r, "Retry-After"), r);
        }
      }
      assertEquals(sent, finals.keySet(), "every INVITE of the burst got its final answer on its WebSocket");
      long challenged = finals.values().stream().filter(s -> s.equals(Set.of(401))).count();
      long refusedCalls = finals.values().stream().filter(s -> s.equals(Set.of(503))).count();
      assertEquals(BURST, challenged + refusedCalls, "each either challenged or refused, never both: " + finals);
      assertEquals(refused, refusedCalls, "one final answer per INVITE");
      assertTrue(refused > 0, "a 1 ms limit is passed by a burst of " + BURST);
      assertTrue(challenged > 0, "the first INVITE finds the gateway idle");
      assertEquals(refused, refusalsInMetrics(), "each refusal counted once");
      assertNull(c.awaitFinal(Duration.ofMillis(500)), "no INVITE is answered twice (a reliable transport)");

      // once the burst is handled, a new call is let in (challenged) on the same WebSocket
      long deadline = System.nanoTime() + WAIT.toNanos();
      int status = 0;
      for (int attempt = 0; status != 401 && System.nanoTime() < deadline; attempt++) {
        Thread.sleep(200); // the smoothed queue wait decays between attempts: bounded by the deadline
        c.send(c.invite("+15550100001", domain, "anyone", "ws-after-" + attempt, "a" + attempt,
            "z9hG4bK-ws-after-" + attempt, OFFER, null));
        String r = c.awaitFinal(WAIT);
        assertNotNull(r);
        status = WsSipClient.status(r);
      }
      assertEquals(401, status, "the gate reopens once the burst is handled");
    }
    assertTrue(gateway.trunk().calls().isEmpty(), "nothing reached the trunk");
  }

  static long refusalsInMetrics() throws Exception {
    String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + gateway.app().httpPort() + "/metrics")).timeout(WAIT).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Matcher m = Pattern.compile("(?m)^sip_overload_refused_total\\{signal=\"[a-z_]+\"} ([0-9.]+)$").matcher(metrics);
    double total = 0;
    int signals = 0;
    while (m.find()) {
      total += Double.parseDouble(m.group(1));
      signals++;
    }
    assertEquals(4, signals, "one series per signal");
    return (long) total;
  }
}
