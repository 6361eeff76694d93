package dev.mileage.gateway.streams;

import dev.mileage.gateway.members.SessionService;
import dev.mileage.gateway.shop.Chromium;
import dev.mileage.points.ledger.Account;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.streams.StreamsHarness.check;
import static dev.mileage.gateway.streams.StreamsHarness.quietly;
import static dev.mileage.gateway.streams.StreamsHarness.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streams page in a real headless Chromium against a real gateway on the system clock: the browser's
 * own player plays the generated video and music from the member's paced stream link, the on-screen
 * balance counts down while playing and stands still while paused, a stream runs out and the server
 * stops it billed exactly, a copied link is refused for another member, and a pause releases the
 * reservation. Real seconds pass here (the player plays in real time); every wait is bounded.
 */
class StreamsBrowserTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static StreamsHarness h;
  static Chromium browser;
  static String origin;

  @BeforeAll
  static void start() throws Exception {
    h = new StreamsHarness(dataDir, Clock.systemUTC(), true, StreamsOptions.defaults());
    h.awaitDemoCatalog();
    origin = "http://127.0.0.1:" + h.port();
    browser = new Chromium(profileDir);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  static void signIn(StreamsHarness.Member m) {
    browser.driver.get(origin + "/index.html");
    browser.driver.manage().deleteAllCookies();
    browser.driver.manage().addCookie(new Cookie(SessionService.COOKIE, m.cookie, "/"));
  }

  static void open(String hash) {
    browser.driver.get(origin + "/index.html" + hash);
    browser.driver.navigate().refresh(); // a fresh page loads the session from the cookie
  }

  static Object js(String script, Object... args) {
    return ((JavascriptExecutor) browser.driver).executeScript(script, args);
  }

  static long shownPoints() {
    String text = browser.text("#stream-points").replace(",", "").replace(" pts", "").trim();
    return text.equals("—") ? -1 : Long.parseLong(text);
  }

  /** The points on screen once they went below {@code below}: the balance decreases while playing. */
  static long pointsBelow(long below) {
    return browser.until(() -> {
      long now = shownPoints();
      return now >= 0 && now < below ? now : null;
    }, "points on screen below " + below + " (now " + browser.text("#stream-points") + ")");
  }

  /** Saves what the page looks like to target/screenshots/NAME.png, for people reviewing the build. */
  static void screenshot(String name) throws java.io.IOException {
    Path dir = Path.of("target", "screenshots");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.write(dir.resolve(name + ".png"), browser.driver.getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
  }

  /** How many items the catalog offers members (of one kind, or all when {@code kind} is null). */
  static int offered(StreamsHarness.Member m, String kind) throws Exception {
    var items = check(m.get("/api/v1/streams/items" + (kind == null ? "" : "?kind=" + kind)), 200)
        .bodyAsJsonObject().getJsonArray("items");
    return items.size();
  }

  static void sleepMs(long ms) throws InterruptedException {
    Thread.sleep(ms); // real playing time: the player in the browser plays in real time
  }

  @Test
  void videoAndMusicPlayTheBalanceFallsWhilePlayingAndStandsStillWhilePaused() throws Exception {
    var m = h.new Member("viewer");
    m.fund(1000);
    signIn(m);
    open("#/streams");
    browser.awaitText("#streams-catalog", "Harbour sunrise");
    // one card per item members are offered: the five demo items, plus any a back-office test left published
    assertEquals(offered(m, null), browser.driver.findElements(By.cssSelector("#streams-catalog .card")).size());
    assertTrue(offered(m, null) >= 5);
    screenshot("streams-catalog");
    browser.click("#streams-filter button[data-kind='MUSIC']");
    int musicItems = offered(m, "MUSIC");
    browser.until(() -> browser.driver.findElements(By.cssSelector("#streams-catalog .card")).size() == musicItems
        && browser.text("#streams-catalog").contains("Evening in C major")
        && !browser.text("#streams-catalog").contains("Harbour sunrise") ? true : null, "only music");

    open("#/streams/" + h.demoItem("VIDEO"));
    browser.awaitText("#stream-quote", "60 pts a minute");
    browser.awaitText("#stream-quote", "about 16 min");
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    browser.until(() -> ((Number) js("const v = document.getElementById('stream-media'); return v.currentTime;")).doubleValue() > 1.5
        ? true : null, "the video playing");
    assertEquals(320L, ((Number) js("return document.getElementById('stream-media').videoWidth;")).longValue());
    long first = pointsBelow(1000);
    long later = pointsBelow(first);
    screenshot("streams-video-playing");
    assertTrue(later < first);

    js("document.getElementById('stream-media').pause();");
    browser.awaitText("#stream-state", "Paused");
    long paused = shownPoints();
    String pausedTime = browser.text("#stream-time");
    sleepMs(3000);
    assertEquals(paused, shownPoints(), "the balance stands still while paused");
    assertEquals(pausedTime, browser.text("#stream-time"), "and so does the time");
    waitFor(() -> quietly(() -> m.account().debitsPending() == 0), "the pause releases the reservation");
    long postedAtPause = m.account().debitsPosted();
    assertEquals(1000 - postedAtPause, paused, "the screen shows what the ledger says");

    js("document.getElementById('stream-media').play();");
    browser.awaitText("#stream-state", "Playing");
    pointsBelow(paused);
    browser.click("#stream-stop");
    browser.awaitText("#stream-message", "The stream has ended");
    waitFor(() -> quietly(() -> m.account().debitsPending() == 0), "settled");
    Account after = m.account();
    JsonObject video = history(m).getJsonObject(0);
    assertEquals(after.debitsPosted(), video.getLong("points"), "one point per second, nothing billed twice");
    assertEquals(video.getLong("usedSeconds"), video.getLong("points"));

    open("#/streams/" + h.demoItem("MUSIC"));
    browser.awaitText("#stream-quote", "a minute");
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    browser.until(() -> ((Number) js("return document.getElementById('stream-media').currentTime;")).doubleValue() > 1.5
        ? true : null, "the music playing");
    long music = pointsBelow(1000 - after.debitsPosted());
    pointsBelow(music);
    browser.click("#stream-stop");
    browser.awaitText("#stream-message", "The stream has ended");
    open("#/streams");
    browser.awaitText("#streams-history", "Evening in C major");
    browser.awaitText("#streams-history", "Harbour sunrise");
    screenshot("streams-history");
  }

  @Test
  void aStreamRunsOutTheServerStopsItAndItIsBilledExactly() throws Exception {
    var m = h.new Member("short-of-points");
    m.fund(8);
    signIn(m);
    open("#/streams/" + h.demoItem("MUSIC"));
    browser.awaitText("#stream-quote", "(8 s)");
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    browser.awaitText("#stream-warning", "the stream stops"); // warned before the end
    browser.awaitText("#stream-message", "Your balance ran out");
    screenshot("streams-balance-ran-out");
    assertEquals("0 pts", browser.text("#stream-points"));
    waitFor(() -> quietly(() -> m.account().debitsPending() == 0), "settled");
    Account a = m.account();
    assertEquals(8, a.debitsPosted(), "exactly the eight seconds the balance paid for");
    assertEquals(0, a.available());
    JsonObject record = history(m).getJsonObject(0);
    assertEquals("BALANCE_EXHAUSTED", record.getString("reason"));
    assertEquals(8, record.getLong("usedSeconds"));
    // the server sent no more than the paid seconds: the player holds at most that much audio
    double buffered = ((Number) js("const a = document.getElementById('stream-media');"
        + " return a && a.buffered.length ? a.buffered.end(a.buffered.length - 1) : 0;")).doubleValue();
    assertTrue(buffered <= 9.0, "buffered " + buffered + " s of 45");
  }

  @Test
  void closingThePageInAStreamStopsItAtOnce() throws Exception {
    var m = h.new Member("leaves-the-page");
    m.fund(100);
    signIn(m);
    open("#/streams/" + h.demoItem("MUSIC"));
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    sleepMs(1500); // a little listening
    long left = System.nanoTime();
    browser.driver.get("about:blank"); // the member closes the page (pagehide), without pressing Stop
    long leftMs = System.currentTimeMillis(); // the navigation is done: the page's pagehide has gone out
    waitFor(() -> quietly(() -> history(m).size() == 1 && m.account().debitsPending() == 0), "the stream ended and settled");
    assertTrue(System.nanoTime() - left < java.util.concurrent.TimeUnit.SECONDS.toNanos(
        StreamsOptions.defaults().stallTimeout().toSeconds()), "at once, not after the stall timeout");
    JsonObject record = history(m).getJsonObject(0);
    // Used until the page was left, counted from the record's own start (+1 s for the pagehide to reach the server),
    // not a fixed 4 s: the test's 1.5 s of listening starts only once it has read "Playing" off the page through
    // chromedriver, which on a loaded machine can be seconds after the stream started.
    long untilLeftSeconds = (leftMs - java.time.Instant.parse(record.getString("startedAt")).toEpochMilli() + 999) / 1000 + 1;
    assertTrue(record.getLong("usedSeconds") <= untilLeftSeconds, "used until the page was left ("
        + untilLeftSeconds + " s): " + record.encode());
    assertEquals(record.getLong("points"), m.account().debitsPosted(), "billed what the record says");
  }

  @Test
  void aCopiedStreamLinkIsRefusedForAnotherMember() throws Exception {
    var owner = h.new Member("link-sharer");
    var other = h.new Member("link-taker");
    owner.fund(500);
    other.fund(500);
    signIn(owner);
    open("#/streams/" + h.demoItem("VOICE"));
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    String url = (String) js("return document.getElementById('stream-media').getAttribute('src');");
    assertTrue(url.startsWith("/api/v1/streams/media/"), url);

    // the other member uses the copied link while the owner's stream is still playing (leaving the owner's
    // page would stop it, and a dead link proves nothing): refused, with the other member's own session
    JsonArray live = owner.get("/api/v1/metering/my/sessions").bodyAsJsonObject().getJsonArray("sessions");
    assertEquals(1, live.size(), "the owner's stream is live");
    assertEquals(403, other.get(url).statusCode());
    assertEquals(0, other.account().debitsPosted() + other.account().debitsPending(), "nothing charged to the other member");
    owner.control(live.getJsonObject(0).getString("sessionId"), "stop", null);
  }

  @Test
  void aLongPauseReleasesTheReservationAndResumingDoesNotBillTwice() throws Exception {
    var m = h.new Member("pauser");
    m.fund(600);
    signIn(m);
    open("#/streams/" + h.demoItem("VIDEO"));
    browser.click("#stream-start");
    browser.awaitText("#stream-state", "Playing");
    waitFor(() -> quietly(() -> m.account().debitsPending() > 0), "a grant is reserved while playing");
    pointsBelow(600);
    js("document.getElementById('stream-media').pause();");
    browser.awaitText("#stream-state", "Paused");
    waitFor(() -> quietly(() -> m.account().debitsPending() == 0), "the paused stream holds no reservation");
    long postedAtPause = m.account().debitsPosted();
    sleepMs(TimeUnit.SECONDS.toMillis(4));
    assertEquals(postedAtPause, m.account().debitsPosted(), "nothing is billed while paused");
    js("document.getElementById('stream-media').play();");
    browser.awaitText("#stream-state", "Playing");
    waitFor(() -> quietly(() -> m.account().debitsPending() > 0), "resuming reserves afresh");
    pointsBelow(600 - postedAtPause);
    browser.click("#stream-stop");
    browser.awaitText("#stream-message", "The stream has ended");
    waitFor(() -> quietly(() -> m.account().debitsPending() == 0), "settled");
    JsonObject record = history(m).getJsonObject(0);
    assertEquals(record.getLong("usedSeconds"), record.getLong("points"), "the seconds before the pause are billed once");
    assertEquals(record.getLong("points"), m.account().debitsPosted());
  }

  static JsonArray history(StreamsHarness.Member m) throws Exception {
    return StreamsHarness.check(m.get("/api/v1/streams/my/history"), 200).bodyAsJsonObject().getJsonArray("streams");
  }

  @Test
  void operatorsAddAnItemAndUploadItsFileInTheBackOffice() throws Exception {
    Path tune = dataDir.resolve("back-office-tune.wav");
    java.nio.file.Files.write(tune, DemoMedia.music(120)); // about 5 MiB: more than other requests may carry
    browser.driver.get(origin + "/index.html");
    browser.driver.manage().deleteAllCookies();
    open("#/backoffice");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#operator-form button[type=submit]");
    browser.awaitText("#streams-admin", "Streaming catalog");

    browser.select("#stream-kind", "MUSIC");
    browser.type("#stream-title", "Back-office tune");
    browser.type("#stream-description", "uploaded through the page");
    browser.select("#stream-type", "audio/wav");
    browser.click("#stream-item-form button[type=submit]");
    browser.awaitText("#notice", "added as a draft");
    String row = browser.until(() -> browser.driver.findElements(org.openqa.selenium.By.cssSelector("#streams-admin tbody tr")).stream()
        .filter(r -> r.getText().contains("Back-office tune")).findFirst().map(r -> r.getAttribute("data-item")).orElse(null),
        "the new item's row");
    assertTrue(browser.text("#streams-admin tr[data-item='" + row + "']").contains("DRAFT"));

    browser.find("#stream-file-" + row).sendKeys(tune.toAbsolutePath().toString());
    browser.click("#stream-upload-" + row);
    browser.awaitText("#notice", "Back-office tune is published");
    browser.until(() -> browser.text("#streams-admin tr[data-item='" + row + "']").contains("READY") ? true : null, "READY in the list");
    var item = check(h.gateway.get("/api/v1/streams/items/" + row), 200).bodyAsJsonObject();
    assertEquals("READY", item.getString("status"));
    assertEquals(120, item.getInteger("durationSeconds"));
    assertEquals(java.nio.file.Files.size(tune), item.getLong("sizeBytes"));

    // retiring asks first; dismissing the question changes nothing, accepting it takes the item off the catalog
    browser.click("#stream-retire-" + row);
    browser.driver.switchTo().alert().dismiss();
    assertEquals("READY", check(h.gateway.get("/api/v1/streams/items/" + row), 200).bodyAsJsonObject().getString("status"));
    browser.click("#stream-retire-" + row);
    browser.driver.switchTo().alert().accept();
    browser.until(() -> browser.text("#streams-admin tr[data-item='" + row + "']").contains("RETIRED") ? true : null, "RETIRED in the list");
    assertEquals("RETIRED", check(h.gateway.get("/api/v1/streams/items/" + row), 200).bodyAsJsonObject().getString("status"));
    assertTrue(check(h.new Member("listener").get("/api/v1/streams/items?kind=MUSIC"), 200).bodyAsJsonObject().getJsonArray("items").stream()
        .map(o -> ((JsonObject) o).getString("title")).noneMatch("Back-office tune"::equals), "members no longer see it");
  }

  @Test
  void anOperatorPricesAnItemWithTheKeyboardAndMembersSeeThePrice() throws Exception {
    long item = h.demoItem("DATABASE"); // database: 60 points a minute by kind; no other test here prices it
    String price = "#stream-price-" + item;
    browser.driver.get(origin + "/index.html");
    browser.driver.manage().deleteAllCookies();
    open("#/backoffice");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#operator-form button[type=submit]");
    browser.awaitText(price + "-now", "60 pts a minute (its kind's tariff)");

    // bad values are explained next to the field, keep the focus there and change nothing
    for (String bad : new String[] {"abc", "-5", "12.5", "1000000001", ""}) {
      browser.type(price, bad);
      browser.find(price).sendKeys(org.openqa.selenium.Keys.ENTER);
      browser.awaitText(price + "-error", bad.isEmpty() ? "Enter a whole number of points per minute" : "is not a price");
      assertEquals("stream-price-" + item, js("return document.activeElement.id"), "the focus stays on the field");
      assertEquals("true", browser.find(price).getAttribute("aria-invalid"));
      JsonObject unchanged = check(h.gateway.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject();
      assertEquals("KIND", unchanged.getString("priceSource"), "unchanged after '" + bad + "'");
      js("document.getElementById(arguments[0]).textContent = ''", "stream-price-" + item + "-error");
    }

    browser.type(price, "150");
    browser.find(price).sendKeys(org.openqa.selenium.Keys.ENTER); // the keyboard submits the row's form
    browser.awaitText("#notice", "now costs 150 pts a minute");
    browser.awaitText(price + "-now", "150 pts a minute (its own price)");
    JsonObject priced = check(h.gateway.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject();
    assertEquals(150, priced.getLong("pointsPerMinute"));
    assertEquals("ITEM", priced.getString("priceSource"));
    screenshot("streams-backoffice-price");

    var m = h.new Member("price-watcher");
    m.fund(300);
    signIn(m);
    open("#/streams?kind=DATABASE");
    browser.awaitText("#streams-catalog .card[data-item='" + item + "'] .price", "150 pts a minute");
    open("#/streams/" + item);
    browser.awaitText("#stream-quote", "150 pts a minute");
    browser.awaitText("#stream-quote", "about 2 min");

    browser.driver.get(origin + "/index.html");
    browser.driver.manage().deleteAllCookies();
    open("#/backoffice");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#operator-form button[type=submit]");
    browser.find(price + "-clear").sendKeys(org.openqa.selenium.Keys.ENTER); // a focused button, by keyboard
    browser.awaitText("#notice", "priced by its kind again");
    browser.awaitText(price + "-now", "60 pts a minute (its kind's tariff)");
    assertEquals("KIND", check(h.gateway.get("/api/v1/streams/items/" + item), 200).bodyAsJsonObject().getString("priceSource"));
    signIn(m);
    open("#/streams?kind=DATABASE");
    browser.awaitText("#streams-catalog .card[data-item='" + item + "'] .price", "60 pts a minute");
  }
}
