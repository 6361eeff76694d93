package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
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
import java.time.Duration;
import java.util.List;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The giver resends a gift's offer: after an SMSC outage the recipient finally gets a working link; only the giver,
 * only an open gift, a bounded number of times per hour (429 with Retry-After); each resend is a new link, the old
 * one dead; the claim token never reaches a log line.
 */
class GiftResendTest {
  @TempDir
  static Path dir;
  static CertHarness h;
  static long culture10k;
  static LogCapture logs;
  static List<String> LOGGED;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    LOGGED = logs.lines;
    h = new CertHarness(dir);
    culture10k = h.item("Culture Pass", 10_000);
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  static long certificate(CertHarness.Member giver) throws Exception {
    return check(giver.buy(culture10k, 1, "PHONE_BILL", null), 201).bodyAsJsonObject().getJsonArray("certificates")
        .getJsonObject(0).getLong("id");
  }

  static JsonObject gift(CertHarness.Member giver, long certificateId, String phone) throws Exception {
    return check(giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", new JsonArray().add(certificateId))
        .put("recipientPhone", phone).put("message", "for you")), 201).bodyAsJsonObject();
  }

  static HttpResponse<Buffer> resend(CertHarness.Member giver, long giftId) throws Exception {
    return giver.post("/api/v1/certificates/gifts/" + giftId + "/resend", null);
  }

  static List<String> tokens(String phone) {
    return h.smsc.received().stream().filter(m -> m.to().equals(phone) && m.body().contains("/#/gifts/claim?t="))
        .map(m -> GiftingTest.token(m.body())).toList();
  }

  static int claimStatus(String token) throws Exception {
    return h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null).statusCode();
  }

  static void assertNoTokenLogged(List<String> tokens) {
    for (String t : tokens) for (String line : LOGGED) assertFalse(line.contains(t), "claim token in a log line: " + line);
  }

  @Test
  void afterAnSmscOutageTheResentOfferArrivesAndItsLinkWorks() throws Exception {
    var giver = h.new Member("rs-giver-a").ready();
    var recipient = h.new Member("rs-recipient-a").ready();
    long cert = certificate(giver);
    h.smsc.close(); // the SMSC is down: neither the MMS nor the SMS gets through
    boolean restarted = false;
    try {
      JsonObject g = gift(giver, cert, recipient.phone);
      assertFalse(g.getBoolean("smsSent"));
      long giftId = g.getLong("giftId");
      // still down: the resend is answered, counted, and says it did not get through
      JsonObject down = check(resend(giver, giftId), 200).bodyAsJsonObject();
      assertFalse(down.getBoolean("smsSent"));
      assertEquals(CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX - 1, down.getInteger("resendsLeft"));
      assertFalse(check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().getJsonObject(0).getBoolean("smsSent"));
      h.restartSmsc();
      restarted = true;
      JsonObject up = check(resend(giver, giftId), 200).bodyAsJsonObject();
      assertTrue(up.getBoolean("smsSent"), up.encode());
      assertEquals(CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX - 2, up.getInteger("resendsLeft"));
      var offer = h.awaitSms(recipient.phone, b -> b.contains("sent you a gift"));
      assertTrue(offer.multipart(), "the same MMS as a first offer");
      assertTrue(offer.body().contains(giver.name), offer.body());
      String token = GiftingTest.token(offer.body());
      assertEquals(List.of(token), tokens(recipient.phone), "exactly one offer reached the recipient");
      JsonObject history = check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().getJsonObject(0);
      assertTrue(history.getBoolean("smsSent"));
      assertEquals("SENT", history.getString("status"));
      JsonObject accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200).bodyAsJsonObject();
      assertEquals("ACCEPTED", accepted.getString("status"));
      assertEquals(10_000, recipient.certificate(cert).getLong("balanceWon"));
      // decided: nothing to resend, and nothing is sent
      long messages = h.smsCount(recipient.phone);
      JsonObject decided = check(resend(giver, giftId), 409).bodyAsJsonObject();
      assertEquals("already_decided", decided.getString("error"));
      assertEquals("ACCEPTED", decided.getString("status"));
      assertTrue(decided.getString("reason").contains("accepted"), decided.encode());
      assertEquals(messages, h.smsCount(recipient.phone));
      assertNoTokenLogged(List.of(token));
    } finally {
      if (!restarted) h.restartSmsc(); // the other tests need it
    }
  }

  @Test
  void eachResendIsANewLinkAndTheyAreBoundedPerHour() throws Exception {
    var giver = h.new Member("rs-giver-b").ready();
    String phone = CertHarness.newPhone();
    long giftId = gift(giver, certificate(giver), phone).getLong("giftId");
    h.awaitSms(phone, b -> b.contains("sent you a gift"));
    for (int i = 1; i <= CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX; i++) {
      JsonObject r = check(resend(giver, giftId), 200).bodyAsJsonObject();
      assertTrue(r.getBoolean("smsSent"));
      assertEquals(CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX - i, r.getInteger("resendsLeft"));
      h.clock.advance(Duration.ofMinutes(5));
    }
    List<String> links = tokens(phone);
    assertEquals(1 + CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX, links.size());
    assertEquals(links.size(), links.stream().distinct().count(), "every message has its own link");
    for (String old : links.subList(0, links.size() - 1)) assertEquals(404, claimStatus(old), "an old link stops working");
    String newest = links.get(links.size() - 1);
    assertEquals(200, claimStatus(newest));

    // the fourth within the hour: 429 until the first resend is an hour old; nothing sent, the link unchanged
    long messages = h.smsCount(phone);
    HttpResponse<Buffer> tooMany = check(resend(giver, giftId), 429);
    assertEquals("too_many_resends", tooMany.bodyAsJsonObject().getString("error"));
    long retryAfter = Long.parseLong(tooMany.getHeader("Retry-After"));
    assertEquals(Duration.ofHours(1).minusMinutes(5L * CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX).toSeconds(), retryAfter);
    assertEquals(messages, h.smsCount(phone));
    assertEquals(200, claimStatus(newest));
    h.clock.advance(Duration.ofSeconds(retryAfter - 1));
    giver.signIn();
    assertEquals("1", check(resend(giver, giftId), 429).getHeader("Retry-After"));
    h.clock.advance(Duration.ofSeconds(1));
    JsonObject again = check(resend(giver, giftId), 200).bodyAsJsonObject();
    assertEquals(0, again.getInteger("resendsLeft"), "the other two are still within the hour");
    assertNotEquals(newest, tokens(phone).get(tokens(phone).size() - 1));
    assertNoTokenLogged(tokens(phone));
  }

  @Test
  void onlyTheGiverResendsAndOnlyAnOpenGift() throws Exception {
    var giver = h.new Member("rs-giver-c").ready();
    var stranger = h.new Member("rs-stranger-c").ready();
    String phone = CertHarness.newPhone();
    long giftId = gift(giver, certificate(giver), phone).getLong("giftId");
    String token = GiftingTest.token(h.awaitSms(phone, b -> b.contains("sent you a gift")).body());
    long messages = h.smsCount(phone);
    assertEquals("not_found", check(resend(stranger, giftId), 404).bodyAsJsonObject().getString("error"),
        "another member's gift looks like none");
    check(resend(giver, 999_999), 404);
    check(resend(giver, 0), 400);
    assertEquals(401, h.gateway.send(HttpMethod.POST, "/api/v1/certificates/gifts/" + giftId + "/resend", null, null, null).statusCode());
    assertEquals(messages, h.smsCount(phone));
    assertEquals(200, claimStatus(token), "refused resends leave the link alone");
    check(h.gateway.send(HttpMethod.POST, "/certificates/claims/" + token + "/reject", null, null, null), 200);
    JsonObject declined = check(resend(giver, giftId), 409).bodyAsJsonObject();
    assertEquals("REJECTED", declined.getString("status"));
    assertTrue(declined.getString("reason").contains("declined"), declined.encode());
    assertEquals(messages, h.smsCount(phone));
  }
}
