package dev.mileage.gateway.webrtc;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A certificate fingerprint as SDP carries it ({@code a=fingerprint:sha-256 AB:CD:...}, RFC 8122). Only
 * SHA-256 is accepted: every current browser offers it, and weaker hashes would let a forged
 * certificate through.
 */
public record Fingerprint(String algorithm, byte[] digest) {
  public static final String SHA_256 = "sha-256";
  static final int SHA_256_BYTES = 32;

  public Fingerprint {
    if (!SHA_256.equals(algorithm) || digest == null || digest.length != SHA_256_BYTES) {
      throw new IllegalArgumentException("fingerprint must be sha-256 of 32 bytes");
    }
    digest = digest.clone();
  }

  public static Fingerprint sha256Of(byte[] der) {
    try {
      return new Fingerprint(SHA_256, MessageDigest.getInstance("SHA-256").digest(der));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses the value of an {@code a=fingerprint} attribute; null when malformed or not sha-256. */
  public static Fingerprint parse(String value) {
    if (value == null) return null;
    String[] f = value.trim().split(" +");
    if (f.length != 2 || !f[0].toLowerCase(Locale.ROOT).equals(SHA_256)) return null;
    String hex = f[1].replace(":", "");
    if (hex.length() != SHA_256_BYTES * 2 || f[1].length() != SHA_256_BYTES * 3 - 1) return null;
    try {
      return new Fingerprint(SHA_256, HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Whether {@code der} is the certificate this fingerprint names (constant-time compare). */
  public boolean matches(byte[] der) {
    return MessageDigest.isEqual(digest, sha256Of(der).digest);
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  /** The SDP attribute value, e.g. {@code sha-256 AB:CD:...}. */
  public String sdpValue() {
    return SHA_256 + " " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Fingerprint other && MessageDigest.isEqual(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(digest);
  }

  @Override
  public String toString() {
    return sdpValue();
  }
}
