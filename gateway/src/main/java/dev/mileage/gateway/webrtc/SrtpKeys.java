package dev.mileage.gateway.webrtc;

import java.util.Arrays;

/**
 * The keys a DTLS-SRTP handshake exports for SRTP_AES128_CM_HMAC_SHA1_80 (RFC 5764 4.2): 16-byte
 * master keys and 14-byte salts, one pair per direction, seen from our side.
 */
public record SrtpKeys(byte[] localKey, byte[] localSalt, byte[] remoteKey, byte[] remoteSalt) {
  public static final int KEY_BYTES = 16;
  public static final int SALT_BYTES = 14;
  /** What the exporter must produce: client key, server key, client salt, server salt. */
  public static final int EXPORT_BYTES = 2 * (KEY_BYTES + SALT_BYTES);

  public SrtpKeys {
    if (localKey.length != KEY_BYTES || remoteKey.length != KEY_BYTES
        || localSalt.length != SALT_BYTES || remoteSalt.length != SALT_BYTES) {
      throw new IllegalArgumentException("bad SRTP key lengths");
    }
  }

  /** Splits exporter output; {@code weAreClient} picks which half is ours. */
  public static SrtpKeys fromExport(byte[] m, boolean weAreClient) {
    if (m.length != EXPORT_BYTES) throw new IllegalArgumentException("exporter output must be " + EXPORT_BYTES + " bytes");
    byte[] clientKey = Arrays.copyOfRange(m, 0, KEY_BYTES);
    byte[] serverKey = Arrays.copyOfRange(m, KEY_BYTES, 2 * KEY_BYTES);
    byte[] clientSalt = Arrays.copyOfRange(m, 2 * KEY_BYTES, 2 * KEY_BYTES + SALT_BYTES);
    byte[] serverSalt = Arrays.copyOfRange(m, 2 * KEY_BYTES + SALT_BYTES, EXPORT_BYTES);
    return weAreClient
        ? new SrtpKeys(clientKey, clientSalt, serverKey, serverSalt)
        : new SrtpKeys(serverKey, serverSalt, clientKey, clientSalt);
  }

  @Override
  public String toString() {
    return "SrtpKeys[redacted]"; // key material never reaches a log
  }
}
