package dev.mileage.gateway.sip;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Overload control at the SIP front door. Every SIP event waits in its shard's event-loop queue before it
 * is handled ({@link CallShards}); how long it waits is the gateway's load, whatever the cause (SIP work,
 * the database, another process on the same cores). When that wait grows past {@link #delayNanos}, new
 * work is refused where it is cheapest to refuse: on jain-sip's thread, before any digest check, database
 * query or ledger reservation, with 503 and Retry-After (RFC 3261 sections 21.5.4 and 20.33). Work already
 * admitted (ACK, BYE, CANCEL, re-INVITE, UPDATE, PRACK, responses of the trunk) always goes through, so the
 * calls that were let in finish and are billed.
 *
 * <p>Without this, an offered load above capacity piles up in the queues, every waiting INVITE is
 * retransmitted by its caller (0.5, 1, 2, 4 s), each retransmission is parsed again, and the gateway ends up
 * answering almost nothing (measured: 1,000 calls/s offered to a gateway good for about 100 gave 0.05 answered
 * calls/s and 168,574 retransmissions). With it, the calls the gateway can carry are carried, at low setup
 * latency, and the rest learn at once that they should come back later.
 *
 * <p>Four signals ({@link Signal}), the first two per shard: the smoothed wait of the events a shard has
 * started (an EWMA over the last sixteen or so, immune to one slow event); the age of the oldest event still
 * waiting for it (which reacts at once to a burst or a stall, before anything is dequeued); the age of the
 * oldest datagram jain-sip has not parsed yet ({@link SipIntake}: on a saturated machine the backlog builds
 * there, out of the listener's sight); and, per shard, the age of the oldest call still in the gateway's own
 * setup (a meter or database falling behind shows nowhere else). Two levels: a new request without credentials (the first
 * INVITE or REGISTER of a caller) is refused from {@link #delayNanos}; one that answers our challenge has cost a
 * round trip already and is refused only from twice that, so a call that got past the first step usually
 * completes. Thread safe: {@link #enqueued} and {@link #admits} run on jain-sip's threads, {@link #started} on
 * the shard's own.
 */
final class OverloadGate {
  /**
   * Default smoothed queue wait above which new calls are refused: well under the 500 ms (T1) after which a
   * caller retransmits an unanswered INVITE, and above what a cold JVM's first seconds show at a moderate rate
   * (at 50 ms, 7-24 warm-up calls of a fresh gateway at 60 calls/s were refused).
   */
  static final Duration DELAY_DEFAULT = Duration.ofMillis(100);
  /**
   * The oldest event waiting for a shard and the oldest datagram waiting to be parsed may be this many times
   * the limit old before new work is refused: they react at once to a burst, so they must not to every
   * hiccup of a busy machine.
   */
  static final int HEAD_AGE_FACTOR = 4;
  /**
   * The oldest call in the gateway's own setup may be this many times the limit old (3 s at the default):
   * its setup waits for a durable commit, and neither one fsync stall of a shared disk (a few hundred ms) nor
   * a fresh JVM's first seconds (setup p99 1.7 s at 60 calls/s; 86 warm-up calls were refused at 1 s) is
   * overload, while a meter or database that falls behind leaves calls waiting 4-11 s and more.
   */
  static final int SETUP_AGE_FACTOR = 30;
  /** EWMA weight of one sample: 1 / 2^SHIFT. */
  static final int EWMA_SHIFT = 4;
  /** Retry-After of a refusal, in seconds: long enough for the queues to drain, short enough for a caller. */
  static final int RETRY_AFTER_SECONDS = 2;

  /** Which signal refused a request (the first one past its limit, in this order). */
  enum Signal {
    /** The smoothed wait of the events a shard started. */
    QUEUE_WAIT,
    /** The oldest event still waiting for its shard. */
    QUEUE_HEAD,
    /** The oldest datagram jain-sip has not parsed yet. */
    INTAKE,
    /** The oldest call still in the gateway's own setup. */
    CALL_SETUP
  }

  /** What a request costs if admitted, which decides the level at which it is refused. */
  enum Kind {
    /** A first INVITE or REGISTER, without credentials: refused from the limit. */
    NEW,
    /** An INVITE or REGISTER that answers our challenge: refused from twice the limit. */
    AUTHENTICATED,
    /** Anything inside a call or transaction we took on: never refused here. */
    ADMITTED
  }

  private static final class Shard {
    /** Enqueue times of the events waiting, oldest first (the shard runs them in that order). */
    final ConcurrentLinkedQueue<Long> waiting = new ConcurrentLinkedQueue<>();
    /** Written by the shard's thread only. */
    volatile long smoothedWaitNanos;
    /** When the shard last started an event (its thread only). */
    volatile long lastStartNanos;
    /** When the oldest call still in the gateway's own setup began ({@link #oldestSetup}); 0: none. */
    volatile long oldestSetupNanos;
  }

  private final long delayNanos;
  private final LongSupplier nanoClock;
  private final Shard[] shards;
  /** Refusals by the signal that decided them, indexed by {@link Signal#ordinal}. */
  private final LongAdder[] refused = new LongAdder[Signal.values().length];
  private final java.util.concurrent.atomic.AtomicLong lastReportNanos = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(OverloadGate.class.getName());
  /** Overload warnings at most this often. */
  static final long REPORT_INTERVAL_NANOS = 10_000_000_000L;
  /** Age of the oldest message not yet parsed, in nanoseconds ({@link SipIntake}); 0 until one is watched. */
  private volatile LongSupplier intakeAge = () -> 0;

  OverloadGate(int shards, Duration delay) {
    this(shards, delay, System::nanoTime);
  }

  OverloadGate(int shards, Duration delay, LongSupplier nanoClock) {
    if (shards < 1) throw new IllegalArgumentException("shards must be positive");
    if (delay.isNegative() || delay.isZero()) throw new IllegalArgumentException("delay must be positive");
    this.delayNanos = delay.toNanos();
    this.nanoClock = nanoClock;
    this.shards = new Shard[shards];
    for (int i = 0; i < shards; i++) this.shards[i] = new Shard();
    for (int i = 0; i < refused.length; i++) refused[i] = new LongAdder();
  }

  /** An event is handed to shard {@code shard}; answers its stamp, to give to {@link #started}. */
  long enqueued(int shard) {
    long now = nanoClock.getAsLong();
    shards[shard].waiting.add(now);
    return now;
  }

  /** Shard {@code shard} starts the event stamped {@code stamp} (on the shard's own thread). */
  void started(int shard, long stamp) {
    Shard s = shards[shard];
    s.waiting.poll();
    long now = nanoClock.getAsLong();
    long wait = Math.max(0, now - stamp);
    // idle only until this event arrived: from then on the shard had work waiting
    long smoothed = decayed(s.smoothedWaitNanos, Math.max(0, stamp - s.lastStartNanos));
    s.smoothedWaitNanos = smoothed + ((wait - smoothed) >> EWMA_SHIFT);
    s.lastStartNanos = now;
  }

  /** Watches the stack's intake too: a message older than the limit waiting to be parsed is overload. */
  void watchIntake(LongSupplier ageNanos) {
    this.intakeAge = java.util.Objects.requireNonNull(ageNanos, "ageNanos");
  }

  /** This gate's clock, in nanoseconds. */
  long now() {
    return nanoClock.getAsLong();
  }

  /**
   * When the oldest call of shard {@code shard} still in the gateway's own part of its setup (subscriber
   * lookup, ledger reservation, media relay) began, by {@link #now}; 0 when none is. Called on the shard's
   * thread whenever that changes.
   */
  void oldestSetup(int shard, long startNanos) {
    shards[shard].oldestSetupNanos = startNanos;
  }

  /** Whether a request of this kind may go to shard {@code shard} now; counts a refusal when not. */
  boolean admits(int shard, Kind kind) {
    if (kind == Kind.ADMITTED) return true;
    long limit = kind == Kind.NEW ? delayNanos : 2 * delayNanos;
    Shard s = shards[shard];
    long now = nanoClock.getAsLong();
    Signal over = smoothedAt(s, now) > limit ? Signal.QUEUE_WAIT
        : headAgeNanos(s, now) > HEAD_AGE_FACTOR * limit ? Signal.QUEUE_HEAD
        : intakeAge.getAsLong() > HEAD_AGE_FACTOR * limit ? Signal.INTAKE
        : setupAgeNanos(s, now) > SETUP_AGE_FACTOR * limit ? Signal.CALL_SETUP
        : null;
    if (over != null) {
      refused[over.ordinal()].increment();
      report(now, over);
    }
    return over == null;
  }

  /** A warning when refusals start, then at most one per {@link #REPORT_INTERVAL_NANOS} while they go on. */
  private void report(long now, Signal signal) {
    long last = lastReportNanos.get();
    if (last != 0 && now - last < REPORT_INTERVAL_NANOS) return;
    if (!lastReportNanos.compareAndSet(last, now)) return;
    StringBuilder counts = new StringBuilder();
    for (Signal g : Signal.values()) counts.append(counts.length() == 0 ? "" : ", ").append(g).append(' ').append(refused(g));
    LOG.warning(() -> "SIP overload: new calls refused with 503 (this one on " + signal + "; since start: " + counts
        + "; intake " + intakeAge.getAsLong() / 1_000_000 + " ms)");
  }

  /** Requests refused since start. */
  long refused() {
    long sum = 0;
    for (LongAdder a : refused) sum += a.sum();
    return sum;
  }

  /** Requests refused since start on {@code signal}. */
  long refused(Signal signal) {
    return refused[signal.ordinal()].sum();
  }

  /** The smoothed queue wait of shard {@code shard} now, in nanoseconds (for metrics and tests). */
  long smoothedWaitNanos(int shard) {
    return smoothedAt(shards[shard], nanoClock.getAsLong());
  }

  /**
   * The EWMA, halved for every {@link #delayNanos} the shard has been idle (nothing started, nothing waiting):
   * a shard that had to refuse everything new, and so is given nothing more to start, must not stay refusing
   * for ever on a past burst's figure. Time with an event waiting is not idle (that shows in
   * {@link #headAgeNanos}).
   */
  private long smoothedAt(Shard s, long now) {
    Long head = s.waiting.peek();
    long busySince = head == null ? now : head;
    return decayed(s.smoothedWaitNanos, Math.max(0, busySince - s.lastStartNanos));
  }

  private long decayed(long smoothed, long idleNanos) {
    long idlePeriods = idleNanos / delayNanos;
    return idlePeriods >= 63 ? 0 : smoothed >> idlePeriods;
  }

  private static long setupAgeNanos(Shard s, long now) {
    long oldest = s.oldestSetupNanos;
    return oldest == 0 ? 0 : Math.max(0, now - oldest);
  }

  private static long headAgeNanos(Shard s, long now) {
    Long oldest = s.waiting.peek();
    return oldest == null ? 0 : Math.max(0, now - oldest);
  }
}
