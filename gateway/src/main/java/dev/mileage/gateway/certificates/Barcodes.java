package dev.mileage.gateway.certificates;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.oned.Code128Writer;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

import java.util.Map;

/**
 * Barcode images of a certificate code, drawn as SVG from ZXing's bit matrices: Code 128 for shop
 * scanners, QR for phone cameras. Modules are whole SVG units with a quiet zone, and the images are
 * crisp at any size the page scales them to.
 */
final class Barcodes {
  enum Kind { CODE128, QR }

  /** Code 128 bars are this many modules high: about a quarter of the width of a 20-symbol code. */
  static final int CODE128_HEIGHT_MODULES = 60;
  static final int QUIET_MODULES = 10;

  private Barcodes() {
  }

  static String svg(Kind kind, String code) {
    try {
      BitMatrix m = switch (kind) {
        case CODE128 -> new Code128Writer().encode(code, BarcodeFormat.CODE_128, 0, CODE128_HEIGHT_MODULES,
            Map.of(EncodeHintType.MARGIN, QUIET_MODULES));
        case QR -> new QRCodeWriter().encode(code, BarcodeFormat.QR_CODE, 0, 0,
            Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
      };
      return toSvg(m, kind == Kind.CODE128);
    } catch (WriterException e) {
      throw new IllegalStateException("cannot encode a certificate code", e);
    }
  }

  /** One rectangle per horizontal run of dark modules; for 1-D codes one tall rectangle per bar. */
  private static String toSvg(BitMatrix m, boolean oneDimensional) {
    int w = m.getWidth();
    int h = m.getHeight();
    StringBuilder b = new StringBuilder(8192);
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").append(w).append(' ').append(h)
        .append("\" shape-rendering=\"crispEdges\" role=\"img\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>")
        .append("<path fill=\"#000\" d=\"");
    int rows = oneDimensional ? 1 : h;
    for (int y = 0; y < rows; y++) {
      int x = 0;
      while (x < w) {
        if (!m.get(x, y)) {
          x++;
          continue;
        }
        int start = x;
        while (x < w && m.get(x, y)) x++;
        int height = oneDimensional ? h : 1;
        b.append('M').append(start).append(' ').append(y).append('h').append(x - start).append('v').append(height)
            .append('h').append(start - x).append('z');
      }
    }
    return b.append("\"/></svg>").toString();
  }
}
