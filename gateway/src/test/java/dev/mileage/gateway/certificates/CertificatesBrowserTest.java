package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.Chromium;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The certificate pages in headless Chromium against a real gateway: a member buys two certificates on the
 * phone bill, sees them with a scannable barcode, gifts one with a message and a theme card; the recipient
 * opens the SMS link, joins (phone code from the SMSC), accepts, and finds the certificate in theirs. In the back
 * office an operator settles deposit returns the bank provider refused: by hand, or with "Send again".
 */
class CertificatesBrowserTest {
  static final String CLOSED_ACCOUNT = "Sandbox Payer Bank 110-CLOSED-123456";
  @TempDir
  static Path dataDir;
  @TempDir
  static Path profileDir;
  static CertHarness h;
  static Chromium browser;
  static String base;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dataDir);
    base = "http://127.0.0.1:" + h.port() + "/";
    browser = new Chromium(profileDir);
  }

  @AfterAll
  static void stop() {
    if (browser != null) browser.close();
    if (h != null) h.close();
  }

  Object js(String script) {
    return ((JavascriptExecutor) browser.driver).executeScript(script);
  }

  @Test
  void buyGiftAndClaimInTheBrowser() throws Exception {
    var giver = h.new Member("web-giver").ready();
    long item = h.item("Mileage Telecom", 10_000);

    // non-members are pointed to sign-up
    browser.web().get(base + "#/gifts");
    browser.awaitText("main", "to buy, sign in or join");

    browser.web().get(base + "#/signin");
    browser.type("#loginId", giver.login);
    browser.type("#password", CertHarness.PASSWORD);
    browser.click("#signin-form button[type=submit]");
    browser.awaitHash("#/shop");
    browser.find("#header-mileage");

    // buy two on the phone bill
    browser.web().get(base + "#/gifts?category=GENERAL");
    browser.select("#item", Long.toString(item));
    browser.type("#sheets", "2");
    browser.awaitText("#total", "₩20,000");
    browser.click("#buy");
    browser.awaitText("#issued", "2 × Mileage Telecom ₩10,000");
    browser.awaitText("#notice", "added to your phone bill");
    String pins = browser.text("#issued tbody");
    assertTrue(Pattern.compile("[0-9]{6}").matcher(pins).find(), pins);
    assertTrue(h.awaitSms(giver.phone, b -> b.contains("gift certificate issued")).body().contains("2 x Mileage Telecom"));

    // my certificates with a barcode an image decoder can read
    browser.web().get(base + "#/gifts/mine");
    browser.awaitText("#my-certificates", "₩10,000");
    var cards = browser.driver.findElements(By.cssSelector("#my-certificates .cert"));
    assertEquals(2, cards.size());
    String certId = cards.get(0).getAttribute("data-id");
    browser.click("#cert-" + certId + " button");
    browser.until(() -> Boolean.TRUE.equals(js("const i = document.querySelector('#cert-" + certId
        + " img.c128'); return i && i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width >= 280;")) ? true : null,
        "a barcode at least 280 px wide");

    // gift it with a message and a theme card
    String recipientPhone = CertHarness.newPhone();
    browser.web().get(base + "#/gifts/send?ids=" + certId);
    browser.find("#gift-certificates input[value='" + certId + "']");
    browser.type("#recipientPhone", recipientPhone);
    browser.type("#message", "Congratulations on the new job!");
    browser.select("#extraId", "5");
    browser.click("#send-gift");
    browser.awaitHash("#/gifts/history");
    browser.awaitText("#gifts", recipientPhone);
    browser.awaitText("#gifts", "sent");

    // the giver sends it again (say the first message was lost): a new link; the first one stops working
    String firstOffer = h.awaitSms(recipientPhone, b -> b.contains("sent you a gift")).body();
    browser.click("#gifts button[id^='resend-']");
    browser.awaitText("#notice", "Sent again with a new link");
    String sms = browser.until(() -> {
      var offers = h.smsc.received().stream().filter(m -> m.to().equals(recipientPhone) && m.body().contains("sent you a gift")).toList();
      return offers.size() == 2 ? offers.get(1).body() : null;
    }, "the resent offer at the SMSC");
    assertEquals(404, h.gateway.send(io.vertx.core.http.HttpMethod.GET, "/certificates/claims/" + GiftingTest.token(firstOffer),
        null, null, null).statusCode(), "the first link is dead");
    Matcher link = Pattern.compile("(http://\\S+/#/gifts/claim\\?t=[A-Za-z0-9_-]{22})").matcher(sms);
    assertTrue(link.find(), sms);
    String claim = link.group(1);
    assertTrue(claim.startsWith(base), claim);

    // the recipient: a different person, not a member yet
    browser.driver.manage().deleteAllCookies();
    browser.web().get(claim.replace("/#/", "/?fresh=1#/"));
    browser.awaitText("main h1", "A gift from " + giver.name);
    browser.awaitText("#gift-message", "Congratulations on the new job!");
    browser.awaitText("#gift", "Birthday cake card");
    browser.awaitText("#claim-signin", "join Mileage");

    browser.click("#claim-signin a[href='#/signup']");
    browser.type("#loginId", "web-recipient");
    browser.type("#password", "a-long-recipient-password");
    browser.type("#name", "Web Recipient");
    browser.type("#phone", recipientPhone);
    browser.type("#address", "9 Gift-ro, Busan");
    browser.click("#signup-form button[type=submit]");
    browser.awaitHash("#/verify");
    Matcher code = Pattern.compile("([0-9]{6})").matcher(h.awaitSms(recipientPhone, b -> b.contains("verification code")).body());
    assertTrue(code.find());
    browser.type("#code", code.group(1));
    browser.click("#verify-form button[type=submit]");
    browser.awaitHash("#/signin");
    browser.type("#password", "a-long-recipient-password");
    browser.click("#signin-form button[type=submit]");
    browser.awaitHash("#/shop");
    browser.find("#header-mileage");

    browser.web().get(claim);
    browser.awaitText("#gift-status", "sent");
    browser.click("#accept");
    browser.awaitText("#claim-result", "Your PINs");
    String newPin = browser.text("#claim-result .pin");
    assertTrue(newPin.matches("[0-9]{6}"), newPin);
    browser.web().get(base + "#/gifts/mine");
    browser.awaitText("#my-certificates", "Mileage Telecom");
    assertNotNull(browser.find("#cert-" + certId));
    assertTrue(h.awaitSms(giver.phone, b -> b.contains("was accepted")).body().contains(recipientPhone));
    assertEquals(1, giver.mine().size(), "the giver keeps the other certificate");
  }

  @Test
  void anOperatorRegistersAStoreAndItsPosRedeemsACertificate() throws Exception {
    var holder = h.new Member("web-holder").ready();
    JsonObject cert = CertHarness.check(holder.buy(h.item("Kyoro Books", 10_000), 1, "CARD", "sandbox-ok"), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);

    browser.web().get(base + "?op=1#/gifts/admin");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#cert-operator-form button[type=submit]");
    browser.awaitText("#admin-items", "Kyoro Books");
    browser.type("#storeName", "Myeongdong branch");
    browser.type("#chain", "Kyoro Books");
    browser.click("#store-form button[type=submit]");
    String key = browser.awaitText("#new-store-key code", "sk_");

    browser.web().get(base + "#/gifts/pos");
    browser.type("#storeKey", key);
    browser.type("#code", cert.getString("code"));
    browser.type("#pin", cert.getString("pin").equals("000000") ? "111111" : "000000");
    browser.type("#amountWon", "4000");
    browser.click("#pos-redeem");
    browser.awaitText("#pos-screen", "DENIED: the code or the PIN is not valid");
    browser.type("#pin", cert.getString("pin"));
    browser.click("#pos-redeem");
    browser.awaitText("#pos-screen", "APPROVED ₩4,000");
    browser.awaitText("#pos-screen", "left on certificate ₩6,000");
    assertEquals(6_000, holder.certificate(cert.getLong("id")).getLong("balanceWon"));
  }

  @Test
  void aBankTransferOrderShowsPendingThenIssuedWhenTheMoneyArrives() throws Exception {
    var buyer = h.new Member("web-transfer").ready();
    long item = h.item("Culture Pass", 10_000);
    browser.driver.manage().deleteAllCookies();
    browser.web().get(base + "?fresh=2#/signin");
    browser.type("#loginId", buyer.login);
    browser.type("#password", CertHarness.PASSWORD);
    browser.click("#signin-form button[type=submit]");
    browser.awaitHash("#/shop");
    browser.find("#header-mileage");

    browser.web().get(base + "#/gifts?category=CULTURE");
    browser.select("#item", Long.toString(item));
    browser.click("#pay-bank");
    browser.click("#buy");
    browser.awaitText("#order-status", "pending: awaiting your transfer");
    assertTrue(browser.text("#order-account").matches("990-[0-9]{4}-[0-9]{6}"), browser.text("#order-account"));
    browser.awaitText("#order-amount", "₩10,000");
    browser.awaitText("#notice", "transfer ₩10,000");
    assertEquals(0, buyer.mine().size(), "nothing issued before the money arrives");
    browser.screenshot("certificates-bank-transfer-pending");

    browser.click("#sandbox-deposit");
    browser.awaitText("#order-status", "paid: certificates issued");
    browser.awaitText("#notice", "the certificates are issued");
    browser.screenshot("certificates-bank-transfer-issued");
    assertEquals(1, buyer.mine().size());
    var mms = h.awaitSms(buyer.phone, b -> b.contains("by bank transfer"));
    assertTrue(mms.multipart() && mms.parts().get(1).contentType().equals("image/png"));

    // a second transfer of the same amount bought nothing; it came from an account the bank provider cannot pay
    // back (closed), so the return is held up: the buyer sees that, the operator settles it by hand
    JsonObject order = CertHarness.check(buyer.get("/api/v1/certificates/purchases"), 200).bodyAsJsonArray().getJsonObject(0);
    CertHarness.check(h.postNotice(h.payments.simulateDeposit(order.getJsonObject("bankTransfer").getString("reference"), 10_000,
        CLOSED_ACCOUNT).orElseThrow()), 200);
    var returns = CertHarness.check(h.gateway.get("/api/v1/certificates/admin/deposit-returns"), 200).bodyAsJsonObject()
        .getJsonArray("returns").stream().map(o -> (JsonObject) o).filter(r -> order.getLong("id").equals(r.getLong("purchaseId"))).toList();
    assertEquals(1, returns.size());
    long returnId = returns.get(0).getLong("id");
    CertHarness.await("the bank provider refused the return", () -> h.depositReturn(returnId).getString("status").equals("FAILED"));
    browser.click("#order-refresh");
    browser.awaitText("#deposit-returns", "₩10,000 received");
    browser.awaitText("#deposit-returns", "the order was already paid");
    browser.awaitText("#deposit-returns", "held up at the bank");
    // the operator sends it back by other means and confirms it in the back office
    browser.web().get(base + "?op=2#/gifts/admin");
    browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
    browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
    browser.click("#cert-operator-form button[type=submit]");
    browser.awaitText("#admin-returns", "already paid");
    browser.awaitText("#admin-returns", CLOSED_ACCOUNT);
    browser.awaitText("#admin-returns", "the payer's account is closed");
    browser.find("#return-retry-" + returnId);
    browser.screenshot("certificates-admin-deposit-returns");
    browser.type("#return-ref-" + returnId, "RT-WEB-1");
    browser.click("#return-confirm-" + returnId);
    browser.awaitText("#notice", "Return " + returnId + " confirmed");
    browser.until(() -> browser.driver.findElements(By.id("return-confirm-" + returnId)).isEmpty() ? true : null, "the row leaves the failed list");
    assertEquals("CONFIRMED", CertHarness.check(buyer.get("/api/v1/certificates/purchases/" + order.getLong("id")), 200).bodyAsJsonObject()
        .getJsonArray("depositReturns").getJsonObject(0).getString("status"));

    // the buyer's history shows it returned
    browser.web().get(base + "#/gifts/history");
    browser.awaitText("#purchases", "bank reference RT-WEB-1");
    browser.screenshot("certificates-bank-transfer-deposit-returned");
    browser.awaitText("#purchases", "bank transfer");
    browser.awaitText("#purchases", "paid: certificates issued");
    // leave the browser signed out (a full load), as the other tests expect to find it
    browser.driver.manage().deleteAllCookies();
    browser.web().get(base + "?fresh=3#/gifts");
    browser.awaitText("main", "to buy, sign in or join");
  }

  @Test
  void anOperatorSendsAFailedDepositReturnAgainFromTheBackOffice() throws Exception {
    var buyer = h.new Member("web-resend").ready();
    var notOperator = h.new Member("web-not-op").ready();
    SandboxBank bank = h.bank.sim;
    JsonObject order = CertHarness.check(buyer.buy(h.item("Culture Pass", 5_000), 1, "BANK_TRANSFER", null), 202).bodyAsJsonObject();
    // a wrong amount from an account the bank provider cannot pay back: recorded as owed back, then refused
    long returnedBefore = bank.returnedWon();
    long returnId = CertHarness.check(h.postNotice(h.payments.simulateDeposit(order.getJsonObject("bankTransfer")
        .getString("reference"), 4_500, CLOSED_ACCOUNT).orElseThrow()), 422).bodyAsJsonObject().getJsonObject("depositReturn").getLong("id");
    CertHarness.await("the bank provider refused the return", () -> h.depositReturn(returnId).getString("status").equals("FAILED"));
    JsonObject failed = h.depositReturn(returnId);
    assertEquals("dr-" + returnId + "-1", failed.getString("instructionId"));
    String retryPath = "/api/v1/certificates/admin/deposit-returns/" + returnId + "/retry";

    // members, the buyer included, cannot send it again: 403, nothing changes
    assertEquals(403, notOperator.post(retryPath, new JsonObject()).statusCode());
    assertEquals(403, buyer.post(retryPath, new JsonObject()).statusCode());
    assertEquals(failed, h.depositReturn(returnId), "nothing changed");

    // the payer's bank reopens the account; the operator sends the return again from the back office
    bank.refuseClosedAccounts(false);
    bank.holdNotices(true); // the provider's notice waits, so the page can show the return SENT
    try {
      browser.driver.manage().deleteAllCookies();
      browser.web().get(base + "?op=4#/gifts/admin");
      browser.type("#opUser", dev.mileage.gateway.TestGateway.OPERATOR);
      browser.type("#opPassword", dev.mileage.gateway.TestGateway.PASSWORD);
      browser.click("#cert-operator-form button[type=submit]");
      browser.awaitText("#admin-returns", "refused: the payer's account is closed");
      browser.awaitText("#admin-returns", CLOSED_ACCOUNT);
      browser.click("#return-retry-" + returnId);
      browser.awaitText("#notice", "Return " + returnId + " is being sent to the bank again.");
      browser.until(() -> browser.driver.findElements(By.id("return-retry-" + returnId)).isEmpty() ? true : null,
          "the row leaves the failed list");
      // in the database: sent to the provider as a new instruction (the refused one moved no money)
      CertHarness.await("the return SENT", () -> h.depositReturn(returnId).getString("status").equals("SENT"));
      JsonObject sent = h.depositReturn(returnId);
      assertEquals("dr-" + returnId + "-2", sent.getString("instructionId"));
      assertEquals(null, sent.getString("failure"));
      assertEquals(returnedBefore + 4_500, bank.returnedWon());
      // on the page (drawn again without a reload, which would forget the operator's sign-in): under way, with the
      // provider's reference
      js("location.hash = '#/gifts'");
      browser.awaitText("main", "to buy, sign in or join");
      js("location.hash = '#/gifts/admin'");
      browser.awaitText("#admin-returns-open", "bank reference " + sent.getString("returnReference"));
      browser.screenshot("certificates-admin-deposit-return-sent-again");
    } finally {
      bank.refuseClosedAccounts(true);
      bank.holdNotices(false);
    }
    bank.releaseNotices().toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    CertHarness.await("the return CONFIRMED", () -> h.depositReturn(returnId).getString("status").equals("CONFIRMED"));
    assertEquals(returnedBefore + 4_500, bank.returnedWon(), "returned once");
    // leave the browser signed out (a full load), as the other tests expect to find it
    browser.driver.manage().deleteAllCookies();
    browser.web().get(base + "?fresh=4#/gifts");
    browser.awaitText("main", "to buy, sign in or join");
  }
}
