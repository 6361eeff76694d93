package dev.mileage.gateway.webrtc;

import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.utils.logging2.LoggerImpl;

import java.security.GeneralSecurityException;
import java.util.HashMap;
import java.util.Map;

/**
 * SRTP and SRTCP both ways for one browser leg, on jitsi-srtp (AES-128 counter mode, HMAC-SHA1 80-bit
 * tag for SRTP, RFC 3711). Contexts are per SSRC; a leg carries one audio stream, so the number of
 * SSRCs is small and bounded. Not thread-safe: used on the leg's event loop.
 */
public final class SrtpSession implements AutoCloseable {
  /** SSRCs one direction may use (audio + a restart or two); more is an attack. */
  static final int SSRCS_PER_DIRECTION_MAX = 4;
  static final int SRTP_TAG_BYTES = 10;
  static final int SRTCP_TRAILER_BYTES = 4 + 10;
  private static final org.jitsi.utils.logging2.Logger LOG = new LoggerImpl(SrtpSession.class.getName());

  private final SrtpContextFactory sender;
  private final SrtpContextFactory receiver;
  private final Map<Integer, SrtpCryptoContext> sendRtp = new HashMap<>();
  private final Map<Integer, SrtpCryptoContext> recvRtp = new HashMap<>();
  private final Map<Integer, SrtcpCryptoContext> sendRtcp = new HashMap<>();
  private final Map<Integer, SrtcpCryptoContext> recvRtcp = new HashMap<>();

  private SrtpErrorStatus lastFailure = SrtpErrorStatus.OK;

  private static final java.util.concurrent.atomic.AtomicBoolean WARM = new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * jitsi-srtp picks its AES implementation by benchmarking the providers when the first context is
   * derived, which takes seconds: do it once on a worker thread, never on an event loop.
   */
  public static void warmUp() {
    if (WARM.get()) return;
    byte[] m = new byte[SrtpKeys.EXPORT_BYTES];
    try (SrtpSession s = new SrtpSession(SrtpKeys.fromExport(m, true))) {
      byte[] rtp = new byte[12 + 160];
      rtp[0] = (byte) 0x80;
      s.protectRtp(rtp);
    }
    WARM.set(true);
  }

  public SrtpSession(SrtpKeys keys) {
    this.sender = new SrtpContextFactory(true, keys.localKey(), keys.localSalt(), policy(), policy(), LOG);
    this.receiver = new SrtpContextFactory(false, keys.remoteKey(), keys.remoteSalt(), policy(), policy(), LOG);
  }

  private static SrtpPolicy policy() {
    // AES_CM_128_HMAC_SHA1_80: enc key 16, auth key 20, tag 10, salt 14
    return new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, SrtpKeys.KEY_BYTES, SrtpPolicy.HMACSHA1_AUTHENTICATION, 20,
        SRTP_TAG_BYTES, SrtpKeys.SALT_BYTES);
  }

  /** Encrypts an RTP packet; null when it cannot (too many SSRCs or a malformed packet). */
  public byte[] protectRtp(byte[] rtp) {
    SrtpCryptoContext c = rtpContext(sendRtp, sender, ssrcOf(rtp, 8));
    return c == null ? null : apply(rtp, SRTP_TAG_BYTES, b -> c.transformPacket(b));
  }

  /**
   * Decrypts and authenticates; null for anything that fails (bad tag, replay, unknown SSRC beyond the bound),
   * with the reason in {@link #lastFailure()}.
   */
  public byte[] unprotectRtp(byte[] srtp) {
    SrtpCryptoContext c = rtpContext(recvRtp, receiver, ssrcOf(srtp, 8));
    return c == null ? invalid() : unprotect(srtp, b -> c.reverseTransformPacket(b, false));
  }

  public byte[] protectRtcp(byte[] rtcp) {
    SrtcpCryptoContext c = rtcpContext(sendRtcp, sender, ssrcOf(rtcp, 4));
    return c == null ? null : apply(rtcp, SRTCP_TRAILER_BYTES, b -> c.transformPacket(b));
  }

  /** As {@link #unprotectRtp} for SRTCP. */
  public byte[] unprotectRtcp(byte[] srtcp) {
    SrtcpCryptoContext c = rtcpContext(recvRtcp, receiver, ssrcOf(srtcp, 4));
    return c == null ? invalid() : unprotect(srtcp, c::reverseTransformPacket);
  }

  /**
   * Why the last {@code unprotect} returned null: {@code REPLAY_FAIL} or {@code REPLAY_OLD} for a packet
   * already received or older than the replay window (RFC 3711 3.3.2), {@code AUTH_FAIL} for a bad tag,
   * {@code INVALID_PACKET} for one too short or from an SSRC beyond the bound.
   */
  public SrtpErrorStatus lastFailure() {
    return lastFailure;
  }

  /** True when the last refusal was a replay: a duplicate or late packet, not a forgery. */
  public boolean lastFailureWasReplay() {
    return lastFailure == SrtpErrorStatus.REPLAY_FAIL || lastFailure == SrtpErrorStatus.REPLAY_OLD;
  }

  private byte[] invalid() {
    lastFailure = SrtpErrorStatus.INVALID_PACKET;
    return null;
  }

  private byte[] unprotect(byte[] in, Transform t) {
    PacketBuffer b = new PacketBuffer(in, 0);
    SrtpErrorStatus status;
    try {
      status = t.apply(b);
    } catch (GeneralSecurityException | RuntimeException e) {
      status = SrtpErrorStatus.INVALID_PACKET;
    }
    if (status == SrtpErrorStatus.OK) return b.toBytes();
    lastFailure = status;
    return null;
  }

  private static Integer ssrcOf(byte[] p, int offset) {
    if (p.length < offset + 4) return null;
    return ((p[offset] & 0xFF) << 24) | ((p[offset + 1] & 0xFF) << 16) | ((p[offset + 2] & 0xFF) << 8) | (p[offset + 3] & 0xFF);
  }

  private static SrtpCryptoContext rtpContext(Map<Integer, SrtpCryptoContext> map, SrtpContextFactory f, Integer ssrc) {
    if (ssrc == null) return null;
    SrtpCryptoContext c = map.get(ssrc);
    if (c != null || map.size() >= SSRCS_PER_DIRECTION_MAX) return c;
    try {
      c = f.deriveContext(ssrc, 0);
    } catch (GeneralSecurityException e) {
      return null;
    }
    map.put(ssrc, c);
    return c;
  }

  private static SrtcpCryptoContext rtcpContext(Map<Integer, SrtcpCryptoContext> map, SrtpContextFactory f, Integer ssrc) {
    if (ssrc == null) return null;
    SrtcpCryptoContext c = map.get(ssrc);
    if (c != null || map.size() >= SSRCS_PER_DIRECTION_MAX) return c;
    try {
      c = f.deriveControlContext(ssrc);
    } catch (GeneralSecurityException e) {
      return null;
    }
    map.put(ssrc, c);
    return c;
  }

  private interface Transform {
    SrtpErrorStatus apply(PacketBuffer b) throws GeneralSecurityException;
  }

  private static byte[] apply(byte[] in, int growBytes, Transform t) {
    PacketBuffer b = new PacketBuffer(in, growBytes);
    try {
      return t.apply(b) == SrtpErrorStatus.OK ? b.toBytes() : null;
    } catch (GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  @Override
  public void close() {
    sender.close();
    receiver.close();
  }
}
