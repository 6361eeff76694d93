package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.fixtures.sip.TrunkOptions;
import dev.mileage.gateway.Features;
import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.members.SessionService;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.Tariff;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.client.WebClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole browser call, end to end, in real headless Chromium (fake microphone) against a real gateway
 * (embedded PostgreSQL, ledger, members, metering, SIP B2BUA with SIP over WebSocket and WebRTC media)
 * and the simulated PSTN: a member signs up and in, opens the phone page, dials the trunk's echo number
 * with JsSIP; the call connects, audio flows both ways (Chromium's getStats and the gateway's counters),
 * the on-screen balance counts down, and the call ends by itself when the mileage runs out, billed
 * exactly. Also: a number the network does not know shows its error, and the credential route is
 * for signed-in members only and limited.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // the limit test uses up the member's credential allowance
class BrowserCallTest {
  /** 300 points a second on the echo number: the 3,000-point sign-up bonus buys exactly 10 seconds. */
  static final long POINTS_PER_MINUTE = 18_000;
  static final long BONUS = 3_000;
  static final long SECONDS_BOUGHT = BONUS * 60 / POINTS_PER_MINUTE;
  @TempDir
  static Path dataDir;
  static BrowserGateway gateway;
  static SimulatedTrunk trunk;
  static GatewayApp app;
  static SipFeature sip;
  static Vertx clientVertx = Vertx.vertx();
  static WebClient client;
  static WebClientSession web;
  static String sessionCookie;
  static String csrf;
  static String owner;

  @BeforeAll
  static void start() throws Exception {
    gateway = BrowserGateway.start(dataDir, "browser-call-operator-password", o -> o, DemoNumbers.ECHO.substring(1),
        "Echo line", Tariff.of(POINTS_PER_MINUTE, 1, 1, 0));
    trunk = gateway.trunk();
    app = gateway.app();
    sip = gateway.sip();
    client = WebClient.create(clientVertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.httpPort()));
    signUpAndIn();
  }

  @AfterAll
  static void stop() {
    if (client != null) client.close();
    clientVertx.close();
    if (gateway != null) gateway.close();
  }

  static HttpResponse<Buffer> post(String path, JsonObject body, String csrfToken) throws Exception {
    return WebCaller.post(web, path, body, csrfToken);
  }

  static void signUpAndIn() throws Exception {
    WebCaller caller = WebCaller.signUpAndIn(client, trunk, "webcaller");
    web = caller.web();
    sessionCookie = caller.sessionCookie();
    csrf = caller.csrf();
    owner = caller.owner();
  }

  static void waitFor(Supplier<Boolean> condition, long seconds, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what.get());
      Thread.sleep(100); // polling a real browser; assertions are on content, not timing
    }
  }

  static long balance() throws Exception {
    return app.context().ledger().accountsOf(owner).toCompletableFuture().get(30, TimeUnit.SECONDS).stream()
        .filter(a -> a.pointType() == dev.mileage.points.ledger.StandardPointTypes.MILEAGE).mapToLong(Account::available).sum();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> rtpStats(ChromeDriver driver) {
    return (Map<String, Object>) driver.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        if (!window.phoneCall) { done({error: 'no call'}); return; }
        window.phoneCall.stats().then(report => {
          const out = {sent: 0, received: 0};
          report.forEach(s => {
            if (s.type === 'outbound-rtp' && s.kind === 'audio') out.sent = s.packetsSent;
            if (s.type === 'inbound-rtp' && s.kind === 'audio') out.received = s.packetsReceived;
            if (s.type === 'transport') out.dtls = s.dtlsState;
          });
          done(out);
        }, e => done({error: String(e)}));""");
  }

  static long num(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  static String text(ChromeDriver driver, String id) {
    return driver.findElement(By.id(id)).getText();
  }

  static long remainingPoints(ChromeDriver driver) {
    String v = driver.findElement(By.id("phone-live")).getAttribute("data-remaining-points");
    return v == null ? -1 : Long.parseLong(v);
  }

  @Test
  @Order(1)
  void aMemberCallsFromChromiumUntilTheMileageRunsOutAndIsBilledExactly() throws Exception {
    assertEquals(BONUS, balance());
    ChromeDriver driver = Chromium.start();
    try {
      String origin = "http://127.0.0.1:" + app.httpPort();
      driver.get(origin + "/index.html");
      driver.manage().addCookie(new Cookie(SessionService.COOKIE, sessionCookie, "/"));
      driver.executeScript("localStorage.debug = 'JsSIP:*';");
      driver.get(origin + "/index.html#/phone");
      driver.navigate().refresh();
      waitFor(() -> !driver.findElements(By.id("phone-number")).isEmpty(), 15, () -> text(driver, "main"));
      WebElement number = driver.findElement(By.id("phone-number"));

      // a number the network does not know: the call fails with its error in words
      number.sendKeys(DemoNumbers.NOT_FOUND);
      driver.findElement(By.id("phone-call")).click();
      waitFor(() -> text(driver, "phone-state").startsWith("Ended"), 30, () -> text(driver, "phone-state"));
      assertTrue(text(driver, "phone-error").contains("This number does not exist"),
          text(driver, "phone-error") + "\n" + Chromium.console(driver));
      assertEquals(BONUS, balance(), "an unanswered call costs nothing");

      // the echo line: price and minutes before dialing
      number.clear();
      number.sendKeys("+1 555 010 0001");
      waitFor(() -> text(driver, "phone-rate").contains("a minute"), 15, () -> text(driver, "phone-rate"));
      String rate = text(driver, "phone-rate");
      assertTrue(rate.contains("Echo line") && rate.contains("18,000 pts a minute") && rate.contains("about 0:10"), rate);
      long relayedBefore = sip.service().orElseThrow().mediaCounters().getOrDefault("web.relay.passed", 0L);
      long sentBefore = sip.service().orElseThrow().mediaCounters().getOrDefault("web.send.passed", 0L);
      driver.findElement(By.id("phone-call")).click();
      waitFor(() -> text(driver, "phone-state").equals("Connected"), 30,
          () -> text(driver, "phone-state") + " / " + text(driver, "phone-error"));
      assertFalse(driver.findElement(By.id("phone-hangup")).getAttribute("disabled") != null, "hang-up is enabled");

      // audio both ways: Chromium's own statistics and the gateway's pipeline counters
      waitFor(() -> {
        Map<String, Object> s = rtpStats(driver);
        return num(s.get("sent")) >= 50 && num(s.get("received")) >= 50;
      }, 15, () -> rtpStats(driver).toString());
      assertEquals("connected", rtpStats(driver).get("dtls"));
      LoopbackMedia.assertLoopbackOnly(gateway.legs(), true);
      Map<String, Long> counters = sip.service().orElseThrow().mediaCounters();
      assertTrue(counters.getOrDefault("web.relay.passed", 0L) - relayedBefore >= 50, counters.toString());
      assertTrue(counters.getOrDefault("web.send.passed", 0L) - sentBefore >= 50, counters.toString());
      assertEquals(0L, counters.getOrDefault("web.decrypt.dropped", 0L), counters.toString());
      String metrics = client.get("/metrics").send().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).bodyAsString();
      Matcher relayed = Pattern.compile("mileage_webrtc_packets_total\\{node=\"web.relay\",outcome=\"passed\"[^}]*} ([0-9.E]+)")
          .matcher(metrics);
      assertTrue(relayed.find() && Double.parseDouble(relayed.group(1)) >= 50, "the pipeline counters are in /metrics");
      for (String signal : new String[] {"queue_wait", "queue_head", "intake", "call_setup"}) {
        assertTrue(metrics.contains("sip_overload_refused_total{signal=\"" + signal + "\"} 0.0"),
            "overload refusals by signal are in /metrics, none for one browser call: " + signal);
      }

      // the dial pad sends RFC 4733 tones in a call: Chromium's own telephone-event payload type, through
      // DTLS-SRTP, the gateway's browser leg and relay, recognised by the PSTN side
      TrunkCall atTrunk = trunk.awaitCall(DemoNumbers.ECHO, Duration.ofSeconds(5)).orElseThrow();
      for (String key : List.of("1", "2", "3", "#")) driver.findElement(By.cssSelector("button[data-key='" + key + "']")).click();
      waitFor(() -> atTrunk.dtmfReceived().size() >= 4, 8,
          () -> "digits at the trunk: " + atTrunk.dtmfReceived() + ", its telephone-event payload type " + atTrunk.telephoneEvent());
      assertEquals(List.of('1', '2', '3', '#'), atTrunk.dtmfReceived());
      assertTrue(atTrunk.telephoneEvent() != 101, "this proves the offerer's payload type is used, not the fixture's 101: "
          + atTrunk.telephoneEvent());

      // the on-screen balance counts down while connected
      waitFor(() -> remainingPoints(driver) >= 0, 10, () -> text(driver, "phone-live") + " / " + text(driver, "phone-live-words")
          + " / " + text(driver, "phone-state") + "\n" + Chromium.console(driver).lines().filter(l -> !l.contains("JsSIP")).toList());
      long first = remainingPoints(driver);
      waitFor(() -> remainingPoints(driver) >= 0 && remainingPoints(driver) < first, 10,
          () -> "a lower balance than " + first + ": " + text(driver, "phone-live"));
      assertTrue(first <= BONUS);

      // the meter ends the call at the exact second the mileage runs out; the page says so
      waitFor(() -> text(driver, "phone-state").startsWith("Ended"), 30, () -> text(driver, "phone-state"));
      assertTrue(text(driver, "phone-state").contains("mileage ran out"), text(driver, "phone-state"));
      assertTrue(text(driver, "phone-error").contains("mileage ran out"), text(driver, "phone-error"));
      assertEquals("0", driver.findElement(By.id("phone-live")).getAttribute("data-remaining-points"));

      // billed exactly: the whole bonus, for exactly the seconds it bought; nothing left reserved
      JsonObject usage = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        JsonArray records = web.get("/api/v1/metering/my/usage?limit=10").send().toCompletionStage().toCompletableFuture()
            .get(30, TimeUnit.SECONDS).bodyAsJsonObject().getJsonArray("records");
        usage = records.stream().map(JsonObject.class::cast).filter(r -> "BALANCE_EXHAUSTED".equals(r.getString("reason")))
            .findFirst().orElse(null);
        if (usage != null) break;
        Thread.sleep(100);
      }
      assertTrue(usage != null, "a usage record for the exhausted call");
      assertEquals(BONUS, usage.getLong("points"), usage.encode());
      assertEquals(SECONDS_BOUGHT, usage.getLong("billedSeconds"), usage.encode());
      assertEquals(0, balance(), "the balance is spent, not below zero, nothing pending");
      // recent calls show it with its duration and points
      waitFor(() -> text(driver, "phone-recent").contains("3,000 pts"), 15, () -> text(driver, "phone-recent"));
      assertTrue(text(driver, "phone-recent").contains("0:" + String.format("%02d", SECONDS_BOUGHT)), text(driver, "phone-recent"));
    } finally {
      driver.quit();
    }
  }

  @Test
  @Order(3)
  void leavingThePageOrThePhoneViewInACallHangsItUpAtOnce() throws Exception {
    WebCaller leaver = WebCaller.signUpAndIn(client, trunk, "webleaver");
    ChromeDriver driver = Chromium.start();
    try {
      String origin = "http://127.0.0.1:" + app.httpPort();
      driver.get(origin + "/index.html");
      driver.manage().addCookie(new Cookie(SessionService.COOKIE, leaver.sessionCookie(), "/"));
      driver.get(origin + "/index.html#/phone");
      driver.navigate().refresh();
      waitFor(() -> !driver.findElements(By.id("phone-number")).isEmpty(), 15, () -> text(driver, "main"));
      driver.findElement(By.id("phone-number")).sendKeys(DemoNumbers.ECHO);
      driver.findElement(By.id("phone-call")).click();
      waitFor(() -> text(driver, "phone-state").equals("Connected"), 30,
          () -> text(driver, "phone-state") + " / " + text(driver, "phone-error"));
      TrunkCall atTrunk = trunk.calls().stream().filter(c -> c.end() == TrunkCall.End.NONE).findFirst().orElseThrow();
      LoopbackMedia.assertLoopbackOnly(gateway.legs(), true);
      Thread.sleep(1500); // a little talk
      long leftNanos = System.nanoTime();
      driver.get("about:blank"); // the member leaves the page in the middle of the call
      assertTrue(atTrunk.awaitEnded(Duration.ofSeconds(10)), "the PSTN side is hung up at once, not after the silence limit");
      assertTrue(System.nanoTime() - leftNanos < TimeUnit.SECONDS.toNanos(10));
      JsonObject usage = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (usage == null && System.nanoTime() < deadline) {
        JsonArray records = leaver.web().get("/api/v1/metering/my/usage?limit=10").send().toCompletionStage()
            .toCompletableFuture().get(30, TimeUnit.SECONDS).bodyAsJsonObject().getJsonArray("records");
        usage = records.stream().map(JsonObject.class::cast).findFirst().orElse(null);
        if (usage == null) Thread.sleep(100); // the CDR follows the BYE: poll, bounded
      }
      assertTrue(usage != null, "a usage record for the call");
      assertEquals("CALLER_HANGUP", usage.getString("reason"), usage.encode());
      assertTrue(usage.getLong("billedSeconds") < SECONDS_BOUGHT, usage.encode());

      // going to another page of the site in a call hangs it up too (the phone view, its audio and its
      // hang-up button are gone)
      driver.get(origin + "/index.html#/phone");
      waitFor(() -> !driver.findElements(By.id("phone-number")).isEmpty(), 15, () -> text(driver, "main"));
      driver.findElement(By.id("phone-number")).sendKeys(DemoNumbers.ECHO);
      driver.findElement(By.id("phone-call")).click();
      waitFor(() -> text(driver, "phone-state").equals("Connected"), 30,
          () -> text(driver, "phone-state") + " / " + text(driver, "phone-error"));
      TrunkCall second = trunk.calls().stream().filter(c -> c.end() == TrunkCall.End.NONE).findFirst().orElseThrow();
      LoopbackMedia.assertLoopbackOnly(gateway.legs(), true);
      driver.executeScript("location.hash = '#/shop';");
      assertTrue(second.awaitEnded(Duration.ofSeconds(10)), "the PSTN side is hung up when the member browses on");
      assertEquals(TrunkCall.End.CALLER_BYE, second.end());
    } finally {
      driver.quit();
    }
  }

  @Test
  @Order(2)
  void credentialsAreForSignedInMembersOnlyAndLimited() throws Exception {
    HttpResponse<Buffer> anonymous = client.post("/api/v1/phone/credentials").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{}")).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(401, anonymous.statusCode(), anonymous.bodyAsString());
    HttpResponse<Buffer> operator = client.post("/api/v1/phone/credentials").basicAuthentication("operator", "browser-call-operator-password")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{}"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(403, operator.statusCode(), operator.bodyAsString());
    HttpResponse<Buffer> first = post("/api/v1/phone/credentials", new JsonObject(), csrf);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    JsonObject c = first.bodyAsJsonObject();
    assertEquals("no-store", first.getHeader("Cache-Control"));
    assertTrue(c.getString("username").startsWith("web-") && c.getString("password").length() >= 32, c.encode());
    assertEquals("sip:" + c.getString("username") + "@127.0.0.1", c.getString("uri"));
    assertTrue(c.getString("webSocketUrl").startsWith("ws://127.0.0.1:"), c.encode());
    assertFalse(first.bodyAsString().contains("correct-horse-battery"), "never the member's password");
    assertEquals(owner, sip.subscribers(app.context()).lookup(c.getString("username")).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS).orElseThrow().owner(), "bound to the member");
    int ok = 1;
    HttpResponse<Buffer> last = first;
    for (int i = 0; i < WebPhoneFeature.ISSUES_PER_WINDOW_MAX + 1 && last.statusCode() == 200; i++) {
      last = post("/api/v1/phone/credentials", new JsonObject(), csrf);
      if (last.statusCode() == 200) ok++;
    }
    assertEquals(429, last.statusCode(), last.bodyAsString());
    assertTrue(ok <= WebPhoneFeature.ISSUES_PER_WINDOW_MAX, "issued " + ok);
    assertTrue(Long.parseLong(last.getHeader("Retry-After")) > 0);
  }
}
