package dev.mileage.gateway.http;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code for=} nodes of RFC 7239 {@code Forwarded} header values. Strict: an element the walk has to read that is
 * not RFC 7239 syntax (a bare IPv6 address, {@code for=} twice, a space around {@code =}, an open quote) makes the
 * walk give up, so the caller falls back to the peer. Vert.x Web's own parser is internal and believes the left-most
 * element, which the client writes, so it is no use here; no small library walks a trust chain either.
 */
final class ForwardedHeader {
  /** One hop's {@code for=}: an IP address, or a node the proxy would not name ({@code unknown}, {@code _hidden}). */
  sealed interface Node permits Address, Hidden { }

  /** @param address canonical text, port dropped */
  record Address(String address) implements Node { }

  /** {@code for=unknown}, an obfuscated {@code _identifier}, or an element without {@code for=}. */
  record Hidden() implements Node { }

  static final Node HIDDEN = new Hidden();
  /** Elements in one header: past this the header is not a real chain (and is never split further). */
  static final int ELEMENTS_MAX = 64;

  private ForwardedHeader() {
  }

  /**
   * The header's elements in order, split at commas outside quoted strings; empty elements dropped (RFC 7230's list
   * rule). Empty when a value has an unterminated quoted string or more than {@link #ELEMENTS_MAX} elements.
   */
  static Optional<List<String>> elements(List<String> values) {
    List<String> elements = new ArrayList<>();
    for (String value : values) {
      boolean quoted = false;
      int start = 0;
      for (int i = 0; i <= value.length(); i++) {
        char c = i < value.length() ? value.charAt(i) : ',';
        if (quoted && c == '\\' && i + 1 < value.length()) {
          i++;
        } else if (c == '"' && i < value.length()) {
          quoted = !quoted;
        } else if (c == ',' && !quoted) {
          String element = value.substring(start, i).strip();
          if (!element.isEmpty()) {
            if (elements.size() == ELEMENTS_MAX) return Optional.empty();
            elements.add(element);
          }
          start = i + 1;
        }
      }
      if (quoted) return Optional.empty();
    }
    return Optional.of(elements);
  }

  /** The {@code for=} node of one element, or empty when the element is not RFC 7239 syntax. */
  static Optional<Node> forNode(String element) {
    Set<String> seen = new HashSet<>();
    String forValue = null;
    int i = 0;
    int n = element.length();
    while (i <= n) {
      i = skipSpaces(element, i);
      if (i == n) break;
      if (element.charAt(i) == ';') { // an empty pair ("for=a;;by=b") is allowed by forwarded-element
        i++;
        continue;
      }
      int nameEnd = tokenEnd(element, i);
      if (nameEnd == i || nameEnd == n || element.charAt(nameEnd) != '=') return Optional.empty();
      String name = element.substring(i, nameEnd).toLowerCase(Locale.ROOT);
      if (!seen.add(name)) return Optional.empty(); // RFC 7239 section 4: each parameter at most once per element
      int valueStart = nameEnd + 1;
      String value;
      int valueEnd;
      if (valueStart < n && element.charAt(valueStart) == '"') {
        StringBuilder unquoted = new StringBuilder();
        valueEnd = quotedStringEnd(element, valueStart, unquoted);
        if (valueEnd < 0) return Optional.empty();
        value = unquoted.toString();
      } else {
        valueEnd = tokenEnd(element, valueStart);
        if (valueEnd == valueStart) return Optional.empty();
        value = element.substring(valueStart, valueEnd);
      }
      if (name.equals("for")) forValue = value;
      i = skipSpaces(element, valueEnd);
      if (i < n && element.charAt(i) != ';') return Optional.empty();
      i++;
    }
    if (forValue == null) return Optional.of(HIDDEN); // this hop did not say whom it got the request from
    return node(forValue);
  }

  /** RFC 7239 section 6: {@code nodename [ ":" node-port ]}; IPv6 only in brackets. */
  static Optional<Node> node(String text) {
    String name;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) return Optional.empty();
      name = text.substring(0, close + 1);
      if (close + 1 < text.length()) {
        if (text.charAt(close + 1) != ':') return Optional.empty();
        port = text.substring(close + 2);
      }
      if (!name.substring(1, name.length() - 1).contains(":")) return Optional.empty(); // IPv4 has no brackets
    } else {
      int colon = text.indexOf(':');
      name = colon < 0 ? text : text.substring(0, colon);
      if (colon >= 0) port = text.substring(colon + 1);
    }
    if (port != null && !port.matches("[0-9]{1,5}|_[A-Za-z0-9._-]+")) return Optional.empty();
    if (name.equalsIgnoreCase("unknown") || name.matches("_[A-Za-z0-9._-]+")) return Optional.of(HIDDEN);
    if (!name.startsWith("[") && !name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) return Optional.empty();
    return TrustedProxies.literal(name).map(a -> new Address(a.getHostAddress()));
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) i++;
    return i;
  }

  /** RFC 7230 tchar. */
  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  private static int tokenEnd(String s, int i) {
    while (i < s.length() && isTokenChar(s.charAt(i))) i++;
    return i;
  }

  /** The index after the quoted string opening at {@code open}, its content appended to {@code out}; -1 if malformed. */
  private static int quotedStringEnd(String s, int open, StringBuilder out) {
    for (int i = open + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"') return i + 1;
      if (c == '\\') {
        if (++i == s.length()) return -1;
        c = s.charAt(i);
        if (c != '\t' && (c < 0x20 || c == 0x7f)) return -1;
      } else if (c != '\t' && (c < 0x20 || c == 0x7f)) {
        return -1;
      }
      out.append(c);
    }
    return -1;
  }
}
