package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.StandardPointTypes;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Buying, holding and isolation of certificates over real HTTP, with the ledger, PostgreSQL and the SMSC. */
class CertificatesApiTest {
  @TempDir
  static Path dir;
  static CertHarness h;
  static long general10k;
  static long books30k;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
    general10k = h.item("Mileage Telecom", 10_000);
    books30k = h.item("Kyoro Books", 30_000);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  long phoneBillAvailable(long memberId) throws Exception {
    return h.gateway.app.context().ledger().accountOf("member:" + memberId, StandardPointTypes.PHONE_BILL)
        .toCompletableFuture().get(10, TimeUnit.SECONDS).map(Account::available).orElse(0L);
  }

  @Test
  void phoneBillPurchaseIssuesCertificatesHeldInTheLedgerAndTellsTheBuyerBySms() throws Exception {
    var a = h.new Member("pb-buyer").ready();
    String key = UUID.randomUUID().toString();
    JsonObject p = check(a.buy(key, general10k, 2, "PHONE_BILL", null), 201).bodyAsJsonObject();
    assertEquals("ISSUED", p.getString("status"));
    assertEquals(20_000, p.getLong("totalWon"));
    JsonArray certs = p.getJsonArray("certificates");
    assertEquals(2, certs.size());
    for (Object o : certs) {
      JsonObject c = (JsonObject) o;
      assertTrue(c.getString("code").matches("([0-9A-Z]{4}-){4}[0-9A-Z]{4}"), c.getString("code"));
      assertTrue(c.getString("pin").matches("[0-9]{6}"));
    }
    assertFalse(certs.getJsonObject(0).getString("code").equals(certs.getJsonObject(1).getString("code")));
    // the value sits in the ledger, one account per certificate, and the phone bill carries the charge
    for (Object o : a.mine()) assertEquals(10_000, ((JsonObject) o).getLong("balanceWon"));
    assertEquals(2, a.mine().size());
    long limit = CertificatesOptions.defaults().phoneBillMonthlyLimitWon();
    assertEquals(limit - 20_000, phoneBillAvailable(a.id));
    String text = h.awaitSms(a.phone, b -> b.contains("gift certificate issued")).body();
    assertTrue(text.contains("2 x Mileage Telecom 10,000 won") && text.contains("phone bill")
        && text.contains("purchase " + p.getLong("id")), text);
    assertTrue(text.length() <= 160);

    // the same request again: the same purchase, no second charge, no new certificates, PINs not shown again
    JsonObject again = check(a.buy(key, general10k, 2, "PHONE_BILL", null), 201).bodyAsJsonObject();
    assertEquals(p.getLong("id"), again.getLong("id"));
    assertNull(again.getJsonArray("certificates").getJsonObject(0).getString("pin"));
    assertEquals(limit - 20_000, phoneBillAvailable(a.id));
    assertEquals(2, a.mine().size());
    // the same key for something else is refused
    check(a.buy(key, books30k, 1, "PHONE_BILL", null), 409);

    // past the month's phone-bill limit: declined, nothing issued, nothing charged
    long big = h.item("Seoul Grand Mall", 100_000);
    JsonObject declined = check(a.buy(big, 3, "PHONE_BILL", null), 402).bodyAsJsonObject();
    assertEquals("payment_declined", declined.getString("error"));
    assertTrue(declined.getString("reason").contains("phone-bill limit"));
    assertEquals(2, a.mine().size());
    assertEquals(limit - 20_000, phoneBillAvailable(a.id));
    JsonArray history = check(a.get("/api/v1/certificates/purchases"), 200).bodyAsJsonArray();
    assertEquals("DECLINED", history.getJsonObject(0).getString("status"));
    assertEquals("ISSUED", history.getJsonObject(1).getString("status"));
  }

  @Test
  void cardPurchaseChargesOnceAndADeclinedOrFailedCardIssuesNothing() throws Exception {
    var a = h.new Member("card-buyer").ready();
    long before = h.payments.netChargedWon();
    JsonObject p = check(a.buy(books30k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject();
    assertEquals("CARD", p.getString("settlement"));
    assertEquals(30_000, h.payments.netChargedWon() - before);
    assertEquals(1, a.mine().size());
    assertTrue(h.awaitSms(a.phone, b -> b.contains("gift certificate issued")).body().contains("by card"));

    long smsBefore = h.smsCount(a.phone);
    JsonObject d = check(a.buy(books30k, 2, "CARD", SandboxPaymentProvider.TOKEN_DECLINE), 402).bodyAsJsonObject();
    assertTrue(d.getString("reason").startsWith("card declined"), d.encode());
    check(a.buy(books30k, 1, "CARD", SandboxPaymentProvider.TOKEN_FAIL), 402);
    assertEquals(30_000, h.payments.netChargedWon() - before);
    assertEquals(1, a.mine().size());
    assertEquals(0, phoneBillAvailable(a.id), "a card purchase never touches the phone bill");
    assertEquals(smsBefore, h.smsCount(a.phone), "nothing issued, nothing announced");
    // bad input changes nothing either
    check(a.buy(books30k, 0, "CARD", SandboxPaymentProvider.TOKEN_OK), 400);
    check(a.buy(books30k, 1, "CASH", SandboxPaymentProvider.TOKEN_OK), 400);
    check(a.buy(books30k, 1, "CARD", null), 400);
    check(a.buy(999_999, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 404);
    assertEquals(1, a.mine().size());
  }

  @Test
  void nonMembersAreToldToSignUpAndOperatorsCannotBuy() throws Exception {
    HttpResponse<Buffer> anonymous = h.gateway.send(HttpMethod.POST, "/api/v1/certificates/purchases", null, null,
        Buffer.buffer(new JsonObject().put("requestKey", "abcdefgh1").put("itemId", general10k).put("sheets", 1)
            .put("settlement", "PHONE_BILL").encode()));
    assertEquals(401, anonymous.statusCode());
    HttpResponse<Buffer> operator = h.gateway.post("/api/v1/certificates/purchases", new JsonObject().put("requestKey", "abcdefgh2")
        .put("itemId", general10k).put("sheets", 1).put("settlement", "PHONE_BILL"));
    assertEquals(403, operator.statusCode());
    assertTrue(operator.bodyAsJsonObject().getString("reason").contains("sign up"));
    // the catalog is public
    JsonObject catalog = check(h.gateway.send(HttpMethod.GET, "/certificates/catalog", null, null, null), 200).bodyAsJsonObject();
    assertEquals(5, catalog.getJsonArray("categories").size());
    assertTrue(catalog.getJsonArray("items").size() >= 10);
  }

  @Test
  void oneMemberCannotSeeUseOrGiftAnothersCertificates() throws Exception {
    var a = h.new Member("owner-a").ready();
    var b = h.new Member("other-b").ready();
    JsonObject p = check(a.buy(general10k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject();
    JsonObject cert = p.getJsonArray("certificates").getJsonObject(0);
    long id = cert.getLong("id");
    check(a.get("/api/v1/certificates/mine/" + id), 200);
    HttpResponse<Buffer> unknown = check(b.get("/api/v1/certificates/mine/99999999"), 404);
    HttpResponse<Buffer> others = check(b.get("/api/v1/certificates/mine/" + id), 404);
    assertEquals(unknown.bodyAsString(), others.bodyAsString(), "another's certificate looks like none at all");
    check(b.get("/api/v1/certificates/mine/" + id + "/barcode?kind=qr"), 404);
    check(b.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()), 404);
    assertEquals(0, b.mine().size());
    // online checkout with the right PIN of another's certificate: declined like a wrong PIN
    HttpResponse<Buffer> online = check(b.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject()
        .put("pin", cert.getString("pin")).put("amountWon", 1_000).put("orderId", "o-1")), 422);
    assertEquals("INVALID_CODE_OR_PIN", online.bodyAsJsonObject().getString("code"));
    check(b.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(id))
        .put("recipientPhone", CertHarness.newPhone()).put("message", "hi")), 409);
    assertEquals(10_000, a.certificate(id).getLong("balanceWon"));
    // the holder can: online checkout, new PIN, barcodes
    JsonObject ok = check(a.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject()
        .put("pin", cert.getString("pin")).put("amountWon", 4_000).put("orderId", "o-1")), 200).bodyAsJsonObject();
    assertEquals(6_000, ok.getLong("balanceWon"));
    // without the session's CSRF token nothing changes (a cross-site form cannot set a PIN)
    String csrf = a.csrf;
    a.csrf = null;
    int forged = a.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()).statusCode();
    a.csrf = csrf;
    assertTrue(forged == 401 || forged == 403, "forged request answered " + forged);
    check(a.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject()
        .put("pin", cert.getString("pin")).put("amountWon", 500).put("orderId", "o-0")), 200);
    String newPin = check(a.post("/api/v1/certificates/mine/" + id + "/pin", new JsonObject()), 200).bodyAsJsonObject().getString("pin");
    check(a.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject()
        .put("pin", cert.getString("pin")).put("amountWon", 1_000).put("orderId", "o-2")), 422);
    check(a.post("/api/v1/certificates/mine/" + id + "/redeem", new JsonObject()
        .put("pin", newPin).put("amountWon", 1_000).put("orderId", "o-2")), 200);
    JsonArray usage = check(a.get("/api/v1/certificates/usage"), 200).bodyAsJsonArray();
    assertEquals(3, usage.size());
    assertEquals("ONLINE", usage.getJsonObject(0).getString("channel"));
    assertEquals(4_500, a.certificate(id).getLong("balanceWon"));
    assertEquals(0, check(b.get("/api/v1/certificates/usage"), 200).bodyAsJsonArray().size());
  }

  @Test
  void barcodesAreDrawnForTheHolder() throws Exception {
    var a = h.new Member("barcode-a").ready();
    JsonObject p = check(a.buy(general10k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject();
    JsonObject cert = p.getJsonArray("certificates").getJsonObject(0);
    long id = cert.getLong("id");
    String raw = cert.getString("code").replace("-", "");
    for (String kind : new String[] {"code128", "qr"}) {
      HttpResponse<Buffer> r = check(a.get("/api/v1/certificates/mine/" + id + "/barcode?kind=" + kind), 200);
      assertEquals("image/svg+xml", r.getHeader("Content-Type"));
      assertEquals(raw, BarcodeReading.decode(r.bodyAsString(), kind.equals("qr")), kind + " decodes back to the code");
    }
    check(a.get("/api/v1/certificates/mine/" + id + "/barcode?kind=pdf417"), 400);
    assertNotNull(p.getLong("id"));
  }

  @Test
  void operatorsManageTheCatalogAndStores() throws Exception {
    var a = h.new Member("catalog-a").ready();
    JsonObject item = check(h.gateway.post("/api/v1/certificates/admin/items", new JsonObject().put("category", "TICKETS")
        .put("issuer", "Busan Aquarium").put("faceValueWon", 25_000).put("description", "One entry")), 201).bodyAsJsonObject();
    check(h.gateway.post("/api/v1/certificates/admin/items", new JsonObject().put("category", "TICKETS")
        .put("issuer", "Busan Aquarium").put("faceValueWon", 25_000)), 409);
    check(h.gateway.post("/api/v1/certificates/admin/items", new JsonObject().put("category", "FOOD")
        .put("issuer", "x").put("faceValueWon", 1)), 400);
    assertEquals(item.getLong("id"), h.item("Busan Aquarium", 25_000));
    // members cannot manage anything
    check(a.post("/api/v1/certificates/admin/items", new JsonObject().put("category", "TICKETS")
        .put("issuer", "Mine").put("faceValueWon", 1_000)), 403);
    check(a.get("/api/v1/certificates/admin/stores"), 403);
    // withdrawn: gone from the catalog and cannot be bought; issued certificates keep their value
    JsonObject bought = check(a.buy(item.getLong("id"), 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject();
    check(h.gateway.send(HttpMethod.PATCH, "/api/v1/certificates/admin/items/" + item.getLong("id"), TestGatewayCredentials.USER,
        TestGatewayCredentials.PASSWORD, Buffer.buffer(new JsonObject().put("active", false).encode())), 200);
    check(a.buy(item.getLong("id"), 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 404);
    JsonObject catalog = check(h.gateway.send(HttpMethod.GET, "/certificates/catalog", null, null, null), 200).bodyAsJsonObject();
    assertFalse(catalog.encode().contains("Busan Aquarium"));
    assertEquals(25_000, a.certificate(bought.getJsonArray("certificates").getJsonObject(0).getLong("id")).getLong("balanceWon"));
    // a suspended store's key stops working at once
    JsonObject store = h.store("Suspended branch");
    JsonObject cert = bought.getJsonArray("certificates").getJsonObject(0);
    check(h.pos(store.getString("apiKey"), cert.getString("code"), cert.getString("pin"), 1_000, "S-1"), 200);
    check(h.gateway.send(HttpMethod.PATCH, "/api/v1/certificates/admin/stores/" + store.getLong("id"), TestGatewayCredentials.USER,
        TestGatewayCredentials.PASSWORD, Buffer.buffer(new JsonObject().put("active", false).encode())), 200);
    assertEquals(401, h.pos(store.getString("apiKey"), cert.getString("code"), cert.getString("pin"), 1_000, "S-2").statusCode());
    assertEquals(24_000, a.certificate(cert.getLong("id")).getLong("balanceWon"));
    JsonArray stores = check(h.gateway.get("/api/v1/certificates/admin/stores"), 200).bodyAsJsonArray();
    assertFalse(stores.encode().contains("apiKey"), "keys are shown once, never listed");
  }

  private static final class TestGatewayCredentials {
    static final String USER = dev.mileage.gateway.TestGateway.OPERATOR;
    static final String PASSWORD = dev.mileage.gateway.TestGateway.PASSWORD;
  }
}
