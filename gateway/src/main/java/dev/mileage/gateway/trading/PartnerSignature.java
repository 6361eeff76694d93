package dev.mileage.gateway.trading;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The HMAC-SHA256 signatures of the partner API, both ways. A shop signs each request over
 * {@code METHOD \n path?query \n timestamp \n nonce \n hex(SHA-256(body))} with its secret; the gateway signs
 * each webhook over {@code timestamp . body}. Hex, lower case. Shops use the same recipe (see README).
 */
public final class PartnerSignature {
  public static final String KEY = "X-Partner-Key";
  public static final String TIMESTAMP = "X-Partner-Timestamp";
  public static final String NONCE = "X-Partner-Nonce";
  public static final String CONTENT_SHA256 = "X-Partner-Content-SHA256";
  public static final String SIGNATURE = "X-Partner-Signature";
  public static final String WEBHOOK_SIGNATURE = "X-Mileage-Signature";
  public static final String WEBHOOK_TIMESTAMP = "X-Mileage-Timestamp";
  public static final String WEBHOOK_EVENT = "X-Mileage-Event-Id";

  private PartnerSignature() {
  }

  public static String sha256Hex(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  public static String canonical(String method, String pathAndQuery, long timestampSeconds, String nonce,
                                 String bodySha256Hex) {
    return method + "\n" + pathAndQuery + "\n" + timestampSeconds + "\n" + nonce + "\n" + bodySha256Hex;
  }

  public static String request(String secret, String method, String pathAndQuery, long timestampSeconds,
                               String nonce, byte[] body) {
    return hmac(secret, canonical(method, pathAndQuery, timestampSeconds, nonce, sha256Hex(body)));
  }

  public static String webhook(String secret, long timestampSeconds, byte[] body) {
    return hmac(secret, timestampSeconds + "." + new String(body, StandardCharsets.UTF_8));
  }

  public static String hmac(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
    }
  }

  /** Constant-time comparison of two hex signatures. */
  public static boolean same(String expected, String given) {
    return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }
}
