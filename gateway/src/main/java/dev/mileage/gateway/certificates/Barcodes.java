package dev.mileage.gateway.certificates;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.oned.Code128Writer;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Barcode images of a certificate code, drawn as SVG from ZXing's bit matrices: Code 128 for shop
 * scanners, QR for phone cameras. Modules are whole SVG units with a quiet zone, and the images are
 * crisp at any size the page scales them to. For messages (MMS) the same matrices are drawn as 1-bit PNGs,
 * small enough to travel in one SIP MESSAGE.
 */
final class Barcodes {
  enum Kind { CODE128, QR }

  /** Code 128 bars are this many modules high: about a quarter of the width of a 20-symbol code. */
  static final int CODE128_HEIGHT_MODULES = 60;
  static final int QUIET_MODULES = 10;

  private Barcodes() {
  }

  /** Pixels per module in PNGs: Code 128 bars 2 px wide (a phone screen shows them crisp), QR modules 4 px. */
  static final int PNG_CODE128_PIXELS_PER_MODULE = 2;
  static final int PNG_QR_PIXELS_PER_MODULE = 4;

  static String svg(Kind kind, String code) {
    return toSvg(matrix(kind, code), kind == Kind.CODE128);
  }

  /** The barcode as a 1-bit grey PNG; Code 128 bars are {@link #CODE128_HEIGHT_MODULES} modules tall. */
  static byte[] png(Kind kind, String code) {
    BitMatrix m = matrix(kind, code);
    int scale = kind == Kind.CODE128 ? PNG_CODE128_PIXELS_PER_MODULE : PNG_QR_PIXELS_PER_MODULE;
    int w = m.getWidth() * scale;
    int h = (kind == Kind.CODE128 ? CODE128_HEIGHT_MODULES : m.getHeight()) * scale;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
    for (int y = 0; y < h; y++) {
      int row = kind == Kind.CODE128 ? 0 : y / scale;
      for (int x = 0; x < w; x++) img.setRGB(x, y, m.get(x / scale, row) ? 0xFF000000 : 0xFFFFFFFF);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      if (!javax.imageio.ImageIO.write(img, "png", out)) throw new IllegalStateException("no PNG writer");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static BitMatrix matrix(Kind kind, String code) {
    try {
      return switch (kind) {
        case CODE128 -> new Code128Writer().encode(code, BarcodeFormat.CODE_128, 0, CODE128_HEIGHT_MODULES,
            Map.of(EncodeHintType.MARGIN, QUIET_MODULES));
        case QR -> new QRCodeWriter().encode(code, BarcodeFormat.QR_CODE, 0, 0,
            Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
      };
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
