package dev.mileage.gateway.sip;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks on a request's raw header section (RFC 3261 section 25 grammar) where jain-sip's parser is
 * liberal and RFC 4475 names the refusal: Request-Line elements separated by exactly one SP with nothing
 * after the version (3.1.2.9, 3.1.2.10), display names that are tokens or quoted strings (3.1.2.15),
 * addr-specs without spaces (3.1.2.14) and in angle brackets when they carry URI headers (3.1.2.13), and
 * single-value header fields present once (3.3.8, 3.3.9). Answers null when the request is fine.
 */
final class RawRequestCheck {
  /** Single-value fields, by long and compact name, with the name to report. */
  static final Map<String, String> SINGLE_VALUE = Map.ofEntries(
      Map.entry("call-id", "Call-ID"), Map.entry("i", "Call-ID"), Map.entry("cseq", "CSeq"),
      Map.entry("from", "From"), Map.entry("f", "From"), Map.entry("to", "To"), Map.entry("t", "To"),
      Map.entry("max-forwards", "Max-Forwards"), Map.entry("content-length", "Content-Length"),
      Map.entry("l", "Content-Length"), Map.entry("content-type", "Content-Type"), Map.entry("c", "Content-Type"));
  /** Fields whose values are name-addr or addr-spec (Contact also "*"). */
  static final Map<String, String> ADDRESS = Map.of("from", "From", "f", "From", "to", "To", "t", "To",
      "contact", "Contact", "m", "Contact");
  /** Header sections longer than this are not inspected here (the message size limit applies anyway). */
  static final int HEAD_BYTES_MAX = 64 * 1024;
  private static final String TOKEN_SYMBOLS = "-.!%*_+`'~";

  private RawRequestCheck() {
  }

  static String problem(byte[] message) {
    // UDP hands over the datagram; jain-sip's TCP reader hands over lines ending in LF alone. Only the header
    // section is decoded: the body (an SDP is a third of an INVITE) is none of this check's business.
    int length = headLength(message, Math.min(message.length, HEAD_BYTES_MAX));
    String text = new String(message, 0, length, StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
    int start = 0;
    while (text.startsWith("\n", start)) start++; // RFC 3261 7.5: leading CRLFs are ignored
    int end = text.indexOf("\n\n", start);
    String head = end < 0 ? text.substring(start) : text.substring(start, end);
    String[] lines = head.split("\n", -1);
    String why = requestLine(lines[0]);
    if (why != null) return why;
    Map<String, Integer> seen = new HashMap<>();
    for (String field : unfold(lines)) {
      int colon = field.indexOf(':');
      if (colon <= 0) continue; // not a header line: jain-sip has had its say on it
      String name = field.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = field.substring(colon + 1).trim();
      String single = SINGLE_VALUE.get(name);
      if (single != null && seen.merge(single, 1, Integer::sum) > 1) return "more than one " + single;
      String address = ADDRESS.get(name);
      if (address != null) {
        why = addresses(address, value);
        if (why != null) return why;
      }
    }
    return null;
  }

  /**
   * Octets of {@code message} up to its header section's end (before the empty line, leading empty lines
   * skipped as below), or {@code limit} when there is no empty line; a line ends with CRLF or a lone LF.
   */
  static int headLength(byte[] message, int limit) {
    int i = 0;
    int n;
    while (i < limit && (n = lineEnd(message, i, limit)) > 0) i += n;
    int previousEnd = -1; // where the line end just before i starts, if the octet before i ended a line
    while (i < limit) {
      n = lineEnd(message, i, limit);
      if (n == 0) {
        previousEnd = -1;
        i++;
      } else if (previousEnd >= 0) {
        return previousEnd;
      } else {
        previousEnd = i;
        i += n;
      }
    }
    return limit;
  }

  /** 2 for CRLF at {@code i}, 1 for a lone LF, else 0. */
  private static int lineEnd(byte[] m, int i, int limit) {
    if (m[i] == '\n') return 1;
    return m[i] == '\r' && i + 1 < limit && m[i + 1] == '\n' ? 2 : 0;
  }

  /** {@code Method SP Request-URI SP SIP-Version}: three elements, single spaces, nothing else. */
  static String requestLine(String line) {
    int first = line.indexOf(' ');
    int second = first < 0 ? -1 : line.indexOf(' ', first + 1);
    if (first <= 0 || second < 0 || second == first + 1 || line.indexOf(' ', second + 1) >= 0
        || second == line.length() - 1 || line.indexOf('\t') >= 0) {
      return "Request-Line elements must be separated by single spaces";
    }
    return null;
  }

  static List<String> unfold(String[] lines) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i];
      if (!out.isEmpty() && (line.startsWith(" ") || line.startsWith("\t"))) {
        out.set(out.size() - 1, out.get(out.size() - 1) + " " + line.trim());
      } else {
        out.add(line);
      }
    }
    return out;
  }

  /** Each comma-separated value of an address field (only Contact may have several). */
  static String addresses(String field, String value) {
    if (field.equals("Contact") && value.equals("*")) return null;
    List<String> values = field.equals("Contact") ? splitOutsideQuotesAndBrackets(value) : List.of(value);
    for (String v : values) {
      String why = address(field, v.trim());
      if (why != null) return why;
    }
    return null;
  }

  static String address(String field, String v) {
    int open = indexOutsideQuotes(v, '<');
    if (open < 0) {
      // addr-spec: up to the first ';' (header parameters follow); no spaces, no URI headers (RFC 3261 20)
      int semi = indexOutsideQuotes(v, ';');
      String spec = (semi < 0 ? v : v.substring(0, semi)).trim();
      if (spec.isEmpty() || hasSpace(spec) || spec.indexOf(':') < 0) {
        return field + ": a display name with separators must be quoted, an address enclosed in <>";
      }
      if (spec.indexOf('?') >= 0 || spec.indexOf(',') >= 0) {
        return field + ": a URI with headers or commas must be enclosed in <>";
      }
      return null;
    }
    int close = v.indexOf('>', open);
    if (close < 0) return null; // unbalanced: jain-sip refuses that itself
    String uri = v.substring(open + 1, close);
    if (hasSpace(uri)) return field + ": no spaces inside <>";
    String display = v.substring(0, open).trim();
    if (!display.isEmpty() && !display.startsWith("\"") && !tokens(display)) {
      return field + ": a display name with separators must be quoted";
    }
    return null;
  }

  private static boolean tokens(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean token = c < 128 && (Character.isLetterOrDigit(c) || TOKEN_SYMBOLS.indexOf(c) >= 0);
      if (!token && c != ' ' && c != '\t') return false;
    }
    return true;
  }

  private static boolean hasSpace(String s) {
    return s.indexOf(' ') >= 0 || s.indexOf('\t') >= 0;
  }

  private static int indexOutsideQuotes(String s, char wanted) {
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == wanted) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> splitOutsideQuotesAndBrackets(String s) {
    List<String> out = new ArrayList<>();
    boolean quoted = false;
    int angle = 0;
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && c == '<') {
        angle++;
      } else if (!quoted && c == '>') {
        angle = Math.max(0, angle - 1);
      } else if (!quoted && angle == 0 && c == ',') {
        out.add(s.substring(from, i));
        from = i + 1;
      }
    }
    out.add(s.substring(from));
    return out;
  }
}
