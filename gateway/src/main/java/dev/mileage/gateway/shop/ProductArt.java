package dev.mileage.gateway.shop;

import java.util.Locale;

/**
 * Product pictures drawn by code (SVG), so the demo shop looks real on a machine with no downloads.
 * One drawing per kind of product, coloured per product.
 */
public final class ProductArt {
  private ProductArt() {
  }

  public static String draw(String shape, String colour, String accent, String label) {
    String body = switch (shape) {
      case "tshirt" -> "<path d='M70 60 L110 40 Q128 58 146 40 L186 60 L206 100 L176 112 L176 210 L80 210 L80 112 L50 100 Z' fill='" + colour
          + "' stroke='#1f2937' stroke-width='3'/><path d='M110 40 Q128 70 146 40' fill='none' stroke='" + accent + "' stroke-width='5'/>";
      case "shoe" -> "<path d='M40 170 L40 120 Q60 110 90 120 L130 150 Q170 160 210 165 Q222 172 216 188 L44 190 Z' fill='" + colour
          + "' stroke='#1f2937' stroke-width='3'/><rect x='40' y='186' width='178' height='14' rx='6' fill='" + accent
          + "'/><path d='M95 128 L110 140 M105 122 L120 134 M115 118 L130 130' stroke='#fff' stroke-width='4'/>";
      case "headphones" -> "<path d='M62 150 Q62 60 128 60 Q194 60 194 150' fill='none' stroke='" + colour
          + "' stroke-width='14' stroke-linecap='round'/><rect x='44' y='136' width='40' height='64' rx='14' fill='" + accent
          + "'/><rect x='172' y='136' width='40' height='64' rx='14' fill='" + accent + "'/>";
      case "coffee" -> "<path d='M78 70 L178 70 L168 210 L88 210 Z' fill='" + colour + "' stroke='#1f2937' stroke-width='3'/>"
          + "<rect x='96' y='110' width='64' height='60' rx='6' fill='" + accent + "'/><ellipse cx='128' cy='140' rx='12' ry='18' fill='"
          + colour + "'/><path d='M128 124 Q120 140 128 156' stroke='" + accent + "' stroke-width='3' fill='none'/>";
      case "bag" -> "<rect x='62' y='80' width='132' height='130' rx='22' fill='" + colour + "' stroke='#1f2937' stroke-width='3'/>"
          + "<path d='M96 80 Q96 44 128 44 Q160 44 160 80' fill='none' stroke='#1f2937' stroke-width='8'/><rect x='84' y='130' width='88' height='52' rx='10' fill='"
          + accent + "'/>";
      case "watch" -> "<rect x='104' y='30' width='48' height='196' rx='14' fill='" + accent + "'/><rect x='82' y='82' width='92' height='92' rx='22' fill='"
          + colour + "' stroke='#1f2937' stroke-width='4'/><path d='M128 104 L128 128 L146 140' stroke='#fff' stroke-width='5' fill='none' stroke-linecap='round'/>";
      case "mug" -> "<rect x='70' y='80' width='100' height='120' rx='12' fill='" + colour + "' stroke='#1f2937' stroke-width='3'/>"
          + "<path d='M170 104 Q206 104 206 140 Q206 176 170 176' fill='none' stroke='" + colour + "' stroke-width='14'/><path d='M100 62 Q92 48 104 36 M130 62 Q122 48 134 36' stroke='"
          + accent + "' stroke-width='4' fill='none'/>";
      case "book" -> "<rect x='66' y='44' width='124' height='170' rx='6' fill='" + colour + "' stroke='#1f2937' stroke-width='3'/>"
          + "<rect x='66' y='44' width='18' height='170' fill='" + accent + "'/><rect x='100' y='80' width='72' height='10' rx='4' fill='#fff'/><rect x='100' y='100' width='52' height='8' rx='4' fill='#fff'/>";
      case "power" -> "<rect x='74' y='50' width='108' height='164' rx='18' fill='" + colour + "' stroke='#1f2937' stroke-width='3'/>"
          + "<path d='M136 84 L110 134 L130 134 L118 180 L150 124 L130 124 Z' fill='" + accent + "'/>";
      default -> "<path d='M128 40 A40 60 0 0 1 128 200' fill='" + colour + "'/><path d='M48 120 Q128 20 208 120 Z' fill='" + colour
          + "' stroke='#1f2937' stroke-width='3'/><path d='M128 120 L128 200 Q128 214 114 210' stroke='" + accent + "' stroke-width='6' fill='none'/>";
    };
    String text = label.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;");
    return "<svg xmlns='http://www.w3.org/2000/svg' width='256' height='256' viewBox='0 0 256 256' role='img' aria-label='" + text + "'>"
        + "<rect width='256' height='256' fill='" + tint(colour) + "'/>" + body
        + "<text x='128' y='244' font-family='sans-serif' font-size='14' text-anchor='middle' fill='#1f2937'>" + text + "</text></svg>";
  }

  /** A pale background in the product's colour. */
  private static String tint(String hex) {
    int rgb = Integer.parseInt(hex.substring(1), 16);
    int r = (rgb >> 16 & 255) / 5 + 204;
    int g = (rgb >> 8 & 255) / 5 + 204;
    int b = (rgb & 255) / 5 + 204;
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }
}
