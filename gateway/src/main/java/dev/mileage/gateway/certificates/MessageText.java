package dev.mileage.gateway.certificates;

/**
 * Text from people (a gift message, a member's name) or from the catalog, made fit for a message body: one
 * line of printable characters, bounded. Line breaks, tabs and other spacing become one space; control
 * characters (C0, DEL, C1), format characters (bidi overrides, BOM, ...; zero-width joiners stay, emoji need
 * them), lone surrogates and noncharacters are dropped. Nothing that could end a line or a header reaches a
 * SIP MESSAGE, whatever was stored.
 */
final class MessageText {
  private static final char ELLIPSIS = '\u2026';

  private MessageText() {
  }

  /** The text on one printable line of at most {@code charsMax} UTF-16 units (a surrogate pair is never split). */
  static String oneLine(String text, int charsMax) {
    if (charsMax < 1) throw new IllegalArgumentException("charsMax must be positive");
    if (text == null) return "";
    StringBuilder b = new StringBuilder(Math.min(text.length(), charsMax + 1));
    boolean space = false;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (spacing(cp)) {
        space = b.length() > 0;
        continue;
      }
      if (dropped(cp)) continue;
      if (space) b.append(' ');
      space = false;
      b.appendCodePoint(cp);
      if (b.length() > charsMax) break; // enough to know it must be cut
    }
    if (b.length() <= charsMax) return b.toString();
    int end = charsMax - 1;
    if (Character.isLowSurrogate(b.charAt(end))) end--; // keep the pair whole: only whole code points were appended
    return b.substring(0, end).stripTrailing() + ELLIPSIS;
  }

  /** True when the text has a control character other than a line break or a tab (which a text area sends). */
  static boolean hasControlCharacters(String text) {
    return text.codePoints().anyMatch(cp -> Character.getType(cp) == Character.CONTROL && cp != '\r' && cp != '\n' && cp != '\t');
  }

  private static boolean spacing(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85; // NEL is a line break too
  }

  private static boolean dropped(int cp) {
    int type = Character.getType(cp);
    if (type == Character.CONTROL || type == Character.SURROGATE) return true;
    if (type == Character.FORMAT) return cp != 0x200C && cp != 0x200D;
    return (cp & 0xFFFE) == 0xFFFE || (cp >= 0xFDD0 && cp <= 0xFDEF);
  }
}
