package dev.mileage.gateway.trading;

import dev.mileage.gateway.shop.Chromium;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.trading.TradingHarness.BONUS;
import static dev.mileage.gateway.trading.TradingHarness.CYBER;
import static dev.mileage.gateway.trading.TradingHarness.MILEAGE;
import static dev.mileage.gateway.trading.TradingHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trading page in a real headless Chromium: one member places an order from the page, a second member
 * signs in on the same browser and fills it from the page; the fill shows in the book and in both portfolios.
 * Then a purchase shows its rate and fee before the member confirms it.
 */
class TradingBrowserTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static TradingHarness h;
  static Chromium browser;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    h = new TradingHarness(dataDir);
    base = "http://127.0.0.1:" + h.gateway.app.httpPort() + "/";
    browser = new Chromium(profileDir);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  void signIn(TradingHarness.Member m) {
    browser.web().manage().deleteAllCookies();
    browser.web().get(base + "#/signin");
    browser.web().navigate().refresh();
    browser.type("#loginId", m.login);
    browser.type("#password", TradingHarness.PASSWORD);
    browser.click("#signin-form button[type=submit]");
    browser.awaitText("#header-mileage", "pts");
    browser.web().get(base + "#/trading");
    browser.awaitText("main h1", "Trading");
    browser.find("#order-form");
  }

  void placeOrder(int sell, long sellAmount, int buy, long buyAmount) {
    browser.select("#sellType", Integer.toString(sell));
    browser.type("#sellAmount", Long.toString(sellAmount));
    browser.select("#buyType", Integer.toString(buy));
    browser.type("#buyAmount", Long.toString(buyAmount));
    browser.click("#order-form button[type=submit]");
  }

  @Test
  void oneMemberPlacesAnOrderAnotherFillsItFromThePage() throws Exception {
    TradingHarness.Member alice = h.member("alice");
    TradingHarness.Member bob = h.member("bob");
    h.fund(bob, CYBER, 2_000);

    signIn(alice);
    placeOrder(MILEAGE, 1_000, CYBER, 500);
    browser.awaitText("#notice", "Order placed");
    browser.awaitText("#my-orders", "open");
    browser.awaitText("#book-base", "1000");
    assertEquals(BONUS - 1_000, alice.balance(MILEAGE), "the offered points are held");

    signIn(bob);
    browser.awaitText("#book-base", "1000"); // bob sees alice's order, without her name
    assertTrue(!browser.text("#book").contains(alice.login));
    placeOrder(CYBER, 500, MILEAGE, 1_000);
    browser.awaitText("#notice", "Order filled");
    browser.awaitText("#fills", "1000 mileage for 500 cyber money");
    browser.awaitText("#my-orders", "filled");
    browser.awaitText("#movements", "trade");
    long fee = (1_000 * 50 + 9_999) / 10_000;
    assertEquals(BONUS + 1_000 - fee, bob.balance(MILEAGE));
    assertEquals(500 - (500 * 50 + 9_999) / 10_000, alice.balance(CYBER));
    assertEquals("FILLED", check(alice.get("/api/v1/trading/orders"), 200).bodyAsJsonArray().getJsonObject(0).getString("status"));

    // buying: the rate and fee are on screen before anything is charged
    long cyberBefore = bob.balance(CYBER);
    browser.select("#buy-type", Integer.toString(CYBER));
    browser.type("#buy-points", "100");
    browser.click("#buy-quote-button");
    browser.awaitText("#buy-quote", "You pay");
    assertEquals(cyberBefore, bob.balance(CYBER), "a quote buys nothing");
    JsonObject quote = check(bob.get("/api/v1/trading/quote?kind=BUY&pointType=" + CYBER + "&points=100"), 200).bodyAsJsonObject();
    assertTrue(browser.text("#buy-net").contains(String.format("%,d", quote.getLong("netWon"))), browser.text("#buy-net"));
    browser.click("#buy-confirm");
    browser.awaitText("#notice", "Bought 100 points");
    assertEquals(cyberBefore + 100, bob.balance(CYBER));
    browser.awaitText("#cash-history", "bought");

    // cashing out shows the fee before confirming; then an order placed and cancelled from the page
    browser.select("#cashout-type", Integer.toString(CYBER));
    browser.type("#cashout-points", "100");
    browser.click("#cashout-quote-button");
    browser.awaitText("#cashout-quote", "You receive");
    JsonObject out = check(bob.get("/api/v1/trading/quote?kind=CASH_OUT&pointType=" + CYBER + "&points=100"), 200).bodyAsJsonObject();
    assertTrue(out.getLong("feeWon") > 0);
    assertTrue(browser.text("#cashout-fee").contains(String.format("%,d", out.getLong("feeWon"))), browser.text("#cashout-fee"));
    browser.click("#cashout-confirm");
    browser.awaitText("#notice", "Cashed out 100 points");
    assertEquals(cyberBefore, bob.balance(CYBER));

    placeOrder(MILEAGE, 300, CYBER, 900);
    browser.awaitText("#notice", "Order placed");
    long mileageHeld = bob.balance(MILEAGE);
    browser.click("#my-orders button.secondary");
    browser.awaitText("#notice", "Order cancelled");
    browser.awaitText("#my-orders", "cancelled");
    assertEquals(mileageHeld + 300, bob.balance(MILEAGE), "cancelling releases the held points");
  }
}
