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
 * why, paging, marking one and a whole page read. Also a manufacturer changing its product list in the back office.
 */
class MallVendorPagesTest {
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
    // "12 tokens" contains "2 tokens": wait for the older page by its size, then read it
    notificationsShown(2);
    browser.awaitText("#notifications li:first-child .detail", "2 tokens issued to the vendor");
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
    notificationsShown(1);
    browser.awaitText("#notifications", "1 tokens issued to the vendor");
    browser.screenshot("mall-notifications");
    assertEquals(1, notes(a, "").getLong("unread"));
  }

  @Test
  void aManufacturerChangesItsProductListInTheBackOfficeWithTheKeyboard() throws Exception {
    MallHarness.VendorClient s = h.vendor(owner, "Pages Shop", 10);
    s.product("P1", 10);
    s.product("P2", 10);
    MallHarness.VendorClient m = h.approve(h.apply(owner, "Pages Maker", "MANUFACTURER", "PAGESMAKER", 10,
        new JsonArray().add(s.id + ":P1")));
    String p1 = s.id + ":P1";
    String p2 = s.id + ":P2";

    browser.web().get(base + "#/mall/backoffice");
    browser.web().navigate().refresh(); // a fresh page: no vendor key in memory from another test
    browser.type("#vendorKey", m.apiKey);
    browser.find("#vendorKey").sendKeys(Keys.ENTER);
    browser.awaitText("#allowed-products", p1);
    browser.type("#addProduct", p2);
    browser.find("#addProduct").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", p2 + " added.");
    browser.awaitText("#allowed-products", p2);
    browser.awaitText("#last-change", "by vendor:" + m.id + ": added " + p2 + ", removed nothing.");
    browser.type("#addProduct", p2);
    browser.find("#addProduct").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", "these products are on the list already; nothing was changed (" + p2 + ")");

    browser.find("button[aria-label='Remove " + p1 + "']").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", p1 + " removed: your tokens no longer pay for it.");
    browser.find("button[aria-label='Remove " + p2 + "']").sendKeys(Keys.ENTER);
    browser.awaitText("#notice", "must keep at least one product");
    browser.awaitText("#allowed-products", p2);
    browser.awaitText("#notifications-link", "Notifications (2 unread)");
    browser.screenshot("mall-product-list");
    JsonObject list = check(h.gateway.get("/api/v1/mall/vendors/" + m.id + "/allowed-products"), 200).bodyAsJsonObject();
    assertEquals(new JsonArray().add(p2), list.getJsonArray("allowedProducts"));
    assertEquals(2, list.getJsonArray("changes").size());
  }

  /** Waits until the page lists exactly {@code n} notifications (bounded by the browser helper's wait). */
  static void notificationsShown(int n) {
    browser.until(() -> browser.web().findElements(org.openqa.selenium.By.cssSelector("#notifications li")).size() == n
        ? Boolean.TRUE : null, () -> n + " notifications listed");
  }
}
