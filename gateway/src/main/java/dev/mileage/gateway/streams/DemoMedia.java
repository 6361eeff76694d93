package dev.mileage.gateway.streams;

import org.jcodec.codecs.vpx.VP8Encoder;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Demo content drawn and synthesised by code, so a fresh machine has something to play without a
 * download: a VP8/WebM video (moving shapes and a seconds counter), a WAV tune, WAV speech-like audio
 * (a glottal pulse train through vowel formants, in syllables and phrases), a zip "software" package and
 * a CSV price database. Deterministic: the same bytes on every machine.
 */
final class DemoMedia {
  static final int VIDEO_WIDTH = 320;
  static final int VIDEO_HEIGHT = 180;
  static final int VIDEO_FPS = 10;
  /** VP8 quantiser: lower is sharper and larger; 40 keeps the demo near 30 KB per second. */
  static final int VIDEO_QP = 40;
  static final int MUSIC_RATE = 22_050;
  static final int VOICE_RATE = 16_000;

  private DemoMedia() {
  }

  /** Thrown when generation is abandoned because the gateway stops. */
  static final class Cancelled extends RuntimeException {
    Cancelled() {
      super("demo generation cancelled", null, false, false);
    }
  }

  static WebmWriter.Result video(int seconds, BooleanSupplier cancelled) {
    VP8Encoder encoder = VP8Encoder.createVP8Encoder(VIDEO_QP);
    WebmWriter webm = new WebmWriter(VIDEO_WIDTH, VIDEO_HEIGHT, VIDEO_FPS);
    Picture picture = Picture.create(VIDEO_WIDTH, VIDEO_HEIGHT, ColorSpace.YUV420);
    ByteBuffer buffer = ByteBuffer.allocate(VIDEO_WIDTH * VIDEO_HEIGHT * 3);
    for (int f = 0; f < seconds * VIDEO_FPS; f++) {
      if (cancelled.getAsBoolean()) throw new Cancelled();
      draw(picture, f);
      buffer.clear();
      ByteBuffer out = encoder.encodeFrame(picture, buffer).getData();
      byte[] frame = new byte[out.remaining()];
      out.get(frame);
      webm.addKeyFrame(frame);
    }
    return webm.finish();
  }

  /** Sky, a sun crossing it, rolling hills and the elapsed seconds in seven-segment digits. */
  private static void draw(Picture p, int frame) {
    int w = VIDEO_WIDTH;
    int h = VIDEO_HEIGHT;
    byte[] y = p.getPlaneData(0);
    byte[] u = p.getPlaneData(1);
    byte[] v = p.getPlaneData(2);
    double t = frame / (double) VIDEO_FPS;
    int sunX = (int) (20 + (w - 40) * ((t % 30) / 30));
    int sunY = (int) (60 - 35 * Math.sin(Math.PI * (t % 30) / 30));
    int[] hills = new int[w];
    for (int i = 0; i < w; i++) hills[i] = (int) (130 + 14 * Math.sin((i + frame * 3) / 23.0) + 8 * Math.sin((i - frame) / 11.0));
    for (int j = 0; j < h; j++) {
      for (int i = 0; i < w; i++) {
        int hill = hills[i];
        int luma;
        if (j > hill) luma = 70 + (j - hill) / 2;
        else if ((i - sunX) * (i - sunX) + (j - sunY) * (j - sunY) < 196) luma = 235;
        else luma = 150 + j / 3;
        y[j * w + i] = (byte) (luma - 128);
      }
    }
    for (int j = 0; j < h / 2; j++) {
      for (int i = 0; i < w / 2; i++) {
        boolean ground = 2 * j > hills[2 * i];
        int dx = 2 * i - sunX;
        int dy = 2 * j - sunY;
        boolean sun = dx * dx + dy * dy < 196;
        u[j * (w / 2) + i] = (byte) (ground ? -30 : sun ? -60 : 40);
        v[j * (w / 2) + i] = (byte) (ground ? -20 : sun ? 40 : -25);
      }
    }
    String digits = String.format("%03d", (int) t);
    for (int d = 0; d < digits.length(); d++) digit(y, w, 230 + d * 28, 12, digits.charAt(d) - '0');
  }

  /** Segments a..g of a 20 x 36 digit at (x0, y0). */
  private static void digit(byte[] y, int w, int x0, int y0, int n) {
    int[] masks = {0x3F, 0x06, 0x5B, 0x4F, 0x66, 0x6D, 0x7D, 0x07, 0x7F, 0x6F};
    int m = masks[n];
    int[][] bars = {{2, 0, 16, 4}, {16, 2, 4, 16}, {16, 18, 4, 16}, {2, 32, 16, 4}, {0, 18, 4, 16}, {0, 2, 4, 16}, {2, 16, 16, 4}};
    for (int s = 0; s < 7; s++) {
      if ((m & (1 << s)) == 0) continue;
      int[] b = bars[s];
      for (int j = y0 + b[1]; j < y0 + b[1] + b[3]; j++) {
        for (int i = x0 + b[0]; i < x0 + b[0] + b[2]; i++) y[j * w + i] = (byte) (250 - 128);
      }
    }
  }

  /** A tune in C major over a bass line, notes with a soft attack and decay. */
  static byte[] music(int seconds) {
    double[] melody = {261.63, 329.63, 392.00, 523.25, 440.00, 392.00, 349.23, 329.63, 293.66, 349.23, 440.00, 392.00};
    double[] bass = {130.81, 110.00, 87.31, 98.00};
    int samples = seconds * MUSIC_RATE;
    short[] pcm = new short[samples];
    double noteSeconds = 0.5;
    for (int s = 0; s < samples; s++) {
      double t = s / (double) MUSIC_RATE;
      int note = (int) (t / noteSeconds);
      double inNote = t - note * noteSeconds;
      double envelope = Math.min(1, inNote / 0.02) * Math.exp(-3 * inNote);
      double f = melody[note % melody.length];
      double lead = Math.sin(2 * Math.PI * f * t) + 0.3 * Math.sin(4 * Math.PI * f * t);
      double b = bass[(int) (t / 2) % bass.length];
      double low = Math.sin(2 * Math.PI * b * t) * 0.5;
      pcm[s] = (short) (7000 * (lead * envelope + low));
    }
    return wav(pcm, MUSIC_RATE);
  }

  /**
   * Speech-like audio: syllables of 120..260 ms, each a consonant burst then a vowel (a pulse train at a
   * falling-rising pitch through two formant resonators), in phrases with pauses.
   */
  static byte[] voice(int seconds) {
    double[][] vowels = {{730, 1090}, {270, 2290}, {530, 1840}, {570, 840}, {300, 870}};
    Random random = new Random(7);
    int samples = seconds * VOICE_RATE;
    short[] pcm = new short[samples];
    int s = 0;
    while (s < samples) {
      int syllables = 3 + random.nextInt(6);
      for (int k = 0; k < syllables && s < samples; k++) {
        int length = (int) (VOICE_RATE * (0.12 + 0.14 * random.nextDouble()));
        double[] formants = vowels[random.nextInt(vowels.length)];
        double pitch = 150 - 25.0 * k / syllables + 10 * random.nextDouble();
        Resonator f1 = new Resonator(formants[0], 90, VOICE_RATE);
        Resonator f2 = new Resonator(formants[1], 110, VOICE_RATE);
        int burst = random.nextBoolean() ? VOICE_RATE / 40 : 0;
        double phase = 0;
        for (int i = 0; i < length && s < samples; i++, s++) {
          double excitation;
          if (i < burst) {
            excitation = (random.nextDouble() - 0.5) * 0.6;
          } else {
            phase += pitch / VOICE_RATE;
            excitation = phase >= 1 ? 1 : 0;
            if (phase >= 1) phase -= 1;
          }
          double envelope = Math.sin(Math.PI * i / length);
          double out = f1.next(excitation) + 0.6 * f2.next(excitation);
          pcm[s] = (short) Math.max(-32000, Math.min(32000, 9000 * out * envelope));
        }
      }
      s += (int) (VOICE_RATE * (0.25 + 0.35 * random.nextDouble())); // a pause between phrases
    }
    return wav(pcm, VOICE_RATE);
  }

  /** A two-pole resonator (a formant filter). */
  private static final class Resonator {
    private final double a1;
    private final double a2;
    private final double gain;
    private double y1;
    private double y2;

    Resonator(double frequency, double bandwidth, int rate) {
      double r = Math.exp(-Math.PI * bandwidth / rate);
      a1 = 2 * r * Math.cos(2 * Math.PI * frequency / rate);
      a2 = -r * r;
      gain = 1 - r;
    }

    double next(double x) {
      double y = gain * x + a1 * y1 + a2 * y2;
      y2 = y1;
      y1 = y;
      return y;
    }
  }

  static byte[] wav(short[] pcm, int rate) {
    ByteBuffer b = ByteBuffer.allocate(44 + pcm.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + pcm.length * 2)
        .put("WAVE".getBytes(StandardCharsets.US_ASCII)).put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16)
        .putShort((short) 1).putShort((short) 1).putInt(rate).putInt(rate * 2).putShort((short) 2).putShort((short) 16)
        .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(pcm.length * 2);
    for (short x : pcm) b.putShort(x);
    return b.array();
  }

  /** A zip with a readme and a tool payload of {@code payloadBytes} (stored, so the size is what is sent). */
  static byte[] software(int payloadBytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(0);
      zip.putNextEntry(new ZipEntry("mileage-tools/README.txt"));
      zip.write(("Mileage Tools 1.0 (demo package)\n\nThis archive was generated by the gateway so the software "
          + "download of the streams demo works without a network.\n").getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry("mileage-tools/tools.bin"));
      byte[] payload = new byte[payloadBytes];
      new Random(11).nextBytes(payload);
      zip.write(payload);
      zip.closeEntry();
    }
    return out.toByteArray();
  }

  /** A retail price reference: sku, product, category, store, price in won. */
  static byte[] priceDatabase(int rows) {
    String[] products = {"green tea", "instant noodles", "kimchi", "rice 10kg", "soy milk", "coffee beans", "laundry detergent",
        "toothpaste", "shampoo", "notebook", "ballpoint pen", "USB cable", "phone charger", "umbrella", "sneakers",
        "T-shirt", "backpack", "water bottle", "headphones", "desk lamp"};
    String[] categories = {"food", "food", "food", "food", "food", "food", "household", "household", "household", "stationery",
        "stationery", "electronics", "electronics", "fashion", "fashion", "fashion", "fashion", "household", "electronics", "household"};
    String[] stores = {"Seoul Mart", "Busan Market", "Incheon Outlet", "Daegu Store", "Online Shop"};
    Random random = new Random(3);
    StringBuilder csv = new StringBuilder("sku,product,category,store,price_won\n");
    for (int i = 0; i < rows; i++) {
      int p = i % products.length;
      long price = (1 + random.nextInt(60)) * 500L;
      csv.append(String.format("SKU-%05d,%s,%s,%s,%d%n", i + 1, products[p], categories[p], stores[i % stores.length], price));
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }
}
