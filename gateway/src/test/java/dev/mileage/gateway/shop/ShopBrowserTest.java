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
  }

  @Test
  void guessingPasswordsIsThrottledOnScreen() throws Exception {
    browser.web().get(base + "#/signin");
    for (int i = 0; i < 5; i++) {
      browser.type("#loginId", "demo");
      browser.type("#password", "not-the-password-" + i);
      browser.click("#signin-form button[type=submit]");
      browser.awaitText("#notice", "wrong");
      browser.web().navigate().refresh();
      browser.awaitText("main h1", "Sign in");
    }
    browser.type("#loginId", "demo");
    browser.type("#password", "demo-mileage-2026");
    browser.click("#signin-form button[type=submit]");
    browser.awaitText("#notice", "too many failed sign-ins");
  }
}
