package dev.mileage.gateway.sip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.WWWAuthenticateHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Server side of SIP digest authentication (RFC 3261 22, RFC 8760): challenges offer SHA-256 and MD5,
 * most preferred first (SHA-256 unless the caller asks for MD5 first), qop=auth; nonces are self-validating (timestamp + random + HMAC) so they expire (stale=true) without
 * server state, and each (nonce, nc) is accepted once (replays fail). Unknown users are checked against
 * a dummy HA1 so their answer and its timing are the same as a wrong password's.
 */
final class DigestAuth {
  /** Nonces whose nonce-counts are remembered; beyond this the oldest are forgotten (and then stale). */
  static final int NONCES_TRACKED_MAX = 500_000;
  private static final int NONCE_RANDOM_BYTES = 12;
  private static final int NONCE_MAC_BYTES = 16;

  enum Check { OK, STALE, FAILED, REPLAY }

  private final String realm;
  private final Duration lifetime;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final byte[] secret = new byte[32];
  /** Keyed once: a Mac lookup and key set-up per INVITE cost more than the HMAC itself (used under its lock). */
  private final Mac nonceMac;
  private final Cache<String, long[]> highestNc;
  private final String dummyMd5;
  private final String dummySha256;

  DigestAuth(String realm, Duration lifetime, Clock clock) {
    this.realm = realm;
    this.lifetime = lifetime;
    this.clock = clock;
    random.nextBytes(secret);
    try {
      nonceMac = Mac.getInstance("HmacSHA256");
      nonceMac.init(new SecretKeySpec(secret, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.highestNc = Caffeine.newBuilder().maximumSize(NONCES_TRACKED_MAX)
        .expireAfterWrite(lifetime.toMillis() * 2, TimeUnit.MILLISECONDS)
        .ticker(new Ticker() {
          @Override
          public long read() {
            return TimeUnit.MILLISECONDS.toNanos(clock.millis());
          }
        }).build();
    byte[] d = new byte[16];
    random.nextBytes(d);
    String junk = HexFormat.of().formatHex(d);
    this.dummyMd5 = hash("MD5", junk);
    this.dummySha256 = hash("SHA-256", junk);
  }

  String realm() {
    return realm;
  }

  static String hash(String algorithm, String text) {
    try {
      String jca = "SHA-256".equalsIgnoreCase(algorithm) ? "SHA-256" : "MD5";
      return HexFormat.of().formatHex(MessageDigest.getInstance(jca).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String ha1(String algorithm, String user, String realm, String password) {
    return hash(algorithm, user + ":" + realm + ":" + password);
  }

  String newNonce() {
    ByteBuffer b = ByteBuffer.allocate(8 + NONCE_RANDOM_BYTES + NONCE_MAC_BYTES);
    b.putLong(clock.millis());
    byte[] r = new byte[NONCE_RANDOM_BYTES];
    random.nextBytes(r);
    b.put(r);
    b.put(mac(b.array(), 8 + NONCE_RANDOM_BYTES), 0, NONCE_MAC_BYTES);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
  }

  private byte[] mac(byte[] data, int length) {
    synchronized (nonceMac) { // shared by the SIP shards; an HMAC is a microsecond
      nonceMac.update(data, 0, length);
      return nonceMac.doFinal(); // doFinal resets it for the next nonce
    }
  }

  /**
   * The challenges for a 401 (both algorithms, RFC 8760 section 2.4), or for a 407 when {@code proxy}:
   * SHA-256 first, or MD5 first for clients that answer only the first challenge and know only MD5.
   */
  List<WWWAuthenticateHeader> challenges(HeaderFactory headers, boolean stale, boolean proxy, boolean md5First)
      throws ParseException {
    String nonce = newNonce();
    WWWAuthenticateHeader sha = proxy ? headers.createProxyAuthenticateHeader("Digest")
        : headers.createWWWAuthenticateHeader("Digest");
    WWWAuthenticateHeader md5 = proxy ? headers.createProxyAuthenticateHeader("Digest")
        : headers.createWWWAuthenticateHeader("Digest");
    for (WWWAuthenticateHeader h : List.of(sha, md5)) {
      h.setRealm(realm);
      h.setNonce(nonce);
      h.setQop("auth");
      if (stale) h.setParameter("stale", "true");
    }
    sha.setAlgorithm("SHA-256");
    md5.setAlgorithm("MD5");
    return md5First ? List.of(md5, sha) : List.of(sha, md5);
  }

  /** {@code nc} as the client sent it, 8 lower-case hex digits (RFC 2617 3.2.2); String.format costs more than the hash. */
  static String nonceCountHex(long nc) {
    String hex = Long.toHexString(nc);
    return hex.length() >= 8 ? hex : "00000000".substring(hex.length()) + hex;
  }

  /** Checks the nonce alone (before the user is looked up): FAILED if forged, STALE if too old. */
  Check checkNonce(AuthorizationHeader h) {
    String nonce = h.getNonce();
    if (nonce == null || !realm.equals(h.getRealm()) || h.getResponse() == null || h.getUsername() == null) {
      return Check.FAILED;
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(nonce);
    } catch (IllegalArgumentException e) {
      return Check.FAILED;
    }
    if (raw.length != 8 + NONCE_RANDOM_BYTES + NONCE_MAC_BYTES) return Check.FAILED;
    byte[] expected = mac(raw, 8 + NONCE_RANDOM_BYTES);
    if (!MessageDigest.isEqual(java.util.Arrays.copyOf(expected, NONCE_MAC_BYTES),
        java.util.Arrays.copyOfRange(raw, 8 + NONCE_RANDOM_BYTES, raw.length))) {
      return Check.FAILED;
    }
    long issuedMs = ByteBuffer.wrap(raw).getLong();
    long ageMs = clock.millis() - issuedMs;
    if (ageMs < 0 || ageMs > lifetime.toMillis()) return Check.STALE;
    return Check.OK;
  }

  /**
   * Checks the response against the subscriber's HA1 ({@code null} subscriber: an unknown user, checked
   * against a dummy so the work and the answer are the same), then the nonce count.
   */
  Check verify(AuthorizationHeader h, String method, SubscriberStore.Subscriber subscriber) {
    String algorithm = h.getAlgorithm() == null ? "MD5" : h.getAlgorithm().toUpperCase(Locale.ROOT);
    if (!algorithm.equals("MD5") && !algorithm.equals("SHA-256")) return Check.FAILED;
    boolean sha = algorithm.equals("SHA-256");
    String ha1 = subscriber == null ? (sha ? dummySha256 : dummyMd5) : (sha ? subscriber.ha1Sha256() : subscriber.ha1Md5());
    String qop = h.getQop();
    if (qop == null || !qop.equalsIgnoreCase("auth") || h.getCNonce() == null || h.getNonceCount() <= 0) {
      return Check.FAILED; // we offer qop=auth only; without nc a replay could not be detected
    }
    String uri = h.getURI() == null ? "" : h.getURI().toString();
    String nc = nonceCountHex(h.getNonceCount());
    String ha2 = hash(algorithm, method + ":" + uri);
    String expected = hash(algorithm, ha1 + ":" + h.getNonce() + ":" + nc + ":" + h.getCNonce() + ":auth:" + ha2);
    boolean match = MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        h.getResponse().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
    if (!match || subscriber == null) return Check.FAILED;
    long[] seen = highestNc.get(h.getNonce(), k -> new long[] {0});
    synchronized (seen) { // one nonce may be answered on two shards at once: only one may pass
      if (h.getNonceCount() <= seen[0]) return Check.REPLAY;
      seen[0] = h.getNonceCount();
    }
    return Check.OK;
  }
}
