package dev.mileage.gateway.http;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Seals secrets the gateway must be able to read back (partner HMAC secrets: a hash would not verify a
 * signature) before they go into the database, with AES-256-GCM. A database dump or backup then holds no
 * usable secret without the key, which lives apart from it. Each sealed value is bound to its row
 * ({@code context}, e.g. {@code "trading.partner:7"}) as associated data, so a value copied onto another
 * row does not open.
 *
 * <p>The key: {@code MILEAGE_SECRETS_KEY} (32 bytes, base64) when set, which every instance of a cluster
 * must share; otherwise {@code secrets.key} in the data folder, made at first start, readable by the
 * owner only. Sealed values read {@code v1:<base64url(nonce | ciphertext | tag)>}.
 */
public final class SecretBox {
  public static final String ENV_KEY = "MILEAGE_SECRETS_KEY";
  public static final String KEY_FILE = "secrets.key";
  static final String PREFIX = "v1:";
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  public SecretBox(byte[] key) {
    Objects.requireNonNull(key, "key");
    if (key.length != KEY_BYTES) throw new IllegalArgumentException("a secrets key is " + KEY_BYTES + " bytes");
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** The key from {@code envValue} (base64) when present, else from (or newly into) {@code dataDir/secrets.key}. */
  public static SecretBox load(Optional<String> envValue, Path dataDir) throws IOException {
    if (envValue.isPresent() && !envValue.get().isBlank()) {
      byte[] k;
      try {
        k = Base64.getDecoder().decode(envValue.get().strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(ENV_KEY + " is not base64");
      }
      if (k.length != KEY_BYTES) throw new IllegalArgumentException(ENV_KEY + " must hold " + KEY_BYTES + " bytes");
      return new SecretBox(k);
    }
    Path file = dataDir.resolve(KEY_FILE);
    if (!Files.exists(file)) {
      byte[] k = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(k);
      Files.createDirectories(dataDir);
      try {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, Base64.getEncoder().encode(k));
      } catch (FileAlreadyExistsException raced) {
        // another start made it first: read theirs below
      }
    }
    byte[] k = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
    if (k.length != KEY_BYTES) throw new IllegalStateException(file + " does not hold a " + KEY_BYTES + "-byte key");
    return new SecretBox(k);
  }

  public static boolean isSealed(String stored) {
    return stored != null && stored.startsWith(PREFIX);
  }

  public String seal(String secret, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /**
   * The secret sealed for {@code context}. A value that is not sealed, was sealed for another context or
   * with another key, or was altered, throws: the caller treats the row as unusable, never as empty.
   */
  public String open(String stored, String context) {
    if (!isSealed(stored)) throw new IllegalArgumentException("not a sealed value");
    try {
      byte[] in = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length()));
      if (in.length < NONCE_BYTES + TAG_BITS / 8) throw new IllegalArgumentException("sealed value too short");
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the sealed value does not open with this key for " + context);
    }
  }

  @Override
  public String toString() {
    return "SecretBox[key withheld]";
  }
}
