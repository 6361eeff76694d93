package dev.mileage.gateway.http;

import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}),
 * with OWASP's minimum parameters. Hashing is slow on purpose: call it on a worker thread.
 */
public final class PasswordHasher {
  public static final int MEMORY_KIB = 19_456;
  public static final int ITERATIONS = 2;
  public static final int PARALLELISM = 1;
  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;
  /** Longer passwords are refused before hashing: Argon2 cost must not be chosen by the caller. */
  public static final int PASSWORD_LENGTH_MAX = 256;
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final SecureRandom RANDOM = new SecureRandom();

  private PasswordHasher() {
  }

  public static String hash(String password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = derive(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
    return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$" + B64.encodeToString(salt)
        + "$" + B64.encodeToString(hash);
  }

  /** Constant-time comparison of the derived hash; a malformed stored hash never matches. */
  public static boolean verify(String password, String phc) {
    Optional<Parsed> parsed = parse(phc);
    if (parsed.isEmpty()) return false;
    Parsed p = parsed.get();
    byte[] candidate = derive(password, p.salt, p.memoryKib, p.iterations, p.parallelism, p.hash.length);
    return MessageDigest.isEqual(candidate, p.hash);
  }

  private record Parsed(int memoryKib, int iterations, int parallelism, byte[] salt, byte[] hash) {
  }

  private static Optional<Parsed> parse(String phc) {
    if (phc == null) return Optional.empty();
    String[] parts = phc.split("\\$");
    // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
    if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) return Optional.empty();
    try {
      int m = 0, t = 0, p = 0;
      for (String kv : parts[3].split(",")) {
        String[] pair = kv.split("=", 2);
        int value = Integer.parseInt(pair[1]);
        switch (pair[0]) {
          case "m" -> m = value;
          case "t" -> t = value;
          case "p" -> p = value;
          default -> { return Optional.empty(); }
        }
      }
      // bounds so a tampered row cannot make verification arbitrarily expensive
      if (m < 8 || m > 262_144 || t < 1 || t > 10 || p < 1 || p > 4) return Optional.empty();
      return Optional.of(new Parsed(m, t, p, B64D.decode(parts[4]), B64D.decode(parts[5])));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static byte[] derive(String password, byte[] salt, int memoryKib, int iterations, int parallelism,
                               int length) {
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).build());
    byte[] out = new byte[length];
    generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
    return out;
  }
}
