package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
import dev.mileage.fixtures.sip.SmsMessage;
import dev.mileage.gateway.members.SipSmsSender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gift's recipient is told by MMS, over real loopback SIP to the SMSC fixture and a real gateway on embedded
 * PostgreSQL: first the offer (who from, the giver's message as UTF-8 text, the claim link; no code and no
 * barcode while the certificates are still the giver's), then, once accepted, the certificates' barcodes as
 * PNGs that ZXing decodes to their codes. UDP while the MESSAGE fits 1300 bytes, else TCP; an SMS-only SMSC
 * (415) gets the texts as SMS. Hostile messages are refused (controls, length) or folded onto one line (line
 * breaks) and never break the SIP message. No PIN anywhere, in a message or a log line.
 */
class GiftMmsTest {
  static final String KOREAN = "생일 축하해요! 콘서트 즐겁게 보내세요 \uD83C\uDF89";
  @TempDir
  static Path dir;
  @TempDir
  static Path textOnlyDir;
  @TempDir
  static Path downDir;
  static CertHarness h;
  static long culture10k;
  static long extraId;
  static String extraName;
  static LogCapture logs;
  static List<String> LOGGED;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    LOGGED = logs.lines;
    h = new CertHarness(dir);
    culture10k = h.item("Culture Pass", 10_000);
    JsonObject theme = check(h.gateway.send(HttpMethod.GET, "/certificates/contents", null, null, null), 200).bodyAsJsonArray()
        .stream().map(o -> (JsonObject) o).filter(c -> c.getString("kind").equals("THEME_CARD")).findFirst().orElseThrow();
    extraId = theme.getLong("id");
    extraName = theme.getString("name");
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  static JsonArray buy(CertHarness t, CertHarness.Member giver, int sheets) throws Exception {
    return check(giver.buy(t.item("Culture Pass", 10_000), sheets, "PHONE_BILL", null), 201).bodyAsJsonObject().getJsonArray("certificates");
  }

  static HttpResponse<Buffer> gift(CertHarness.Member giver, JsonArray certs, String phone, String message) throws Exception {
    JsonArray ids = new JsonArray();
    for (Object o : certs) ids.add(((JsonObject) o).getLong("id"));
    return giver.post("/api/v1/certificates/gifts", new JsonObject().put("certificateIds", ids).put("recipientPhone", phone)
        .put("message", message).put("extraId", extraId));
  }

  /** Every text a message carries: its body and its text parts. */
  static List<String> texts(SmsMessage m) {
    List<String> all = new ArrayList<>(List.of(m.body()));
    for (SmsMessage.Part p : m.parts()) if (p.contentType().startsWith("text")) all.add(p.text());
    return all;
  }

  /** No PIN in any message the SMSC received nor in any log line; no claim token in a log line. */
  static void assertNoSecretsLeaked(CertHarness t, List<String> pins, String token) {
    for (String pin : pins) {
      assertTrue(pin.matches("[0-9]{6}"));
      for (SmsMessage m : t.smsc.received()) for (String text : texts(m)) assertFalse(text.contains(pin), "PIN in " + text);
      for (String line : LOGGED) assertFalse(line.contains(pin), "PIN in a log line: " + line);
    }
    for (String line : LOGGED) assertFalse(line.contains(token), "claim token in a log line: " + line);
  }

  static void assertOneLineOfText(SmsMessage.Part p) {
    assertEquals("text/plain", p.contentType());
    p.text().codePoints().forEach(cp -> assertFalse(Character.getType(cp) == Character.CONTROL, "control U+"
        + Integer.toHexString(cp) + " in " + p.text()));
  }

  /** The offer MMS: three text parts, none with a code; answers the claim token. */
  static String assertOffer(CertHarness.Member giver, JsonArray certs, SmsMessage m, String message, String transport) {
    assertTrue(m.multipart(), "an MMS, not an SMS");
    assertEquals("multipart/mixed", m.contentType());
    assertEquals(transport, m.transport());
    assertEquals(3, m.parts().size(), "the offer, the message, how to claim; no barcode before the gift is accepted");
    m.parts().forEach(GiftMmsTest::assertOneLineOfText);
    assertEquals(List.of("gift", "gift message", "how to claim"), m.parts().stream().map(SmsMessage.Part::description).toList());
    String what = certs.size() == 1 ? "1 x Culture Pass 10,000 won gift certificate" : certs.size() + " x Culture Pass 10,000 won gift certificates";
    assertEquals("Mileage: " + giver.name + " sent you a gift: " + what + ", with the theme card \"" + extraName + "\".",
        m.parts().get(0).text());
    assertArrayEquals(message.getBytes(StandardCharsets.UTF_8), m.parts().get(1).body(), "the message, byte for byte in UTF-8");
    String claim = m.parts().get(2).text();
    assertTrue(claim.contains("Accept or decline: http://"), claim);
    for (Object o : certs) {
      String code = Codes.normalize(((JsonObject) o).getString("code"));
      for (String text : texts(m)) assertFalse(text.contains(code) || text.contains(Codes.display(code)), "a code in the offer");
    }
    return GiftingTest.token(claim);
  }

  /** The accepted MMS: the text, then one PNG per certificate decoding to its code. */
  static void assertAccepted(JsonArray certs, SmsMessage m, String transport) throws Exception {
    assertTrue(m.multipart());
    assertEquals(transport, m.transport());
    assertEquals(1 + certs.size(), m.parts().size());
    assertOneLineOfText(m.parts().get(0));
    Set<String> decoded = new HashSet<>();
    for (SmsMessage.Part p : m.parts().subList(1, m.parts().size())) {
      assertEquals("image/png", p.contentType());
      assertTrue(p.sizeBytes() > 8 && p.sizeBytes() <= CertificateMessages.PNG_BYTES_MAX);
      String code = BarcodeReading.decodePng(p.body());
      assertEquals("certificate " + Codes.display(code), p.description());
      decoded.add(code);
    }
    Set<String> expected = new HashSet<>();
    for (Object o : certs) expected.add(Codes.normalize(((JsonObject) o).getString("code")));
    assertEquals(expected, decoded, "one barcode per gifted certificate, each decoding to its code");
  }

  static List<String> pins(JsonArray... lists) {
    List<String> pins = new ArrayList<>();
    for (JsonArray l : lists) for (Object o : l) pins.add(((JsonObject) o).getString("pin"));
    return pins;
  }

  @Test
  void theOfferCarriesTheKoreanMessageAndAcceptingBringsTheBarcode() throws Exception {
    var giver = h.new Member("gm-giver-a").ready();
    var recipient = h.new Member("gm-recipient-a").ready();
    JsonArray certs = buy(h, giver, 1);
    JsonObject g = check(gift(giver, certs, recipient.phone, KOREAN), 201).bodyAsJsonObject();
    assertTrue(g.getBoolean("smsSent"));
    SmsMessage offer = h.awaitSms(recipient.phone, b -> b.contains("sent you a gift"));
    String token = assertOffer(giver, certs, offer, KOREAN, "UDP");
    JsonObject info = check(h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null), 200).bodyAsJsonObject();
    assertEquals(KOREAN, info.getString("message"));
    assertEquals(giver.name, info.getString("from"));

    JsonArray accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200)
        .bodyAsJsonObject().getJsonArray("certificates");
    SmsMessage barcodes = h.awaitSms(recipient.phone, b -> b.contains("accepted"));
    assertAccepted(certs, barcodes, "UDP");
    assertEquals("Mileage: 1 x Culture Pass 10,000 won gift certificate accepted. Show the barcode with the PIN shown on screen.",
        barcodes.parts().get(0).text());
    assertEquals(3, h.smsCount(recipient.phone), "the sign-up code, the offer, the barcodes");
    h.awaitSms(giver.phone, b -> b.contains("was accepted"));
    assertNoSecretsLeaked(h, pins(certs, accepted), token);
  }

  @Test
  void aLongMessageAndManyBarcodesGoOverTcpIntact() throws Exception {
    var giver = h.new Member("gm-giver-b").ready();
    var recipient = h.new Member("gm-recipient-b").ready();
    JsonArray certs = buy(h, giver, 6);
    String longest = "가나다라마바사아자차".repeat(CertificatesOptions.MESSAGE_LENGTH_MAX / 10);
    assertEquals(CertificatesOptions.MESSAGE_LENGTH_MAX, longest.length());
    check(gift(giver, certs, recipient.phone, longest), 201);
    SmsMessage offer = h.awaitSms(recipient.phone, b -> b.contains("sent you a gift"));
    String token = assertOffer(giver, certs, offer, longest, "TCP");
    JsonArray accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200)
        .bodyAsJsonObject().getJsonArray("certificates");
    assertEquals(6, accepted.size());
    assertAccepted(certs, h.awaitSms(recipient.phone, b -> b.contains("accepted")), "TCP");
    assertNoSecretsLeaked(h, pins(certs, accepted), token);
  }

  @Test
  void hostileMessagesAreRefusedOrFoldedAndNeverBreakTheSipMessage() throws Exception {
    var giver = h.new Member("gm-giver-c").ready();
    String nobody = CertHarness.newPhone();
    JsonArray certs = buy(h, giver, 1);
    long id = certs.getJsonObject(0).getLong("id");
    for (String bad : List.of("hi\u0000there", "\u001b[2J\u001b[H", "next\u0085line", "del\u007f", "bell\u0007")) {
      JsonObject e = check(gift(giver, certs, nobody, bad), 400).bodyAsJsonObject();
      assertEquals("invalid_request", e.getString("error"));
      assertEquals("message must not contain control characters", e.getString("reason"));
    }
    JsonObject tooLong = check(gift(giver, certs, nobody, "가".repeat(CertificatesOptions.MESSAGE_LENGTH_MAX + 1)), 400).bodyAsJsonObject();
    assertEquals("invalid_request", tooLong.getString("error"));
    assertTrue(tooLong.getString("reason").contains("message"), tooLong.encode()); // the API's schema bound
    // refusals change nothing: no gift, no message, the certificate still the giver's to use
    assertEquals(0, check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().size());
    assertEquals("ACTIVE", giver.certificate(id).getString("status"));
    assertEquals(0, h.smsCount(nobody));

    // line breaks are what a text area sends: accepted, stored as typed, folded onto one line in the MMS
    String injection = "Hi\r\nContent-Type: text/html\r\n\r\n--mms-0\r\nVia: SIP/2.0/UDP evil.example\r\nContent-Length: 0\r\n\r\n"
        + "MESSAGE sip:+15550000000@evil.example SIP/2.0\u202E\uFEFF\n\tbye";
    check(gift(giver, certs, nobody, injection), 201);
    SmsMessage offer = h.awaitSms(nobody, b -> b.contains("sent you a gift"));
    String folded = "Hi Content-Type: text/html --mms-0 Via: SIP/2.0/UDP evil.example Content-Length: 0"
        + " MESSAGE sip:+15550000000@evil.example SIP/2.0 bye";
    String token = assertOffer(giver, certs, offer, folded, offer.transport());
    assertEquals(1, h.smsCount(nobody), "one MESSAGE, nothing smuggled into a second");
    assertTrue(h.smsc.received().stream().noneMatch(m -> m.to().contains("15550000000")));
    JsonObject info = check(h.gateway.send(HttpMethod.GET, "/certificates/claims/" + token, null, null, null), 200).bodyAsJsonObject();
    assertEquals(injection, info.getString("message"), "the claim page shows what was written");
    assertNoSecretsLeaked(h, pins(certs), token);
  }

  @Test
  void anSmsOnlySmscGetsTheClaimSmsAndTheAcceptedText() throws Exception {
    try (CertHarness t = new CertHarness(textOnlyDir, CertHarness.PER_CERTIFICATE, CertHarness.PER_STORE,
        CertHarness.PER_SOURCE, CertHarness.OVERALL, true)) {
      var giver = t.new Member("gm-giver-d").ready();
      var recipient = t.new Member("gm-recipient-d").ready();
      JsonArray certs = buy(t, giver, 1);
      assertTrue(check(gift(giver, certs, recipient.phone, KOREAN), 201).bodyAsJsonObject().getBoolean("smsSent"));
      SmsMessage offer = t.awaitSms(recipient.phone, b -> b.contains("sent you a gift"));
      assertFalse(offer.multipart());
      assertEquals("text/plain", offer.contentType());
      String token = GiftingTest.token(offer.body());
      String link = offer.body().substring(offer.body().indexOf(" http://") + 1);
      assertEquals(CertificateMessages.giftSms(giver.name, KOREAN, link), offer.body());
      assertEquals(giver.name + " sent you a gift: \"" + KOREAN + "\" " + link, offer.body());
      assertTrue(offer.body().length() <= SipSmsSender.TEXT_LENGTH_MAX);

      JsonArray accepted = check(recipient.post("/api/v1/certificates/claims/" + token + "/accept", new JsonObject()), 200)
          .bodyAsJsonObject().getJsonArray("certificates");
      SmsMessage text = t.awaitSms(recipient.phone, b -> b.contains("accepted"));
      assertFalse(text.multipart());
      assertEquals("Mileage: 1 x Culture Pass 10,000 won gift certificate accepted. Show the barcode with the PIN shown on screen.",
          text.body());
      assertTrue(LOGGED.stream().anyMatch(l -> l.startsWith("gift offer MMS REJECTED: sending the text as SMS")));
      assertTrue(LOGGED.stream().anyMatch(l -> l.startsWith("gift accepted MMS REJECTED: sending the text as SMS")));
      for (String line : LOGGED) assertFalse(line.contains("생일"), "message content in a log line: " + line);
      assertNoSecretsLeaked(t, pins(certs, accepted), token);
    }
  }

  @Test
  void anUnreachableSmscKeepsTheGiftPendingAndTellsTheGiver() throws Exception {
    try (CertHarness t = new CertHarness(downDir)) {
      var giver = t.new Member("gm-giver-e").ready();
      var recipient = t.new Member("gm-recipient-e").ready();
      JsonArray certs = buy(t, giver, 1);
      long before = t.smsc.received().size();
      t.smsc.close(); // nobody answers on the SMSC's port any more
      JsonObject g = check(gift(giver, certs, recipient.phone, KOREAN), 201).bodyAsJsonObject();
      assertFalse(g.getBoolean("smsSent"), "neither the MMS nor the SMS reached an SMSC");
      JsonObject history = check(giver.get("/api/v1/certificates/gifts"), 200).bodyAsJsonArray().getJsonObject(0);
      assertEquals("SENT", history.getString("status"));
      assertFalse(history.getBoolean("smsSent"));
      assertEquals("GIFT_PENDING", giver.certificate(certs.getJsonObject(0).getLong("id")).getString("status"));
      assertTrue(LOGGED.stream().anyMatch(l -> l.startsWith("gift offer MMS UNREACHABLE: sending the text as SMS")));
      assertEquals(before, t.smsc.received().size());
    }
  }
}
