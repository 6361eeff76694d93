package dev.mileage.gateway.webrtc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gateway's DTLS identity, renewed every {@link #ROTATION}: a key pair lives a day, not as long as the
 * process, and the certificate a new call gets is always far from its expiry ({@link DtlsIdentity#VALIDITY}).
 * A fixed fingerprint would also let anyone who sees the SDP of two calls link them to this gateway run
 * (RFC 8826 4.3.2.3 asks browsers for fresh certificates for the same reason).
 *
 * <p>A call keeps the identity it was answered with: its leg holds it, so a rotation never touches a DTLS
 * handshake in progress or a call that is up (a re-INVITE of a call keeps its fingerprint, which
 * {@code WebRtcLeg} checks).
 *
 * <p>Generating a key pair and certificate takes tens of milliseconds, and {@link #forNewCall} is asked on an
 * event loop: it never generates. The first identity is made by the constructor (at start-up, where blocking
 * is allowed); from {@link #LEAD} before the current one is due, a call hands the next one's generation to
 * the {@code worker} and goes on with the current identity, which is swapped for the new one once that is
 * ready and the current one is due. Until then the current one keeps answering: it is valid for
 * {@link DtlsIdentity#VALIDITY}, far longer than a late rotation. Everything runs on the injected clock.
 */
final class DtlsIdentities {
  private static final Logger LOG = Logger.getLogger(DtlsIdentities.class.getName());
  /** How long one key pair answers new calls. */
  static final Duration ROTATION = Duration.ofDays(1);
  /** How long before the current identity is due its successor is generated, so it is ready at the swap. */
  static final Duration LEAD = Duration.ofHours(1);

  /** Makes a key pair and certificate valid from {@code now}: slow, and only ever called off the event loop. */
  @FunctionalInterface
  interface Generator {
    DtlsIdentity generate(Instant now);
  }

  private final Clock clock;
  private final Generator generator;
  private final Executor worker;
  private DtlsIdentity current;
  private Instant since;
  /** The successor, generated and waiting until the current one is due (null: none yet). */
  private DtlsIdentity next;
  private Instant nextGeneratedAt;
  private boolean generating;
  private long generated;

  /**
   * Generates the first identity on the calling thread (start-up). {@code worker} runs the later
   * generations (Vert.x's worker pool in the gateway).
   */
  DtlsIdentities(Clock clock, Generator generator, Executor worker) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.generator = Objects.requireNonNull(generator, "generator");
    this.worker = Objects.requireNonNull(worker, "worker");
    Instant now = clock.instant();
    this.current = Objects.requireNonNull(generator.generate(now), "generated identity");
    this.since = now;
    this.generated = 1;
  }

  /**
   * The identity for a new call, at once: the current one, or its successor once that is ready and the
   * current one is {@link #ROTATION} old. Starts the successor's generation on the worker when it is time.
   */
  synchronized DtlsIdentity forNewCall() {
    Instant now = clock.instant();
    // a clock set back before the successor was made: its certificate could be "not yet valid"; make another
    if (next != null && now.isBefore(nextGeneratedAt)) next = null;
    // ...and before the current one started: renew too (its certificate starts a day before, so it still serves)
    boolean due = !now.isBefore(since.plus(ROTATION)) || now.isBefore(since);
    if (due && next != null) {
      current = next;
      since = now;
      next = null;
      due = false;
    }
    boolean soon = due || !now.isBefore(since.plus(ROTATION).minus(LEAD));
    if (soon && next == null && !generating) {
      generating = true;
      try {
        worker.execute(this::generateNext);
      } catch (RuntimeException e) { // a worker that refuses (shutting down): the current identity serves on
        generating = false;
        LOG.log(Level.WARNING, "cannot schedule the next DTLS identity; the current one serves on", e);
      }
    }
    return current;
  }

  /** On the worker: the slow part, outside the lock, so callers never wait for it. */
  private void generateNext() {
    Instant at = clock.instant();
    DtlsIdentity made;
    try {
      made = Objects.requireNonNull(generator.generate(at), "generated identity");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "the next DTLS identity could not be generated; the current one serves on and a later call retries", e);
      synchronized (this) {
        generating = false;
      }
      return;
    }
    synchronized (this) {
      next = made;
      nextGeneratedAt = at;
      generating = false;
      generated++;
    }
  }

  /** Identities generated so far (the first, and one per rotation). */
  synchronized long generated() {
    return generated;
  }
}
