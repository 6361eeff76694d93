package dev.mileage.gateway.mall;

import dev.mileage.gateway.shop.Chromium;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;

import java.nio.file.Path;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vendors' notifications: the API (a page at a time by id, unread only, marking read; a vendor never reaches
 * another's) and the page in a real headless Chromium, used with the keyboard: signing in with a wrong key shows
 * why, paging, marking one and a whole page read.
 */
class MallNotificationsTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static MallHarness h;
  static Chromium browser;
  static String base;
  static MallHarness.Member owner;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
    base = "http://127.0.0.1:" + h.port() + "/";
    browser = new Chromium(profileDir);
    owner = h.new Member("notes-owner").ready();
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  static JsonObject notes(MallHarness.VendorClient v, String query) throws Exception {
    return check(v.call(HttpMethod.GET, "/api/v1/mall/vendor/notifications" + query, null), 200).bodyAsJsonObject();
  }

  @Test
  void theApiPagesByIdFiltersUnreadAndMarksOnlyTheCallersOwn() throws Exception {
    MallHarness.VendorClient a = h.vendor(owner, "Notes Api Alpha", 10);
    MallHarness.VendorClient b = h.vendor(owner, "Notes Api Beta", 10);
    for (int i = 1; i <= 5; i++) check(a.buyTokens(i, key()), 200);
    check(b.buyTokens(7, key()), 200);

    JsonObject first = notes(a, "?limit=2");
    assertEquals(5, first.getLong("unread"));
    JsonArray page1 = first.getJsonArray("notifications");
    assertEquals(2, page1.size());
    assertEquals("ISSUANCE", page1.getJsonObject(0).getString("kind"));
    assertEquals("5 tokens issued to the vendor", page1.getJsonObject(0).getString("detail"), "newest first");
    JsonArray page2 = notes(a, "?limit=2&before=" + first.getLong("next")).getJsonArray("notifications");
    assertEquals("3 tokens issued to the vendor", page2.getJsonObject(0).getString("detail"));
    JsonObject last = notes(a, "?limit=2&before=" + notes(a, "?limit=2&before=" + first.getLong("next")).getLong("next"));
    assertEquals(1, last.getJsonArray("notifications").size());
    assertNull(last.getValue("next"), "the last page says so");

    long bNote = notes(b, "").getJsonArray("notifications").getJsonObject(0).getLong("id");
    long aNote = page1.getJsonObject(0).getLong("id");
    JsonObject marked = check(a.post("/api/v1/mall/vendor/notifications/read", new JsonObject().put("ids", new JsonArray().add(aNote).add(bNote))),
        200).bodyAsJsonObject();
    assertEquals(1, marked.getInteger("marked"), "another vendor's notification is not touched");
    assertEquals(4, marked.getLong("unread"));
    assertEquals(1, notes(b, "").getLong("unread"));
    assertEquals(0, check(a.post("/api/v1/mall/vendor/notifications/read", new JsonObject().put("ids", new JsonArray().add(aNote))), 200)
        .bodyAsJsonObject().getInteger("marked"), "marking twice marks nothing more");
    JsonArray unread = notes(a, "?unread=true").getJsonArray("notifications");
    assertEquals(4, unread.size());
    assertFalse(unread.stream().anyMatch(n -> ((JsonObject) n).getLong("id") == aNote));
    assertTrue(notes(a, "").getJsonArray("notifications").getJsonObject(0).getBoolean("read"));

    for (String bad : new String[] {"?limit=0", "?limit=101", "?before=x", "?unread=maybe"}) {
      assertEquals(400, a.call(HttpMethod.GET, "/api/v1/mall/vendor/notifications" + bad, null).statusCode(), bad);
    }
    assertEquals(400, a.post("/api/v1/mall/vendor/notifications/read", new JsonObject().put("ids", new JsonArray())).statusCode());
    assertEquals(403, owner.get("/api/v1/mall/vendor/notifications").statusCode(), "members have no vendor notifications");
  }

  @Test
  void aVendorReadsPagesAndMarksNotificationsReadWithTheKeyboard() throws Exception {
    MallHarness.VendorClient a = h.vendor(owner, "Notes Page Alpha", 10);
    for (int i = 1; i <= 12; i++) check(a.buyTokens(i, key()), 200);

    browser.web().get(base + "#/mall/notifications");
    browser.web().navigate().refresh(); // a fresh page: no vendor key in memory from another test
    browser.type("#notesVendorKey", "vk_" + a.id + "_wrong-secret-wrong-secret");
    browser.find("#notesVendorKey").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", "Could not sign in: invalid vendor credentials");
    browser.find("#notesVendorKey").clear();
    browser.type("#notesVendorKey", a.apiKey);
    browser.find("#notesVendorKey").sendKeys(Keys.ENTER);
    browser.awaitText("h1", "Notes Page Alpha: notifications");
    browser.awaitText("#unread-count", "12 unread");
    assertEquals(10, browser.web().findElements(org.openqa.selenium.By.cssSelector("#notifications li")).size());
    browser.awaitText("#notifications li:first-child .detail", "12 tokens issued to the vendor");

    browser.find("#older-page").sendKeys(Keys.ENTER);
    browser.awaitText("#notifications li:first-child .detail", "2 tokens issued to the vendor");
    assertEquals(2, browser.web().findElements(org.openqa.selenium.By.cssSelector("#notifications li")).size());
    browser.find("#notifications li:first-child .mark-read").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", "Notification: 1 marked read, 11 unread left.");
    browser.awaitText("#unread-count", "11 unread");
    browser.awaitText("#notifications li:first-child", "Tokens issued");
    assertTrue(java.util.List.of(browser.find("#notifications li:first-child").getAttribute("class").split(" ")).contains("read"));
    assertEquals(11, notes(a, "").getLong("unread"));

    browser.find("#first-page").sendKeys(Keys.ENTER);
    browser.awaitText("#notifications li:first-child .detail", "12 tokens issued to the vendor");
    browser.find("#mark-page-read").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", "This page: 10 marked read, 1 unread left.");
    browser.find("#unread-filter").sendKeys(Keys.ENTER);
    browser.awaitText("#notifications", "1 tokens issued to the vendor");
    assertEquals(1, browser.web().findElements(org.openqa.selenium.By.cssSelector("#notifications li")).size());
    browser.screenshot("mall-notifications");
    assertEquals(1, notes(a, "").getLong("unread"));
  }
}
