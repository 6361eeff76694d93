package dev.mileage.gateway.certificates;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.MultiFormatReader;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a barcode SVG back the way a scanner would: rasterises the drawn rectangles into pixels (4 per
 * module) and lets ZXing's reader decode the image. Proves the image, not just the string, holds the code.
 */
final class BarcodeReading {
  private static final int SCALE = 4;

  private BarcodeReading() {
  }

  static String decode(String svg, boolean qr) throws Exception {
    Matcher box = Pattern.compile("viewBox=\"0 0 (\\d+) (\\d+)\"").matcher(svg);
    if (!box.find()) throw new AssertionError("no viewBox");
    int w = Integer.parseInt(box.group(1));
    int h = Integer.parseInt(box.group(2));
    int[] pixels = new int[w * SCALE * h * SCALE];
    java.util.Arrays.fill(pixels, 0xFFFFFFFF);
    Matcher run = Pattern.compile("M(\\d+) (\\d+)h(\\d+)v(\\d+)h-?\\d+z").matcher(svg);
    int runs = 0;
    while (run.find()) {
      runs++;
      int x0 = Integer.parseInt(run.group(1));
      int y0 = Integer.parseInt(run.group(2));
      int rw = Integer.parseInt(run.group(3));
      int rh = Integer.parseInt(run.group(4));
      for (int y = y0 * SCALE; y < (y0 + rh) * SCALE; y++) {
        for (int x = x0 * SCALE; x < (x0 + rw) * SCALE; x++) pixels[y * w * SCALE + x] = 0xFF000000;
      }
    }
    if (runs == 0) throw new AssertionError("nothing drawn");
    var source = new RGBLuminanceSource(w * SCALE, h * SCALE, pixels);
    var hints = Map.of(DecodeHintType.POSSIBLE_FORMATS, List.of(qr ? BarcodeFormat.QR_CODE : BarcodeFormat.CODE_128),
        DecodeHintType.PURE_BARCODE, Boolean.TRUE);
    return new MultiFormatReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
  }

  /** Decodes a PNG (as a phone's camera or a POS imager would see the screen) of either kind. */
  static String decodePng(byte[] png) throws Exception {
    var img = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
    if (img == null) throw new AssertionError("not a readable PNG");
    int[] pixels = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    var source = new RGBLuminanceSource(img.getWidth(), img.getHeight(), pixels);
    var hints = Map.of(DecodeHintType.POSSIBLE_FORMATS, List.of(BarcodeFormat.QR_CODE, BarcodeFormat.CODE_128),
        DecodeHintType.PURE_BARCODE, Boolean.TRUE);
    return new MultiFormatReader().decode(new BinaryBitmap(new HybridBinarizer(source)), hints).getText();
  }
}
