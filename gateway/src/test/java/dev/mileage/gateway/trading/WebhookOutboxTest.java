package dev.mileage.gateway.trading;

import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.mileage.gateway.trading.TradingHarness.await;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Webhooks to a shop that is down (nothing listening), then failing (503), then up: every event is kept in
 * the outbox, retried only when its backoff has passed on the injected clock, and delivered exactly once,
 * signed with the shop's secret, once the shop answers 2xx. The shop sees the same events through the API.
 */
class WebhookOutboxTest {
  @TempDir
  static Path dataDir;
  static TradingHarness h;
  static final MutableClock CLOCK = new MutableClock(Instant.now());

  record Received(String eventId, String timestamp, String signature, String body) {
  }

  @BeforeAll
  static void start() throws Exception {
    // the periodic delivery is pushed out of the way: the test drives every round itself
    TradingSettings settings = new TradingSettings(new SandboxPaymentProvider(), CashOptions.DEFAULTS, null,
        TradingSettings.RATE_POLL_DEFAULT, Duration.ofHours(1));
    h = new TradingHarness(dataDir, settings, CLOCK);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  JsonObject event(TradingHarness.Partner shop, String eventId) throws Exception {
    return shop.events().stream().map(JsonObject.class::cast).filter(e -> e.getString("eventId").equals(eventId))
        .findFirst().orElseThrow();
  }

  @Test
  void eventsSurviveAShopThatIsDownAndArriveOnceSignedWhenItIsBack() throws Exception {
    int port = freePort();
    TradingHarness.Partner shop = h.partner("Flaky Shop", "PARTNER_FLAKY", 1_000_000, "http://127.0.0.1:" + port + "/hooks");
    TradingHarness.Member member = h.member("fay");
    check(shop.issue("r-1", member.phone, 10), 201);
    JsonObject first = shop.events().getJsonObject(0);
    String firstId = first.getString("eventId");
    assertFalse(first.getBoolean("delivered"));

    // down: connection refused; the attempt is counted and the next one pushed out
    assertEquals(0, await(h.trading.deliverWebhooks()));
    assertEquals(1, event(shop, firstId).getInteger("attempts"));
    assertTrue(event(shop, firstId).containsKey("lastError"));
    assertEquals(0, await(h.trading.deliverWebhooks()));
    assertEquals(1, event(shop, firstId).getInteger("attempts"), "not retried before its backoff has passed");
    CLOCK.advance(Outbox.backoff(1));
    assertEquals(0, await(h.trading.deliverWebhooks()));
    assertEquals(2, event(shop, firstId).getInteger("attempts"));

    // up but failing: 503, the event stays queued; meanwhile a second event joins it
    AtomicInteger status = new AtomicInteger(503);
    List<Received> received = new CopyOnWriteArrayList<>();
    HttpServer server = await(h.gateway.clientVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(new Received(req.getHeader(PartnerSignature.WEBHOOK_EVENT), req.getHeader(PartnerSignature.WEBHOOK_TIMESTAMP),
          req.getHeader(PartnerSignature.WEBHOOK_SIGNATURE), b.toString(StandardCharsets.UTF_8)));
      req.response().setStatusCode(status.get()).end();
    })).listen(port, "127.0.0.1"));
    try {
      check(shop.issue("r-2", member.phone, 20), 201);
      CLOCK.advance(Outbox.backoff(2));
      assertEquals(0, await(h.trading.deliverWebhooks()));
      assertEquals(2, received.size(), "both due events were tried");
      assertEquals("HTTP 503", event(shop, firstId).getString("lastError"));

      // back: everything queued arrives, signed, each once
      status.set(204);
      CLOCK.advance(Outbox.backoff(3));
      assertEquals(2, await(h.trading.deliverWebhooks()));
      assertEquals(0, await(h.trading.deliverWebhooks()));
      CLOCK.advance(Outbox.BACKOFF_MAX);
      assertEquals(0, await(h.trading.deliverWebhooks()), "delivered events are never sent again");
      List<Received> ok = received.subList(2, received.size());
      assertEquals(2, ok.size());
      for (Received r : ok) {
        String expected = PartnerSignature.webhook(shop.secret, Long.parseLong(r.timestamp()), r.body().getBytes(StandardCharsets.UTF_8));
        assertTrue(PartnerSignature.same(expected, r.signature()), "webhook signed with the shop's secret");
        JsonObject payload = new JsonObject(r.body());
        assertEquals(r.eventId(), payload.getString("eventId"));
        assertEquals("points.issued", payload.getString("type"));
      }
      assertEquals(java.util.Set.of("r-1", "r-2"), ok.stream().map(r -> new JsonObject(r.body()).getJsonObject("data")
          .getString("issuanceKey")).collect(java.util.stream.Collectors.toSet()));
      JsonArray events = shop.events();
      assertTrue(events.stream().map(JsonObject.class::cast).allMatch(e -> e.getBoolean("delivered")), events.encodePrettily());
      assertEquals(4, event(shop, firstId).getInteger("attempts"), "four attempts in all: two refused, one 503, one delivered");
    } finally {
      await(server.close());
    }
  }

  @Test
  void backoffDoublesUpToItsBound() {
    assertEquals(Outbox.BACKOFF_BASE, Outbox.backoff(1));
    assertEquals(Outbox.BACKOFF_BASE.multipliedBy(8), Outbox.backoff(4));
    assertEquals(Outbox.BACKOFF_MAX, Outbox.backoff(40));
    assertEquals(Outbox.BACKOFF_MAX, Outbox.backoff(Integer.MAX_VALUE));
  }
}
