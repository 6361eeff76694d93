package dev.mileage.gateway.certificates;

import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gifting to a phone number: the claim message, accepting (with new PINs), declining (the giver keeps it). */
class GiftingTest {
  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture10k;
  static long extraId;

  @BeforeAll
  static void start() throws Exception {
    h = new CertHarness(dir);
    culture10k = h.item("Culture Pass", 10_000);
    JsonArray contents = check(h.gateway.send(HttpMethod.GET, "/certificates/contents", null, null, null), 200).bodyAsJsonArray();
    assertEquals(8, contents.size());
    extraId = contents.stream().map(o -> (JsonObject) o).filter(c -> c.getString("kind").equals("THEME_CARD"))
        .findFirst().orElseThrow().getLong("id");
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  static String token(String sms) {
    Matcher m = Pattern.compile("/#/gifts/claim\\?t=([A-Za-z0-9_-]{22})").matcher(sms);
    if (!m.find()) throw new AssertionError("no claim link in " + sms);
    return m.group(1);
  }

  JsonObject gift(CertHarness.Member giver, long certificateId, String phone, String message) throws Exception {
    return check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(certificateId))
        .put("recipientPhone", phone).put("message", message).put("extraId", extraId)), 201).bodyAsJsonObject();
  }

  @Test
  void theRecipientAcceptsAndTheCertificateMovesWithANewPin() throws Exception {
    var giver = h.new Member("giver-a").ready();
    var recipient = h.new Member("recipient-b").ready();
    var stranger = h.new Member("stranger-c").ready();
    JsonObject cert = check(giver.buy(culture10k, 1, "PHONE_BILL", null), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);
    long id = cert.getLong("id");
    JsonObject g = gift(giver, id, recipient.phone, "Happy birthday, enjoy a concert!");
    assertTrue(g.getBoolean("smsSent"));
    var offer = h.awaitSms(recipient.phone, b -> b.contains("sent you a gift"));
    assertTrue(offer.multipart(), "the offer is an MMS (GiftMmsTest covers it)");
    String sms = offer.body();
    assertTrue(sms.startsWith("Mileage: " + giver.name + " sent you a gift: "), sms);
    assertTrue(sms.contains("Happy birthday, enjoy a concert!"), sms);
    String token = token(sms);
    assertFalse(sms.contains(cert.getString("code")), "the SMS never carries the certificate code");

    // what the claim page shows, without signing in
    JsonObject info = check(h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null), 200).bodyAsJsonObject();
    assertEquals("SENT", info.getString("status"));
    assertEquals(giver.name, info.getString("from"));
    assertEquals("THEME_CARD", info.getString("extraKind"));
    assertEquals("Happy birthday, enjoy a concert!", info.getString("message"));
    assertEquals(10_000, info.getJsonArray("certificates").getJsonObject(0).getLong("faceValueWon"));
    assertFalse(info.encode().contains(cert.getString("code")));

    // while the gift is open the giver cannot spend it
    assertEquals("GIFT_PENDING", giver.certificate(id).getString("status"));
    JsonObject store = h.store("Gift branch");
    JsonObject pending = check(h.pos(store.getString("apiKey"), cert.getString("code"), cert.getString("pin"), 1_000, "P-1"), 422).bodyAsJsonObject();
    assertEquals("NOT_REDEEMABLE", pending.getString("code"));

    // only the member with the recipient's number can accept
    check(stranger.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 403);
    check(recipient.post("/api/v1/certificates/claims/AAAAAAAAAAAAAAAAAAAAAA/accept", new JsonObject()), 404);
    JsonObject accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200).bodyAsJsonObject();
    String newPin = accepted.getJsonArray("certificates").getJsonObject(0).getString("pin");
    assertTrue(newPin.matches("[0-9]{6}"));
    check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 409);
    check(h.gateway.send(HttpMethod.POST, "/certificates/claims/" + token + "/reject", null, null, null), 409);

    assertNull(giver.certificate(id), "the giver no longer holds it");
    assertEquals(10_000, recipient.certificate(id).getLong("balanceWon"));
    assertEquals("ACTIVE", recipient.certificate(id).getString("status"));
    // the giver's PIN is dead (unless the new one happens to be the same), the recipient's works
    if (!newPin.equals(cert.getString("pin"))) {
      check(h.pos(store.getString("apiKey"), cert.getString("code"), cert.getString("pin"), 1_000, "P-2"), 422);
    }
    check(h.pos(store.getString("apiKey"), cert.getString("code"), newPin, 1_000, "P-3"), 200);
    assertTrue(h.awaitSms(giver.phone, b -> b.contains("was accepted")).body().contains(recipient.phone));
    JsonObject history = check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().getJsonObject(0);
    assertEquals("ACCEPTED", history.getString("status"));
    assertEquals(recipient.phone, history.getString("recipientPhone"));
    assertEquals(id, history.getJsonArray("certificates").getJsonObject(0).getLong("id"));
  }

  @Test
  void aRecipientWithoutAnAccountDeclinesAndTheGiverKeepsTheCertificate() throws Exception {
    var giver = h.new Member("giver-d").ready();
    String nobody = CertHarness.newPhone();
    JsonObject cert = check(giver.buy(culture10k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject()
        .getJsonArray("certificates").getJsonObject(0);
    long id = cert.getLong("id");
    gift(giver, id, nobody, "Thanks for everything");
    // the same certificate cannot be gifted twice at once
    check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(id))
        .put("recipientPhone", CertHarness.newPhone()).put("message", "again")), 409);
    // bad input changes nothing
    check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(id))
        .put("recipientPhone", "01012345678").put("message", "x")), 400);
    check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(id))
        .put("recipientPhone", giver.phone).put("message", "x")), 400);
    String token = token(h.awaitSms(nobody, b -> b.contains("sent you a gift")).body());
    JsonObject rejected = check(h.gateway.send(HttpMethod.POST, "/certificates/claims/" + token + "/reject", null, null, null), 200)
        .bodyAsJsonObject();
    assertEquals("REJECTED", rejected.getString("status"));
    assertTrue(h.awaitSms(giver.phone, b -> b.contains("was declined")).body().contains("back in My certificates"));
    JsonObject mine = giver.certificate(id);
    assertEquals("ACTIVE", mine.getString("status"));
    assertEquals(10_000, mine.getLong("balanceWon"));
    assertEquals("REJECTED", check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().getJsonObject(0).getString("status"));
    // the giver's own PIN still works
    JsonObject store = h.store("Declined branch");
    check(h.pos(store.getString("apiKey"), cert.getString("code"), cert.getString("pin"), 2_500, "R-1"), 200);
    // a decided gift cannot be accepted afterwards
    assertEquals("REJECTED", check(h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null), 200)
        .bodyAsJsonObject().getString("status"));
    check(h.gateway.send(HttpMethod.GET, "/certificates/claims/not-a-token", null, null, null), 404);
  }
}
