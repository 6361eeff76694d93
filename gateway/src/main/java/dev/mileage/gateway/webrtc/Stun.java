package dev.mileage.gateway.webrtc;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;

/**
 * The part of STUN (RFC 5389) an ICE-lite agent needs (RFC 8445 2.5): check a Binding request's
 * USERNAME, MESSAGE-INTEGRITY (short-term credentials: HMAC-SHA1 keyed with our ice-pwd) and
 * FINGERPRINT, and answer a Binding success with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 */
public final class Stun {
  public static final int BINDING_REQUEST = 0x0001;
  public static final int BINDING_SUCCESS = 0x0101;
  static final int MAGIC_COOKIE = 0x2112A442;
  static final int HEADER_BYTES = 20;
  static final int ATTR_USERNAME = 0x0006;
  static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
  static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
  static final int ATTR_USE_CANDIDATE = 0x0025;
  static final int ATTR_FINGERPRINT = 0x8028;
  static final int FINGERPRINT_XOR = 0x5354554E;
  static final int MESSAGE_BYTES_MAX = 548;

  /** Why a request was not answered (counted per reason). */
  public enum Check { OK, MALFORMED, NOT_A_BINDING_REQUEST, BAD_USERNAME, BAD_INTEGRITY, BAD_FINGERPRINT }

  /** A checked request: the outcome, its transaction id, and whether the browser nominated this pair. */
  public record Request(Check check, byte[] transactionId, boolean useCandidate) {
  }

  private Stun() {
  }

  /** Checks {@code m} as a Binding request addressed to {@code localUfrag}, signed with {@code localPwd}. */
  public static Request check(byte[] m, String localUfrag, String localPwd) {
    if (m.length < HEADER_BYTES || m.length > MESSAGE_BYTES_MAX || (m[0] & 0xC0) != 0) return fail(Check.MALFORMED);
    ByteBuffer b = ByteBuffer.wrap(m);
    int type = b.getShort(0) & 0xFFFF;
    int length = b.getShort(2) & 0xFFFF;
    if (b.getInt(4) != MAGIC_COOKIE || length + HEADER_BYTES != m.length || (length & 3) != 0) return fail(Check.MALFORMED);
    byte[] tid = new byte[12];
    System.arraycopy(m, 8, tid, 0, 12);
    if (type != BINDING_REQUEST) return new Request(Check.NOT_A_BINDING_REQUEST, tid, false);
    String username = null;
    int integrityAt = -1;
    int fingerprintAt = -1;
    boolean useCandidate = false;
    int pos = HEADER_BYTES;
    while (pos + 4 <= m.length) {
      int at = b.getShort(pos) & 0xFFFF;
      int len = b.getShort(pos + 2) & 0xFFFF;
      int value = pos + 4;
      if (value + len > m.length) return fail(Check.MALFORMED);
      if (integrityAt >= 0 && at != ATTR_FINGERPRINT) return fail(Check.MALFORMED); // only FINGERPRINT may follow
      switch (at) {
        case ATTR_USERNAME -> username = new String(m, value, len, StandardCharsets.UTF_8);
        case ATTR_USE_CANDIDATE -> useCandidate = true;
        case ATTR_MESSAGE_INTEGRITY -> {
          if (len != 20) return fail(Check.MALFORMED);
          integrityAt = pos;
        }
        case ATTR_FINGERPRINT -> {
          if (len != 4 || value + len != m.length) return fail(Check.MALFORMED);
          fingerprintAt = pos;
        }
        default -> {
          // comprehension-optional attributes (PRIORITY, ICE-CONTROLLING, ...) need no action here
        }
      }
      pos = value + ((len + 3) & ~3);
    }
    if (pos != m.length) return fail(Check.MALFORMED);
    if (fingerprintAt < 0 || b.getInt(fingerprintAt + 4) != crc(m, fingerprintAt)) return new Request(Check.BAD_FINGERPRINT, tid, false);
    if (username == null || !username.startsWith(localUfrag + ":")) return new Request(Check.BAD_USERNAME, tid, false);
    if (integrityAt < 0) return new Request(Check.BAD_INTEGRITY, tid, false);
    byte[] expected = hmac(m, integrityAt, localPwd);
    byte[] got = new byte[20];
    System.arraycopy(m, integrityAt + 4, got, 0, 20);
    if (!MessageDigest.isEqual(expected, got)) return new Request(Check.BAD_INTEGRITY, tid, false);
    return new Request(Check.OK, tid, useCandidate);
  }

  private static Request fail(Check c) {
    return new Request(c, null, false);
  }

  /** A Binding success for {@code transactionId} telling the browser the address we saw it from. */
  public static byte[] success(byte[] transactionId, String host, int port, String localPwd) {
    byte[] addr;
    try {
      addr = InetAddress.getByName(host).getAddress(); // a literal address: no lookup happens
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address literal");
    }
    int xorLen = 4 + addr.length;
    int total = HEADER_BYTES + (4 + xorLen) + (4 + 20) + (4 + 4);
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putShort((short) BINDING_SUCCESS).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
    b.putShort((short) ATTR_XOR_MAPPED_ADDRESS).putShort((short) xorLen);
    b.put((byte) 0).put((byte) (addr.length == 4 ? 1 : 2)).putShort((short) (port ^ (MAGIC_COOKIE >>> 16)));
    byte[] mask = new byte[16];
    ByteBuffer.wrap(mask).putInt(MAGIC_COOKIE).put(transactionId);
    for (int i = 0; i < addr.length; i++) b.put((byte) (addr[i] ^ mask[i]));
    int integrityAt = b.position();
    b.putShort((short) ATTR_MESSAGE_INTEGRITY).putShort((short) 20).put(new byte[20]);
    int fingerprintAt = b.position();
    b.putShort((short) ATTR_FINGERPRINT).putShort((short) 4).putInt(0);
    byte[] m = b.array();
    ByteBuffer.wrap(m).putShort(2, (short) (total - HEADER_BYTES));
    byte[] mac = hmac(m, integrityAt, localPwd);
    System.arraycopy(mac, 0, m, integrityAt + 4, 20);
    ByteBuffer.wrap(m).putInt(fingerprintAt + 4, crc(m, fingerprintAt));
    return m;
  }

  /** HMAC-SHA1 over the message up to {@code integrityAt}, with the length field covering MESSAGE-INTEGRITY. */
  static byte[] hmac(byte[] m, int integrityAt, String pwd) {
    byte[] copy = new byte[integrityAt];
    System.arraycopy(m, 0, copy, 0, integrityAt);
    int len = integrityAt - HEADER_BYTES + 24;
    copy[2] = (byte) (len >> 8);
    copy[3] = (byte) len;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(pwd.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return mac.doFinal(copy);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** CRC-32 of the message up to {@code fingerprintAt} (length field covering FINGERPRINT) XOR 0x5354554E. */
  static int crc(byte[] m, int fingerprintAt) {
    byte[] copy = new byte[fingerprintAt];
    System.arraycopy(m, 0, copy, 0, fingerprintAt);
    int len = fingerprintAt - HEADER_BYTES + 8;
    copy[2] = (byte) (len >> 8);
    copy[3] = (byte) len;
    CRC32 c = new CRC32();
    c.update(copy);
    return (int) c.getValue() ^ FINGERPRINT_XOR;
  }

  /** A Binding request as a controlling ICE agent sends it (used by tests and the bench's client). */
  public static byte[] request(byte[] transactionId, String username, String remotePwd, boolean useCandidate) {
    byte[] user = username.getBytes(StandardCharsets.UTF_8);
    int userPadded = (user.length + 3) & ~3;
    int total = HEADER_BYTES + 4 + userPadded + (useCandidate ? 4 : 0) + 24 + 8;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.putShort((short) BINDING_REQUEST).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
    b.putShort((short) ATTR_USERNAME).putShort((short) user.length).put(user).put(new byte[userPadded - user.length]);
    if (useCandidate) b.putShort((short) ATTR_USE_CANDIDATE).putShort((short) 0);
    int integrityAt = b.position();
    b.putShort((short) ATTR_MESSAGE_INTEGRITY).putShort((short) 20).put(new byte[20]);
    int fingerprintAt = b.position();
    b.putShort((short) ATTR_FINGERPRINT).putShort((short) 4).putInt(0);
    byte[] m = b.array();
    ByteBuffer.wrap(m).putShort(2, (short) (total - HEADER_BYTES));
    System.arraycopy(hmac(m, integrityAt, remotePwd), 0, m, integrityAt + 4, 20);
    ByteBuffer.wrap(m).putInt(fingerprintAt + 4, crc(m, fingerprintAt));
    return m;
  }
}
