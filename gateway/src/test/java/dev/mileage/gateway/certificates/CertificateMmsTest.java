package dev.mileage.gateway.certificates;

import dev.mileage.gateway.LogCapture;
import dev.mileage.fixtures.sip.SmsMessage;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.mileage.gateway.certificates.CertHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Purchases are announced by an MMS-like SIP MESSAGE: multipart/mixed with the text and each certificate's
 * Code 128 barcode as a PNG that decodes to its code. Over UDP while it fits 1300 bytes, else TCP; SMS text
 * when the SMSC refuses multipart. Never a PIN, in a message or a log.
 */
class CertificateMmsTest {
  @TempDir
  static Path dir;
  @TempDir
  static Path textOnlyDir;
  static CertHarness h;
  static long general10k;
  static LogCapture logs;
  static List<String> LOGGED;

  @BeforeAll
  static void start() throws Exception {
    logs = LogCapture.install();
    LOGGED = logs.lines;
    h = new CertHarness(dir);
    general10k = h.item("Mileage Telecom", 10_000);
  }

  @AfterAll
  static void stop() {
    if (logs != null) logs.close();
    if (h != null) h.close();
  }

  /** The purchase's message, its certificates' raw codes from the member's own view, and the PINs shown once. */
  static void assertMms(CertHarness.Member a, JsonObject purchase, SmsMessage m, String transport) throws Exception {
    assertTrue(m.multipart(), "an MMS, not an SMS");
    assertEquals("multipart/mixed", m.contentType());
    assertEquals(transport, m.transport());
    JsonArray certs = purchase.getJsonArray("certificates");
    assertEquals(1 + certs.size(), m.parts().size());
    assertEquals("text/plain", m.parts().get(0).contentType());
    assertTrue(m.parts().get(0).text().contains(certs.size() + " x Mileage Telecom 10,000 won gift certificate issued"), m.body());
    Set<String> decoded = new HashSet<>();
    for (SmsMessage.Part p : m.parts().subList(1, m.parts().size())) {
      assertEquals("image/png", p.contentType());
      assertTrue(p.sizeBytes() > 8 && p.sizeBytes() <= CertificateMessages.PNG_BYTES_MAX, "PNG bytes " + p.sizeBytes());
      String code = BarcodeReading.decodePng(p.body());
      assertEquals("certificate " + Codes.display(code), p.description());
      decoded.add(code);
    }
    Set<String> expected = new HashSet<>();
    for (Object o : certs) expected.add(Codes.normalize(((JsonObject) o).getString("code")));
    assertEquals(expected, decoded, "one barcode per certificate, each decoding to its code");
    for (Object o : certs) {
      String pin = ((JsonObject) o).getString("pin");
      assertTrue(pin.matches("[0-9]{6}"));
      for (SmsMessage.Part p : m.parts()) {
        assertFalse(new String(p.body(), StandardCharsets.ISO_8859_1).contains(pin) && p.contentType().startsWith("text"),
            "no PIN in the text");
      }
      assertFalse(m.body().contains(pin));
      for (String line : LOGGED) assertFalse(line.contains(pin), "PIN in a log line: " + line);
    }
  }

  @Test
  void oneCertificateTravelsOverUdpWithItsBarcode() throws Exception {
    var a = h.new Member("mms-one").ready();
    JsonObject p = check(a.buy(general10k, 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201).bodyAsJsonObject();
    SmsMessage m = h.awaitSms(a.phone, b -> b.contains("purchase " + p.getLong("id")));
    assertMms(a, p, m, "UDP");
  }

  @Test
  void manyCertificatesGoOverTcp() throws Exception {
    var a = h.new Member("mms-many").ready();
    JsonObject p = check(a.buy(general10k, 6, "PHONE_BILL", null), 201).bodyAsJsonObject();
    SmsMessage m = h.awaitSms(a.phone, b -> b.contains("purchase " + p.getLong("id")));
    assertMms(a, p, m, "TCP");
    assertEquals(2, h.smsCount(a.phone), "the sign-up code, then one message for the whole purchase");
  }

  @Test
  void anSmsOnlySmscGetsTheTextAsSms() throws Exception {
    try (CertHarness t = new CertHarness(textOnlyDir, CertHarness.PER_CERTIFICATE, CertHarness.PER_STORE,
        CertHarness.PER_SOURCE, CertHarness.OVERALL, true)) {
      var a = t.new Member("mms-fallback").ready();
      JsonObject p = check(a.buy(t.item("Mileage Telecom", 10_000), 1, "CARD", SandboxPaymentProvider.TOKEN_OK), 201)
          .bodyAsJsonObject();
      SmsMessage m = t.awaitSms(a.phone, b -> b.contains("purchase " + p.getLong("id")));
      assertFalse(m.multipart());
      assertEquals("text/plain", m.contentType());
      assertEquals(CertificateMessages.purchaseText(new Catalog.Item(0, "GENERAL", "Mileage Telecom", 10_000, "", true),
          p.getLong("id"), 1, PurchaseService.Settlement.CARD), m.body());
      assertFalse(m.body().contains(p.getJsonArray("certificates").getJsonObject(0).getString("pin")));
    }
  }
}
