package dev.mileage.gateway.certificates;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The PNG barcodes sent by MMS decode to the code and stay small enough for one SIP MESSAGE over UDP. */
class BarcodePngTest {
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  @Test
  void pngsDecodeToTheCodeAndAreSmall() throws Exception {
    Codes codes = new Codes();
    for (int i = 0; i < 20; i++) {
      String code = codes.newCode();
      for (Barcodes.Kind kind : Barcodes.Kind.values()) {
        byte[] png = Barcodes.png(kind, code);
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(png, 8));
        assertEquals(code, BarcodeReading.decodePng(png), kind + " " + code);
        assertTrue(png.length <= CertificateMessages.PNG_BYTES_MAX, kind + " PNG of " + png.length + " bytes");
        if (i == 0) System.out.println(kind + " PNG bytes: " + png.length);
      }
    }
  }
}
