package dev.mileage.gateway.mall;

import dev.mileage.gateway.shop.Chromium;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.mall.MallHarness.check;
import static dev.mileage.gateway.mall.MallHarness.key;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The mall pages in a real headless Chromium against a real gateway: the directory with accepted tokens, a
 * vendor shop with token prices, spending tokens (own and another vendor's) and seeing the wallet change,
 * an exchange whose rate and service charge are shown before confirming, a bid that another member outbids
 * while the page is open (live bids), and the vendor's back-office report.
 */
class MallBrowserTest {
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static MallHarness h;
  static Chromium browser;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    h = new MallHarness(dataDir);
    base = "http://127.0.0.1:" + h.port() + "/";
    browser = new Chromium(profileDir);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  @Test
  void spendExchangeBidAndReadTheReportInTheBrowser() throws Exception {
    MallHarness.Member owner = h.new Member("browser-owner").ready();
    MallHarness.VendorClient a = h.vendor(owner, "Alpha Mall Books", 10);
    MallHarness.VendorClient b = h.vendor(owner, "Beta Mall Coffee", 20);
    a.product("A1", 50);
    a.product("A2", 40);
    a.accept(b);
    check(a.buyTokens(1000, key()), 200);
    check(b.buyTokens(1000, key()), 200);
    MallHarness.Member shopper = h.new Member("browser-shopper").ready();
    MallHarness.Member rival = h.new Member("browser-rival").ready();
    for (MallHarness.Member m : new MallHarness.Member[] {shopper, rival}) {
      m.register(a.id);
      m.register(b.id);
      check(a.allot(m.id, 100, "LOYALTY", key()), 200);
    }
    check(b.allot(shopper.id, 50, "OFFLINE_PURCHASE", key()), 200);
    // gift-certificate tokens of A, shown with their kind in the wallet
    check(h.gateway.post("/api/v1/mall/admin/vendors/" + a.id + "/tokens", new JsonObject().put("kind", "GIFT_CERTIFICATE")), 201);
    check(a.post("/api/v1/mall/vendor/token-purchases", new JsonObject().put("tokens", 100).put("requestKey", key())
        .put("cardToken", dev.mileage.gateway.shop.SandboxPaymentProvider.TOKEN_OK).put("tokenKind", "GIFT_CERTIFICATE")), 200);
    check(a.post("/api/v1/mall/vendor/allotments", new JsonObject().put("memberId", shopper.id).put("tokens", 30)
        .put("reason", "LOYALTY").put("requestKey", key()).put("tokenKind", "GIFT_CERTIFICATE")), 200);
    long auction = check(a.post("/api/v1/mall/vendor/auctions", new JsonObject().put("title", "Rare atlas").put("startingBid", 5)
        .put("durationSeconds", 3600).put("requestKey", key())), 201).bodyAsJsonObject().getLong("id");

    browser.web().get(base + "#/signin?login=" + shopper.login);
    browser.type("#password", MallHarness.PASSWORD);
    browser.click("#signin-form button[type=submit]");
    browser.find("#header-mileage");

    browser.web().get(base + "#/mall");
    browser.awaitText("#vendors", "Alpha Mall Books");
    browser.awaitText("[data-vendor='" + a.id + "']", "Accepts: alphamallbooks, betamallcoffee");
    browser.awaitText("[data-vendor='" + a.id + "'] .gifts", "Gift certificates accepted: alphamallbooks_gift");

    browser.web().get(base + "#/mall/wallet");
    browser.awaitText("#token-" + a.id + " .available", "100");
    browser.awaitText("#token-" + a.id + " .kind", "Standard");
    browser.awaitText("#token-" + a.id + "-gift_certificate .kind", "Gift certificate (not exchangeable)");
    browser.awaitText("#token-" + a.id + "-gift_certificate .available", "30");

    // spend own tokens at the vendor
    browser.web().get(base + "#/mall/shop?id=" + a.id);
    browser.awaitText("#products", "50 alphamallbooks tokens");
    browser.select("#pay-with", Long.toString(a.id));
    browser.click("button.buy[data-sku='A1']");
    browser.awaitText("#notice", "Bought Product A1 for 50 alphamallbooks tokens");
    // another vendor's tokens: 40 A (400 won) = 20 B, shown before buying
    browser.select("#pay-with", Long.toString(b.id));
    browser.awaitText("tr[data-sku='A2']", "20 betamallcoffee tokens");
    browser.click("button.buy[data-sku='A2']");
    browser.awaitText("#notice", "Bought Product A2 for 20 betamallcoffee tokens");
    browser.web().get(base + "#/mall/wallet");
    browser.awaitText("#token-" + a.id + " .available", "50");
    browser.awaitText("#token-" + b.id + " .available", "30");
    browser.awaitText("#mall-history", "spent (A2)");
    assertEquals(50, shopper.tokens(a.id));

    // exchange: the rate and the service charge before confirming
    browser.web().get(base + "#/mall/exchange");
    browser.select("#from", Long.toString(a.id));
    browser.select("#to", Long.toString(b.id));
    browser.type("#amount", "20");
    browser.click("#get-quote");
    browser.awaitText("#quote-rates", "₩10");
    browser.awaitText("#quote-charge", "1 alphamallbooks tokens");
    browser.awaitText("#quote-credited", "9 betamallcoffee tokens");
    browser.screenshot("mall-exchange-quote");
    browser.click("#confirm-exchange");
    browser.awaitText("#notice", "you received 9 betamallcoffee tokens");
    assertEquals(30, shopper.tokens(a.id));
    assertEquals(39, shopper.tokens(b.id));

    // an auction: bid, then a rival outbids while the page is open
    browser.web().get(base + "#/mall/auction?id=" + auction);
    browser.awaitText("#auction-status", "open");
    browser.type("#bid-amount", "12");
    browser.click("#bid-form button[type=submit]");
    browser.awaitText("#high-bid", "12 alphamallbooks tokens");
    browser.awaitText("#bids", "(yours)");
    assertEquals(18, shopper.tokens(a.id), "the bid holds 12 tokens");
    check(rival.bid(auction, 15, key()), 200);
    browser.awaitText("#high-bid", "15 alphamallbooks tokens");
    browser.screenshot("mall-auction");
    assertEquals(30, shopper.tokens(a.id), "outbid: the 12 tokens are released");

    // paying at the counter: the wallet shows a one-time code, the vendor's POS takes it
    browser.web().get(base + "#/mall/wallet");
    browser.select("#pay-at", Long.toString(a.id));
    browser.select("#pay-token", Long.toString(b.id));
    browser.click("#pay-code-form button[type=submit]");
    String code = browser.find("#pay-code strong").getText();
    check(a.post("/api/v1/mall/pos/sales", new JsonObject().put("payCode", code).put("sku", "A2").put("requestKey", key())), 200);
    browser.web().navigate().refresh();
    browser.awaitText("#token-" + b.id + " .available", "19");
    // the pay-code form offers the gift-certificate tokens too
    browser.awaitText("#pay-token", "alphamallbooks_gift");

    // the vendor's back office
    browser.web().get(base + "#/mall/backoffice");
    browser.type("#vendorKey", a.apiKey);
    browser.click("#vendor-key-form button[type=submit]");
    browser.awaitText("#vendor-report", "Reconciled with the ledger");
    browser.awaitText("#vendor-report", "yes");
    browser.awaitText("#vendor-report", "Gift-certificate tokens (alphamallbooks_gift)");
    browser.awaitText("#vendor-report tr.extra-token", "issued 100, available 70, in circulation 30");
    // the vendor buys more gift-certificate tokens from its back office
    browser.select("#issueKind", "GIFT_CERTIFICATE");
    browser.type("#issueTokens", "5");
    browser.click("#issue-form button[type=submit]");
    browser.awaitText("#vendor-report tr.extra-token", "issued 105, available 75, in circulation 30");
    assertEquals(75, h.account("vendor:" + a.id, check(h.gateway.get("/api/v1/mall/vendors/" + a.id + "/tokens"), 200).bodyAsJsonArray()
        .getJsonObject(1).getInteger("pointType")).orElseThrow().posted());
    browser.screenshot("mall-vendor-report");
  }

  @Test
  void theOperatorGivesAVendorAuctionTokensInTheBackOffice() throws Exception {
    MallHarness.Member owner = h.new Member("browser-owner-2").ready();
    MallHarness.VendorClient d = h.vendor(owner, "Delta Mall Auctions", 10);
    browser.web().get(base + "#/mall/backoffice");
    browser.web().navigate().refresh(); // a fresh page: no vendor key in memory
    browser.type("#mopUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#mopPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#mall-operator-form button[type=submit]");
    browser.click("button.add-token[data-vendor='" + d.id + "'][data-kind='AUCTION']");
    browser.awaitText("#notice", "Delta Mall Auctions: auction tokens added.");
    browser.awaitText("#report-" + d.id, "Auction tokens (deltamallauctions_auction)");
    JsonArray tokens = check(h.gateway.get("/api/v1/mall/vendors/" + d.id + "/tokens"), 200).bodyAsJsonArray();
    assertEquals("AUCTION", tokens.getJsonObject(1).getString("kind"), tokens.encode());
    // the settlement schedule on demand: nothing is due yet (the delay is a day on the mall's clock)
    browser.find("#run-settlement").sendKeys(org.openqa.selenium.Keys.ENTER);
    browser.awaitText("#notice", "Settlement run: paid 0 reimbursement(s), ₩0 plus ₩0 tolls; 0 not covered.");
  }
}
