package dev.mileage.bench.calls;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The client side of SIP digest authentication (RFC 3261 section 22, RFC 8760 for SHA-256): parses a
 * challenge and computes the credentials for one request. qop=auth when the challenge offers it.
 */
final class Digest {
  enum Algorithm {
    MD5("MD5", "MD5"), SHA_256("SHA-256", "SHA-256");

    final String token;
    final String jcaName;

    Algorithm(String token, String jcaName) {
      this.token = token;
      this.jcaName = jcaName;
    }

    static Algorithm ofToken(String token) {
      if (token == null || token.isEmpty() || token.equalsIgnoreCase("MD5")) return MD5;
      if (token.equalsIgnoreCase("SHA-256")) return SHA_256;
      throw new IllegalArgumentException("unsupported digest algorithm: " + token);
    }
  }

  /** A parsed WWW-Authenticate / Proxy-Authenticate challenge. */
  record Challenge(String realm, String nonce, String opaque, Algorithm algorithm, boolean qopAuth) {
    Challenge {
      Objects.requireNonNull(realm, "realm");
      Objects.requireNonNull(nonce, "nonce");
      Objects.requireNonNull(algorithm, "algorithm");
    }
  }

  private Digest() {}

  /** Parses {@code Digest realm="...", nonce="...", ...}; null when it is not a digest challenge we can answer. */
  static Challenge parse(String headerValue) {
    String value = headerValue.trim();
    if (!value.regionMatches(true, 0, "Digest", 0, 6)) return null;
    Map<String, String> params = params(value.substring(6));
    return challenge(params.get("realm"), params.get("nonce"), params.get("opaque"), params.get("algorithm"),
        params.get("qop"));
  }

  /** A challenge from parsed header fields; null when it is not one we can answer. */
  static Challenge challenge(String realm, String nonce, String opaque, String algorithm, String qop) {
    if (realm == null || nonce == null) return null;
    Algorithm parsed;
    try {
      parsed = Algorithm.ofToken(algorithm);
    } catch (IllegalArgumentException unsupported) {
      return null;
    }
    boolean qopAuth = false;
    for (String option : (qop == null ? "" : qop).split(",")) qopAuth |= option.trim().equalsIgnoreCase("auth");
    return new Challenge(realm, nonce, opaque, parsed, qopAuth);
  }

  static Map<String, String> params(String text) {
    Map<String, String> params = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && (text.charAt(i) == ',' || Character.isWhitespace(text.charAt(i)))) i++;
      int eq = text.indexOf('=', i);
      if (eq < 0) break;
      String name = text.substring(i, eq).trim().toLowerCase(Locale.ROOT);
      i = eq + 1;
      String val;
      if (i < n && text.charAt(i) == '"') {
        StringBuilder quoted = new StringBuilder();
        i++;
        while (i < n && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\' && i + 1 < n) i++;
          quoted.append(text.charAt(i++));
        }
        i++;
        val = quoted.toString();
      } else {
        int end = text.indexOf(',', i);
        if (end < 0) end = n;
        val = text.substring(i, end).trim();
        i = end;
      }
      params.put(name, val);
    }
    return params;
  }

  /** The response hash: H(H(A1):nonce[:nc:cnonce:qop]:H(A2)). */
  static String response(Algorithm algorithm, String username, String realm, String password, String method,
                         String uri, String nonce, String nc, String cnonce, String qop) {
    return response(algorithm, hash(algorithm, username + ":" + realm + ":" + password),
        hash(algorithm, method + ":" + uri), nonce, nc, cnonce, qop);
  }

  private static String response(Algorithm algorithm, String ha1, String ha2, String nonce, String nc, String cnonce,
                                 String qop) {
    String middle = qop == null ? nonce : nonce + ":" + nc + ":" + cnonce + ":" + qop;
    return hash(algorithm, ha1 + ":" + middle + ":" + ha2);
  }

  /** The full Authorization / Proxy-Authorization header value for one request. */
  static String authorization(Challenge challenge, String username, String password, String method, String uri,
                              int nonceCount, String cnonce) {
    return authorization(challenge, username, hash(challenge.algorithm(), username + ":" + challenge.realm() + ":"
        + password), hash(challenge.algorithm(), method + ":" + uri), method, uri, nonceCount, cnonce);
  }

  private static String authorization(Challenge challenge, String username, String ha1, String ha2, String method,
                                      String uri, int nonceCount, String cnonce) {
    String nc = nonceCount == 1 ? "00000001" : String.format(Locale.ROOT, "%08x", nonceCount);
    String qop = challenge.qopAuth() ? "auth" : null;
    String response = response(challenge.algorithm(), ha1, ha2, challenge.nonce(), nc, cnonce, qop);
    StringBuilder header = new StringBuilder(256).append("Digest username=\"").append(username)
        .append("\", realm=\"").append(challenge.realm())
        .append("\", nonce=\"").append(challenge.nonce())
        .append("\", uri=\"").append(uri)
        .append("\", response=\"").append(response)
        .append("\", algorithm=").append(challenge.algorithm().token);
    if (qop != null) header.append(", qop=auth, nc=").append(nc).append(", cnonce=\"").append(cnonce).append('"');
    if (challenge.opaque() != null) header.append(", opaque=\"").append(challenge.opaque()).append('"');
    return header.toString();
  }

  /**
   * H(A1) per user, realm and algorithm and H(A2) per method and URI, each computed once: with a fixed set of
   * subscribers and one dialled URI a call's credentials then cost one hash instead of three. Bounded: past
   * {@link #ENTRIES_MAX} entries nothing more is cached (the answer is the same, only dearer).
   */
  static final class Cache {
    static final int ENTRIES_MAX = 200_000;
    private final java.util.concurrent.ConcurrentHashMap<String, String> hashes = new java.util.concurrent.ConcurrentHashMap<>();

    String authorization(Challenge challenge, String username, String password, String method, String uri,
                         int nonceCount, String cnonce) {
      Algorithm algorithm = challenge.algorithm();
      String ha1 = cached(algorithm, username + ":" + challenge.realm() + ":" + password);
      String ha2 = cached(algorithm, method + ":" + uri);
      return Digest.authorization(challenge, username, ha1, ha2, method, uri, nonceCount, cnonce);
    }

    private String cached(Algorithm algorithm, String text) {
      String key = algorithm.token + '\n' + text;
      String hash = hashes.get(key);
      if (hash != null) return hash;
      hash = Digest.hash(algorithm, text);
      if (hashes.size() < ENTRIES_MAX) hashes.put(key, hash);
      return hash;
    }

    int size() {
      return hashes.size();
    }
  }

  private static final ThreadLocal<MessageDigest[]> DIGESTS = ThreadLocal.withInitial(() -> new MessageDigest[2]);

  static String hash(Algorithm algorithm, String text) {
    MessageDigest[] digests = DIGESTS.get(); // one per thread and algorithm: getInstance is a provider look-up
    MessageDigest digest = digests[algorithm.ordinal()];
    if (digest == null) {
      try {
        digest = digests[algorithm.ordinal()] = MessageDigest.getInstance(algorithm.jcaName);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("JCA lacks " + algorithm.jcaName, e);
      }
    }
    return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
  }
}
