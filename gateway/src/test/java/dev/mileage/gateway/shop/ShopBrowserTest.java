package dev.mileage.gateway.shop;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;

import static dev.mileage.gateway.shop.ShopHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The site in a real headless Chromium against a real gateway: join, read the code the SMSC received,
 * verify, sign in, buy two products, see the mileage arrive in the wallet; a declined card changes nothing;
 * password guessing is throttled on screen.
 */
class ShopBrowserTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static ShopHarness h;
  static Chromium browser;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    h = new ShopHarness(dataDir);
    base = "http://127.0.0.1:" + h.port() + "/";
    browser = new Chromium(profileDir);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  private long productId(String name) throws Exception {
    var list = check(h.gateway.send(HttpMethod.GET, "/catalog/products?q=" + java.net.URLEncoder.encode(name, "UTF-8"), null, null, null), 200)
        .bodyAsJsonArray();
    return ((JsonObject) list.getValue(0)).getLong("id");
  }

  @Test
  void joinVerifySignInBuyTwoProductsAndSeeTheMileageInTheWallet() throws Exception {
    String phone = "+821077700001";
    browser.web().get(base + "#/signup");
    browser.type("#loginId", "browser-buyer");
    browser.type("#password", "a-long-browser-password");
    browser.type("#name", "Browser Buyer");
    browser.type("#phone", phone);
    browser.type("#address", "5 Chromium-gil, Seoul");
    browser.click("#signup-form button[type=submit]");
    browser.awaitHash("#/verify");
    browser.awaitText("#notice", "We sent a code");
    var sms = h.smsc.awaitMessage(phone, java.time.Instant.now().plusSeconds(10)).orElseThrow();
    var m = java.util.regex.Pattern.compile("([0-9]{6})").matcher(sms.body());
    assertTrue(m.find(), "a code in the SMS");
    browser.type("#code", m.group(1));
    browser.click("#verify-form button[type=submit]");
    browser.awaitHash("#/signin");
    browser.awaitText("#notice", "3,000 pts sign-up bonus");
    browser.type("#password", "a-long-browser-password");
    browser.click("#signin-form button[type=submit]");
    browser.awaitText("#header-mileage", "3,000 pts");

    // a new phone number on the account page: the password again, then the code the new number receives
    browser.web().get(base + "#/account");
    browser.awaitText("main h1", "My account");
    String newPhone = "+821077700002";
    browser.type("#newPhone", newPhone);
    browser.type("#phonePassword", "a-long-browser-password");
    browser.click("#phone-change-form button[type=submit]");
    browser.awaitText("#notice", "A code was sent to " + newPhone);
    var changeSms = h.smsc.awaitMessage(newPhone, java.time.Instant.now().plusSeconds(10)).orElseThrow();
    var changeCode = java.util.regex.Pattern.compile("([0-9]{6})").matcher(changeSms.body());
    assertTrue(changeCode.find(), "a code in the SMS to the new number");
    browser.type("#phoneCode", changeCode.group(1));
    browser.click("#phone-code-form button[type=submit]");
    browser.awaitText("#notice", "Your phone number is now " + newPhone);
    browser.awaitText("#profile-form", newPhone + " (verified)");

    long mug = productId("Celadon ceramic mug");
    long shirt = productId("Organic cotton T-shirt");
    int mugStock = h.stock(mug);
    browser.web().get(base + "#/product/" + mug);
    browser.awaitText("main h1", "Celadon ceramic mug");
    browser.type("#quantity", "2");
    browser.click("#add-form button[type=submit]");
    browser.awaitText("#notice", "Added 2");
    browser.web().get(base + "#/product/" + shirt);
    browser.awaitText("main h1", "Organic cotton T-shirt");
    browser.select("#size", "M");
    browser.select("#colour", "White");
    browser.click("#add-form button[type=submit]");
    browser.awaitText("#notice", "(M / White)");
    browser.web().get(base + "#/cart");
    browser.awaitText("#cart-total", "₩47,900");
    browser.screenshot("cart");

    // a declined card first: nothing changes
    browser.select("#card", "sandbox-decline");
    browser.click("#pay");
    browser.awaitText("#notice", "declined");
    assertEquals(mugStock, h.stock(mug));
    browser.awaitText("#header-mileage", "3,000 pts");

    // a fresh visit of the cart page is a new checkout; the card that pays
    browser.web().get(base + "#/shop");
    browser.until(() -> browser.web().findElements(By.cssSelector("#products")).isEmpty() ? null : true, "the shop page");
    browser.web().get(base + "#/cart");
    browser.awaitText("#cart-total", "₩47,900");
    browser.select("#card", "sandbox-ok");
    browser.click("#pay");
    browser.awaitHash("#/orders/");
    // 2 mugs x 300 fixed + 2 % of 19,900 = 998 mileage
    browser.awaitText("#notice", "You earned 998 pts mileage");
    browser.awaitText("main", "PAID");
    assertEquals(mugStock - 2, h.stock(mug));

    browser.web().get(base + "#/wallet");
    browser.awaitText("#balance-MILEAGE", "3,998 pts");
    browser.awaitText("#movements", "mileage earned on an order");
    browser.awaitText("#movements", "sign-up bonus");
    browser.awaitText("#header-mileage", "3,998 pts");
    assertTrue(browser.web().findElements(By.cssSelector("#movements tbody tr")).size() >= 2);
    browser.screenshot("wallet");
    browser.web().get(base + "#/orders");
    browser.awaitText("main table", "PAID");
    browser.screenshot("orders");
    String orderLink = browser.find("main table tbody a").getAttribute("href");
    String orderId = orderLink.substring(orderLink.lastIndexOf('/') + 1);

    // another member, same browser: the order is not theirs to see
    browser.click("#account button");
    browser.awaitText("#account", "Sign in");
    browser.web().get(base + "#/signin");
    browser.type("#loginId", "demo");
    browser.type("#password", "demo-mileage-2026");
    browser.click("#signin-form button[type=submit]");
    browser.awaitText("#header-mileage", "53,000 pts"); // 50,000 demo mileage and the sign-up bonus
    browser.web().get(base + "#/orders/" + orderId);
    browser.awaitText("main", "no such order");
    browser.web().get(base + "#/orders");
    browser.awaitText("main", "No orders yet.");
  }

  @Test
  void guessingPasswordsIsThrottledOnScreen() throws Exception {
    var target = h.new Member("guessed-at").ready();
    browser.web().get(base + "#/signin");
    for (int i = 0; i < 5; i++) {
      browser.type("#loginId", target.login);
      browser.type("#password", "not-the-password-" + i);
      browser.click("#signin-form button[type=submit]");
      browser.awaitText("#notice", "wrong");
      browser.web().navigate().refresh();
      browser.awaitText("main h1", "Sign in");
    }
    browser.type("#loginId", target.login);
    browser.type("#password", ShopHarness.PASSWORD);
    browser.click("#signin-form button[type=submit]");
    browser.awaitText("#notice", "too many failed sign-ins");
  }

  @Test
  void staffManageTheCatalogInTheBackOffice() throws Exception {
    browser.web().get(base + "#/backoffice");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", "not-the-password");
    browser.click("#operator-form button[type=submit]");
    // the refusal is on screen and the form is ready again before the right password goes in
    browser.until(() -> !browser.find("#notice").getText().isBlank() && browser.find("#operator-form button").isEnabled()
        ? true : null, "the refusal shown");
    browser.until(() -> browser.web().findElements(By.cssSelector("#product-form")).isEmpty() ? true : null, "still signed out");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#operator-form button[type=submit]");
    browser.awaitText("main", "Catalog");
    browser.type("#sku", "BO-LAMP-1");
    browser.type("#pname", "Back-office desk lamp");
    browser.type("#kind", "home");
    browser.type("#price", "33000");
    browser.type("#supplier", "Lamp Co");
    browser.type("#mvalue", "700");
    browser.type("#stock", "12");
    browser.click("#product-form button[type=submit]");
    browser.awaitText("#notice", "Product saved.");
    browser.awaitText("main table", "Back-office desk lamp");
    browser.screenshot("backoffice");
    var found = check(h.gateway.send(HttpMethod.GET, "/catalog/products?q=desk%20lamp", null, null, null), 200).bodyAsJsonArray();
    assertEquals(1, found.size());
    assertEquals(700, found.getJsonObject(0).getJsonObject("mileage").getLong("perUnit"));
    assertEquals(12, found.getJsonObject(0).getInteger("stock"));
  }
}
