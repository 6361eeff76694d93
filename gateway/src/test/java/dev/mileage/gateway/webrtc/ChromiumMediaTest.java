package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.RtpEndpoint;
import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.PortPool;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.chrome.ChromeDriver;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real headless Chromium against the gateway's browser leg: ICE-lite, DTLS 1.2 (Chromium's certificate
 * checked against its own offer's fingerprint), SRTP both ways, audio echoed by a plain-RTP endpoint of
 * sip-fixtures behind the leg. Signalling is a bare HTTP offer/answer here (the SIP-over-WebSocket path
 * has its own test); what is proven is that a real browser's media interoperates.
 */
class ChromiumMediaTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static Vertx vertx;
  private static Context context;
  private static PortPool ports;
  private static HttpServer http;
  private static DtlsIdentity identity;
  private static final MediaCounters COUNTERS = new MediaCounters();
  private static final AtomicReference<WebRtcLeg> LEG = new AtomicReference<>();
  private static final AtomicReference<String> TAMPER = new AtomicReference<>();
  private static RtpEndpoint echo;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    identity = DtlsIdentity.generate(RANDOM, Instant.now());
    echo = new RtpEndpoint("127.0.0.1", RtpEndpoint.Mode.ECHO, 0.0, 1);
    String page;
    try (InputStream in = ChromiumMediaTest.class.getResourceAsStream("/webrtc/media-test.html")) {
      page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    int base = 20000 + RANDOM.nextInt(20000);
    java.util.concurrent.CompletableFuture<HttpServer> started = new java.util.concurrent.CompletableFuture<>();
    context.runOnContext(v -> {
      ports = new PortPool(vertx, "127.0.0.1", base, base + 100);
      vertx.createHttpServer().requestHandler(req -> {
        if (req.path().equals("/")) {
          req.response().putHeader("content-type", "text/html").end(page);
        } else if (req.path().equals("/offer")) {
          req.body().compose(body -> {
            String sdp = body.toString();
            if (TAMPER.get() != null) sdp = sdp.replaceAll("a=fingerprint:sha-256 [0-9A-F:]+", "a=fingerprint:" + TAMPER.get());
            WebRtcOffer offer = WebRtcOffer.parse(sdp);
            if (!offer.ok()) return Future.failedFuture(offer.check().words);
            return WebRtcLeg.open(vertx, ports, COUNTERS, identity, "127.0.0.1", offer, RANDOM);
          }).onComplete(ar -> {
            if (ar.failed()) {
              req.response().setStatusCode(488).end(ar.cause().getMessage());
              return;
            }
            WebRtcLeg leg = ar.result();
            LEG.set(leg);
            leg.relay("127.0.0.1", echo.port());
            echo.remote(new InetSocketAddress("127.0.0.1", leg.innerPort()), 0);
            req.response().putHeader("content-type", "application/sdp").end(leg.answerSdp(1, 1));
          });
        } else {
          req.response().setStatusCode(404).end();
        }
      }).listen(0, "127.0.0.1").onComplete(ar -> {
        if (ar.succeeded()) started.complete(ar.result());
        else started.completeExceptionally(ar.cause());
      });
    });
    http = started.get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (echo != null) echo.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> stats(ChromeDriver driver) {
    return (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1]; stats().then(done, e => done({error: String(e)}));");
  }

  static long num(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  @Test
  void chromiumAudioFlowsBothWaysThroughDtlsSrtp() throws Exception {
    TAMPER.set(null);
    ChromeDriver driver = Chromium.start();
    try {
      driver.get("http://127.0.0.1:" + http.actualPort() + "/");
      ((JavascriptExecutor) driver).executeScript("startCall().catch(e => window.result.state = 'error:' + e);");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Map<String, Object> s = stats(driver);
      while (System.nanoTime() < deadline && (num(s.get("received")) < 100 || num(s.get("sent")) < 100)) {
        Thread.sleep(200); // polling a real browser; the assertion is on counts, not timing
        s = stats(driver);
      }
      assertEquals("connected", s.get("state"), "browser: " + s + " gateway: " + COUNTERS.snapshot());
      assertEquals("connected", s.get("dtls"));
      assertTrue(num(s.get("sent")) >= 100, "browser sent " + s);
      assertTrue(num(s.get("received")) >= 100, "browser received " + s + " gateway: " + COUNTERS.snapshot());
      assertEquals(DtlsOutcome.OK, LEG.get().secured().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS));
      assertTrue(COUNTERS.get("web.relay", "passed") >= 100, COUNTERS.snapshot().toString());
      assertTrue(COUNTERS.get("web.send", "passed") >= 100, COUNTERS.snapshot().toString());
      assertTrue(echo.packetsReceived() >= 100);
      assertEquals(0, COUNTERS.get("web.decrypt", "dropped"), COUNTERS.snapshot().toString());
      LoopbackMedia.assertLoopbackOnly(java.util.List.of(LEG.get()), true);
    } finally {
      driver.quit();
      WebRtcLeg leg = LEG.getAndSet(null);
      if (leg != null) context.runOnContext(v -> leg.close());
    }
  }

  @Test
  void aFingerprintThatIsNotChromiumsIsRefused() throws Exception {
    TAMPER.set(DtlsIdentity.generate(RANDOM, Instant.now()).fingerprint().sdpValue());
    ChromeDriver driver = Chromium.start();
    try {
      long relayedBefore = COUNTERS.get("web.relay", "passed");
      driver.get("http://127.0.0.1:" + http.actualPort() + "/");
      ((JavascriptExecutor) driver).executeScript("startCall().catch(e => window.result.state = 'error:' + e);");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (LEG.get() == null && System.nanoTime() < deadline) Thread.sleep(50);
      DtlsOutcome outcome = LEG.get().secured().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertEquals(DtlsOutcome.FINGERPRINT_MISMATCH, outcome);
      Map<String, Object> s = stats(driver);
      assertTrue(num(s.get("received")) == 0, "no audio reaches the browser: " + s);
      assertEquals(relayedBefore, COUNTERS.get("web.relay", "passed"), "no audio reaches the relay");
      LoopbackMedia.assertLoopbackOnly(java.util.List.of(LEG.get()), true);
    } finally {
      driver.quit();
      WebRtcLeg leg = LEG.getAndSet(null);
      if (leg != null) context.runOnContext(v -> leg.close());
    }
  }
}
