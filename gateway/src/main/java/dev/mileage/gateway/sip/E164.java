package dev.mileage.gateway.sip;

import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import java.util.Objects;

/**
 * The dialled number, normalized to E.164 ({@code +} and 2..15 digits, the first not 0) or refused.
 * Accepted forms: {@code +15551234567}, {@code 0015551234567} (international prefix), with RFC 3966
 * visual separators ({@code - . ( )}). Anything else (letters, {@code ; # * ,} pause and post-dial
 * strings, parameters in the user part, national numbers) is refused: it must never reach the trunk.
 */
public final class E164 {
  public static final int DIGITS_MAX = 15;
  public static final int DIALLED_LENGTH_MAX = 32;

  public enum Result { OK, INVALID }

  public record Parsed(Result result, String number) {
    public Parsed {
      Objects.requireNonNull(result, "result");
    }

    public boolean ok() {
      return result == Result.OK;
    }
  }

  private E164() {
  }

  public static Parsed of(URI requestUri) {
    if (requestUri instanceof SipURI sip) {
      if (sip.getUser() == null) return invalid();
      return parse(sip.getUser());
    }
    if (requestUri instanceof TelURL tel) {
      if (!tel.isGlobal()) return invalid();
      // parameters (isub, ext, postd, phone-context) are dial-string tricks for a prepaid gateway
      if (tel.getParameterNames().hasNext()) return invalid();
      return parse("+" + tel.getPhoneNumber());
    }
    return invalid();
  }

  public static Parsed parse(String dialled) {
    if (dialled == null || dialled.isEmpty() || dialled.length() > DIALLED_LENGTH_MAX) return invalid();
    StringBuilder digits = new StringBuilder(DIGITS_MAX + 1);
    int start;
    if (dialled.charAt(0) == '+') start = 1;
    else if (dialled.startsWith("00")) start = 2;
    else return invalid();
    for (int i = start; i < dialled.length(); i++) {
      char c = dialled.charAt(i);
      if (c >= '0' && c <= '9') digits.append(c);
      else if (c == '-' || c == '.' || c == '(' || c == ')') continue;
      else return invalid();
      if (digits.length() > DIGITS_MAX) return invalid();
    }
    if (digits.length() < 2 || digits.charAt(0) == '0') return invalid();
    return new Parsed(Result.OK, "+" + digits);
  }

  private static Parsed invalid() {
    return new Parsed(Result.INVALID, null);
  }
}
