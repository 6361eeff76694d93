package dev.mileage.gateway.webrtc;

/** How a DTLS-SRTP handshake ended. Only {@link #OK} carries keys. */
public enum DtlsOutcome {
  OK,
  /** The peer's SDP had no usable sha-256 fingerprint: refused before any handshake. */
  FINGERPRINT_MISSING,
  /** The certificate the peer presented is not the one its SDP announced (or it presented none). */
  FINGERPRINT_MISMATCH,
  /** The peer did not offer use_srtp with SRTP_AES128_CM_HMAC_SHA1_80. */
  NO_SRTP_PROFILE,
  /** Timeout, alert, or a malformed record. */
  HANDSHAKE_FAILED
}
