package dev.mileage.gateway.certificates;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * Secrets a certificate and a gift carry. Codes are {@link #CODE_SYMBOLS} symbols of Crockford base 32
 * (5 bits each: 100 bits from SecureRandom), shown in groups of four; readers' slips (O for 0, I/L for 1,
 * dashes, spaces, lower case) are forgiven. PINs are six digits; claim tokens 128 bits, URL-safe.
 */
final class Codes {
  static final int CODE_SYMBOLS = 20;
  static final int CODE_BITS = CODE_SYMBOLS * 5;
  static final int PIN_DIGITS = 6;
  static final int TOKEN_BYTES = 16;
  /** Anything longer is not a code: refused before any lookup. */
  static final int CODE_INPUT_LENGTH_MAX = 40;
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  private final SecureRandom random = new SecureRandom();

  String newCode() {
    StringBuilder b = new StringBuilder(CODE_SYMBOLS);
    for (int i = 0; i < CODE_SYMBOLS; i++) b.append(ALPHABET[random.nextInt(32)]);
    return b.toString();
  }

  String newPin() {
    StringBuilder b = new StringBuilder(PIN_DIGITS);
    for (int i = 0; i < PIN_DIGITS; i++) b.append((char) ('0' + random.nextInt(10)));
    return b.toString();
  }

  String newToken() {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** {@code ABCD-EFGH-...} for people; barcodes carry the plain code. */
  static String display(String code) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < code.length(); i++) {
      if (i > 0 && i % 4 == 0) b.append('-');
      b.append(code.charAt(i));
    }
    return b.toString();
  }

  /** The canonical code, or null when the input cannot be one (same treatment as an unknown code). */
  static String normalize(String input) {
    if (input == null || input.length() > CODE_INPUT_LENGTH_MAX) return null;
    StringBuilder b = new StringBuilder(CODE_SYMBOLS);
    for (char c : input.toUpperCase(Locale.ROOT).toCharArray()) {
      if (c == '-' || c == ' ') continue;
      if (c == 'O') c = '0';
      if (c == 'I' || c == 'L') c = '1';
      if (new String(ALPHABET).indexOf(c) < 0) return null;
      b.append(c);
    }
    return b.length() == CODE_SYMBOLS ? b.toString() : null;
  }

  static boolean plausiblePin(String pin) {
    return pin != null && pin.length() == PIN_DIGITS && pin.chars().allMatch(ch -> ch >= '0' && ch <= '9');
  }

  static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A limiter key for a code without keeping the code itself in memory. */
  static String limiterKey(String prefix, String text) {
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(digest(text)).substring(0, 22);
  }
}
