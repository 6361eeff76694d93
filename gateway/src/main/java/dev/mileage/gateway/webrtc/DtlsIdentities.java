package dev.mileage.gateway.webrtc;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The gateway's DTLS identity, renewed every {@link #ROTATION}: a key pair lives a day, not as long as the
 * process, and the certificate a new call gets is always far from its expiry ({@link DtlsIdentity#VALIDITY}).
 * A fixed fingerprint would also let anyone who sees the SDP of two calls link them to this gateway run
 * (RFC 8826 4.3.2.3 asks browsers for fresh certificates for the same reason).
 *
 * <p>A call keeps the identity it was answered with: its leg holds it, so a rotation never touches a DTLS
 * handshake in progress or a call that is up (a re-INVITE of a call keeps its fingerprint, which
 * {@code WebRtcLeg} checks). Rotation happens on demand, on the clock injected at start, so a gateway that
 * takes no browser calls generates nothing.
 */
final class DtlsIdentities {
  /** How long one key pair answers new calls. */
  static final Duration ROTATION = Duration.ofDays(1);

  private final SecureRandom random;
  private final Clock clock;
  private DtlsIdentity current;
  private Instant since;
  private long generated;

  DtlsIdentities(SecureRandom random, Clock clock) {
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The identity for a new call: the current one, or a fresh one once it is {@link #ROTATION} old. */
  synchronized DtlsIdentity forNewCall() {
    Instant now = clock.instant();
    // a clock set back past the certificate's start renews too, so the certificate is never "not yet valid"
    if (current == null || !now.isBefore(since.plus(ROTATION)) || now.isBefore(since)) {
      current = DtlsIdentity.generate(random, now);
      since = now;
      generated++;
    }
    return current;
  }

  /** Identities generated so far (one per rotation). */
  synchronized long generated() {
    return generated;
  }
}
