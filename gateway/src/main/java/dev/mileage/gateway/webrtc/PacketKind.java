package dev.mileage.gateway.webrtc;

/**
 * What a datagram on the browser's single port is, by its first byte (RFC 7983 7): STUN 0-3, DTLS 20-63,
 * RTP/RTCP 128-191; RTCP is told from RTP by the payload-type byte (RFC 5761 4: 192-223 are RTCP).
 */
public enum PacketKind {
  STUN, DTLS, RTP, RTCP, UNKNOWN;

  public static PacketKind of(byte[] p) {
    if (p.length == 0) return UNKNOWN;
    int b = p[0] & 0xFF;
    if (b <= 3) return STUN;
    if (b >= 20 && b <= 63) return DTLS;
    if (b >= 128 && b <= 191) {
      if (p.length < 2) return UNKNOWN;
      int pt = p[1] & 0xFF;
      return pt >= 192 && pt <= 223 ? RTCP : RTP;
    }
    return UNKNOWN;
  }
}
