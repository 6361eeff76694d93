package dev.mileage.gateway.certificates;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Codes, PINs and tokens: format, entropy budget, forgiving input, and barcodes that decode back. */
class CodesTest {
  private final Codes codes = new Codes();

  @Test
  void codesCarryAtLeastEightyBitsAndReadBackThroughTypos() {
    assertTrue(Codes.CODE_BITS >= 80);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String c = codes.newCode();
      assertTrue(c.matches("[0-9A-HJKMNP-TV-Z]{20}"), c);
      assertTrue(seen.add(c));
      assertEquals(c, Codes.normalize(Codes.display(c)));
      assertEquals(c, Codes.normalize(Codes.display(c).toLowerCase().replace('-', ' ')));
    }
    assertEquals("01234567890123456789", Codes.normalize("OI23-4567-89OL-2345-6789"));
    assertNull(Codes.normalize("ABCD"));
    assertNull(Codes.normalize("ABCD-EFGH-JKMN-PQRS-TVWU"), "U is not in the alphabet");
    assertNull(Codes.normalize("x".repeat(500)));
    assertNull(Codes.normalize(null));
  }

  @Test
  void pinsAndTokens() {
    for (int i = 0; i < 1_000; i++) {
      String pin = codes.newPin();
      assertTrue(Codes.plausiblePin(pin), pin);
      assertTrue(codes.newToken().matches("[A-Za-z0-9_-]{22}"));
    }
    assertTrue(!Codes.plausiblePin("12345") && !Codes.plausiblePin("12345a") && !Codes.plausiblePin(null));
  }

  @Test
  void bothBarcodesDecodeToTheCode() throws Exception {
    for (int i = 0; i < 20; i++) {
      String c = codes.newCode();
      assertEquals(c, BarcodeReading.decode(Barcodes.svg(Barcodes.Kind.CODE128, c), false));
      assertEquals(c, BarcodeReading.decode(Barcodes.svg(Barcodes.Kind.QR, c), true));
    }
  }
}
