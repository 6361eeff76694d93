package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.Smsc;
import dev.mileage.gateway.Feature;
import dev.mileage.gateway.MutableClock;
import dev.mileage.gateway.TestGateway;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.members.MembersOptions;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SessionService;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.shop.ShopFeature;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClientSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The phone page in real headless Chromium on a real gateway (members, shop, metering, embedded
 * PostgreSQL): a signed-in member sees the dial pad and balance, the price and minutes for a typed
 * number from the tariff, the error for an invalid number, and the no-balance error before any call.
 */
class PhonePageTest {
  @TempDir
  static Path dataDir;
  static Smsc smsc;
  static TestGateway gateway;
  static String sessionCookie;

  @BeforeAll
  static void start() throws Exception {
    smsc = Smsc.start();
    List<Feature> features = List.of(new LedgerFeature(),
        new MembersFeature(MembersOptions.defaults().withSmscUri(smsc.uri()), PasswordHasher.OWASP),
        new ShopFeature(), new MeteringFeature());
    gateway = new TestGateway(dataDir, features, new MutableClock(Instant.parse("2026-11-23T00:00:00Z")));
    JsonObject tariff = new JsonObject().put("label", "Korea mobile").put("pointsPerMinute", 60)
        .put("initialIncrementSeconds", 60).put("subsequentIncrementSeconds", 1);
    HttpResponse<Buffer> put = gateway.send(HttpMethod.PUT, "/api/v1/metering/tariffs/calls/8210", TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(tariff.encode()));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    JsonObject dear = new JsonObject().put("label", "Satellite").put("pointsPerMinute", 100_000)
        .put("initialIncrementSeconds", 60).put("subsequentIncrementSeconds", 60);
    put = gateway.send(HttpMethod.PUT, "/api/v1/metering/tariffs/calls/8817", TestGateway.OPERATOR,
        TestGateway.PASSWORD, Buffer.buffer(dear.encode()));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    sessionCookie = signedInMember();
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
    if (smsc != null) smsc.close();
  }

  static HttpResponse<Buffer> post(WebClientSession web, String path, JsonObject body) throws Exception {
    return web.post(path).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body.encode()))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Signs a new member up, verifies the phone with the SMS code and signs in; answers the session cookie. */
  static String signedInMember() throws Exception {
    WebClientSession web = WebClientSession.create(gateway.client);
    String phone = "+821099" + String.format("%06d", (int) (Math.random() * 1_000_000));
    String password = "correct-horse-battery";
    HttpResponse<Buffer> up = post(web, "/auth/sign-up", new JsonObject().put("loginId", "caller1").put("password", password)
        .put("name", "Caller One").put("phone", phone).put("address", "1 Test-ro, Seoul").put("occupation", "tester"));
    assertEquals(201, up.statusCode(), up.bodyAsString());
    String sms = smsc.awaitMessage(phone, Instant.now().plusSeconds(10)).orElseThrow().body();
    Matcher m = Pattern.compile("([0-9]{6})").matcher(sms);
    assertTrue(m.find());
    assertEquals(200, post(web, "/auth/verify-phone", new JsonObject().put("loginId", "caller1").put("code", m.group(1))).statusCode());
    HttpResponse<Buffer> in = post(web, "/auth/sign-in", new JsonObject().put("loginId", "caller1").put("password", password));
    assertEquals(200, in.statusCode(), in.bodyAsString());
    for (String c : in.cookies()) {
      if (c.startsWith(SessionService.COOKIE + "=")) return c.substring(SessionService.COOKIE.length() + 1).split(";")[0];
    }
    throw new AssertionError("no session cookie");
  }

  static void waitFor(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.get()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(100); // polling a real browser; assertions are on content, not timing
    }
  }

  @Test
  void signedInMemberSeesPriceMinutesAndClearErrors() throws Exception {
    ChromeDriver driver = Chromium.start();
    try {
      String origin = "http://127.0.0.1:" + gateway.app.httpPort();
      driver.get(origin + "/index.html");
      driver.manage().addCookie(new Cookie(SessionService.COOKIE, sessionCookie, "/"));
      driver.get(origin + "/index.html#/phone");
      driver.navigate().refresh(); // load the session with the cookie
      try {
        waitFor(() -> !driver.findElements(By.id("phone-number")).isEmpty(), "the phone page");
      } catch (AssertionError e) {
        Object session = driver.executeAsyncScript("const d = arguments[0]; fetch('/auth/session').then(r => r.text()).then(d, e => d(String(e)));");
        throw new AssertionError(e.getMessage() + ": " + driver.findElement(By.id("main")).getText() + " session: " + session, e);
      }
      assertEquals(12, driver.findElements(By.cssSelector(".pad button")).size(), "dial pad 0-9 * #");
      String balanceText = driver.findElement(By.id("phone-balance")).getText();
      Matcher bm = Pattern.compile("Your mileage: ([0-9,]+) pts").matcher(balanceText);
      assertTrue(bm.find(), balanceText);
      long balance = Long.parseLong(bm.group(1).replace(",", ""));

      WebElement number = driver.findElement(By.id("phone-number"));
      number.sendKeys("+82 10 1234 567");
      driver.findElement(By.cssSelector(".pad button[data-key='8']")).click(); // the dial pad types too
      waitFor(() -> driver.findElement(By.id("phone-rate")).getText().contains("a minute"), "the price");
      String rate = driver.findElement(By.id("phone-rate")).getText();
      assertTrue(rate.contains("Korea mobile") && rate.contains("60 pts a minute") && rate.contains("about " + (balance / 60) + " min"), rate);

      // a destination the balance cannot pay one increment of: refused on the page before any call
      number.clear();
      number.sendKeys("+881 7123 4567");
      waitFor(() -> driver.findElement(By.id("phone-rate")).getText().contains("Satellite"), "the satellite price");
      assertTrue(balance < 100_000, "the member's balance must be below one satellite minute for this check");
      driver.findElement(By.id("phone-call")).click();
      waitFor(() -> driver.findElement(By.id("phone-error")).isDisplayed(), "the no-balance error");
      assertTrue(driver.findElement(By.id("phone-error")).getText().contains("Not enough mileage"));

      number.clear();
      number.sendKeys("12345", Keys.ENTER); // keyboard: Enter dials
      waitFor(() -> driver.findElement(By.id("phone-error")).getText().contains("not valid"), "the invalid-number error");
      assertEquals("Ready", driver.findElement(By.id("phone-state")).getText(), "nothing was dialled");
      assertFalse(driver.findElement(By.id("phone-call")).getAttribute("disabled") != null);
    } finally {
      driver.quit();
    }
  }
}
