package dev.mileage.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SecretBoxTest {
  @Test
  void sealedSecretsOpenOnlyWithTheirKeyForTheirRowUnaltered() {
    SecretBox box = new SecretBox(new byte[32]);
    String sealed = box.seal("partner-secret", "trading.partner:7");
    assertTrue(SecretBox.isSealed(sealed));
    assertFalse(sealed.contains("partner-secret"));
    assertNotEquals(sealed, box.seal("partner-secret", "trading.partner:7"), "a fresh nonce every time");
    assertEquals("partner-secret", box.open(sealed, "trading.partner:7"));

    assertThrows(IllegalArgumentException.class, () -> box.open(sealed, "trading.partner:8"), "copied onto another row");
    byte[] otherKey = new byte[32];
    otherKey[0] = 1;
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(otherKey).open(sealed, "trading.partner:7"));
    char[] c = sealed.toCharArray();
    c[c.length - 3] = c[c.length - 3] == 'A' ? 'B' : 'A';
    assertThrows(IllegalArgumentException.class, () -> box.open(new String(c), "trading.partner:7"), "altered");
    assertThrows(IllegalArgumentException.class, () -> box.open("v1:AAAA", "trading.partner:7"), "too short");
    assertThrows(IllegalArgumentException.class, () -> box.open("partner-secret", "trading.partner:7"), "not sealed");
    assertThrows(IllegalArgumentException.class, () -> new SecretBox(new byte[16]));
    assertEquals("SecretBox[key withheld]", box.toString());
  }

  @Test
  void theKeyFileIsMadeOnceOwnerOnlyAndTheEnvironmentKeyWins(@TempDir Path dir) throws Exception {
    SecretBox first = SecretBox.load(Optional.empty(), dir);
    Path file = dir.resolve(SecretBox.KEY_FILE);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String sealed = first.seal("s", "ctx");
    assertEquals("s", SecretBox.load(Optional.empty(), dir).open(sealed, "ctx"), "the same key after a restart");

    byte[] envKey = new byte[32];
    envKey[31] = 9;
    SecretBox fromEnv = SecretBox.load(Optional.of(Base64.getEncoder().encodeToString(envKey)), dir);
    assertThrows(IllegalArgumentException.class, () -> fromEnv.open(sealed, "ctx"), "the environment's key, not the file's");
    assertEquals("t", new SecretBox(envKey).open(fromEnv.seal("t", "ctx"), "ctx"));
    assertThrows(IllegalArgumentException.class, () -> SecretBox.load(Optional.of("c2hvcnQ="), dir), "16 bytes are not a key");
    assertThrows(IllegalArgumentException.class, () -> SecretBox.load(Optional.of("not base64 !"), dir));
  }
}
