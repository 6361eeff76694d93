package dev.mileage.points.metering;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the meter, with defaults in {@link #defaults()}.
 *
 * @param grant                 how much use one grant (one reservation) covers, rounded up to increments
 * @param renewLead             a renewal is due when this much granted time is left (at most half a grant):
 *                              its next grant should be confirmed by then
 * @param renewalMargin         renewal requests leave this much before they are due plus a per-session
 *                              share of it (so between one and two margins ahead), so that the ledger's commit
 *                              is over by the due moment and sessions answered together do not all renew on
 *                              one tick (at most a tenth of a grant)
 * @param renewalGrace          a renewal still unanswered this long after the grant ran out ends the
 *                              session with RENEWAL_FAILED
 * @param answerTimeout         an authorized session not started within this ends as NOT_ANSWERED
 * @param pauseMax              a stream paused for longer ends as PAUSED_TOO_LONG
 * @param sessionsPerAccountMax concurrent sessions one paying account may hold
 * @param sessionsMax           sessions the meter holds at most (bounds memory)
 * @param tick                  timing-wheel resolution
 * @param autoTick              drive the wheel from an internal thread (production); off in tests
 * @param revenueOwner          ledger owner of the accounts that receive the points
 */
public record MeterOptions(Duration grant, Duration renewLead, Duration renewalMargin, Duration renewalGrace,
                           Duration answerTimeout, Duration pauseMax, int sessionsPerAccountMax, int sessionsMax,
                           Duration tick, boolean autoTick, String revenueOwner) {
  public static final int SESSIONS_PER_ACCOUNT_MAX = 4;
  public static final int SESSIONS_MAX = 200_000;

  public MeterOptions {
    requirePositive(grant, "grant");
    requirePositive(renewLead, "renewLead");
    Objects.requireNonNull(renewalMargin, "renewalMargin");
    if (renewalMargin.isNegative()) throw new IllegalArgumentException("renewalMargin must not be negative");
    requirePositive(renewalGrace, "renewalGrace");
    requirePositive(answerTimeout, "answerTimeout");
    requirePositive(pauseMax, "pauseMax");
    requirePositive(tick, "tick");
    if (grant.toSeconds() < 1 || grant.toSeconds() > 3600) throw new IllegalArgumentException("grant 1 s..1 h");
    if (sessionsPerAccountMax < 1 || sessionsPerAccountMax > 100) throw new IllegalArgumentException("1..100 per account");
    if (sessionsMax < 1 || sessionsMax > 10_000_000) throw new IllegalArgumentException("sessionsMax out of range");
    if (tick.toMillis() < 1 || tick.toMillis() > 1000) throw new IllegalArgumentException("tick 1..1000 ms");
    Objects.requireNonNull(revenueOwner, "revenueOwner");
  }

  public static MeterOptions defaults() {
    return new MeterOptions(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMillis(500),
        Duration.ofSeconds(5), Duration.ofSeconds(120), Duration.ofMinutes(30), SESSIONS_PER_ACCOUNT_MAX, SESSIONS_MAX,
        Duration.ofMillis(10), true, "operator:metering");
  }

  public MeterOptions withGrant(Duration value) {
    return new MeterOptions(value, renewLead, renewalMargin, renewalGrace, answerTimeout, pauseMax, sessionsPerAccountMax,
        sessionsMax, tick, autoTick, revenueOwner);
  }

  public MeterOptions withAutoTick(boolean value) {
    return new MeterOptions(grant, renewLead, renewalMargin, renewalGrace, answerTimeout, pauseMax, sessionsPerAccountMax,
        sessionsMax, tick, value, revenueOwner);
  }

  public MeterOptions withSessionsPerAccountMax(int value) {
    return new MeterOptions(grant, renewLead, renewalMargin, renewalGrace, answerTimeout, pauseMax, value, sessionsMax, tick,
        autoTick, revenueOwner);
  }

  public MeterOptions withSessionsMax(int value) {
    return new MeterOptions(grant, renewLead, renewalMargin, renewalGrace, answerTimeout, pauseMax, sessionsPerAccountMax, value,
        tick, autoTick, revenueOwner);
  }

  public MeterOptions withRenewalMargin(Duration value) {
    return new MeterOptions(grant, renewLead, value, renewalGrace, answerTimeout, pauseMax, sessionsPerAccountMax,
        sessionsMax, tick, autoTick, revenueOwner);
  }

  /** Seconds of use a grant covers (whole seconds). */
  public long grantSeconds() {
    return grant.toSeconds();
  }

  /** Renew lead in milliseconds, never more than half a grant. */
  public long renewLeadMs() {
    return Math.min(renewLead.toMillis(), grant.toMillis() / 2);
  }

  /** Renewal margin in milliseconds, never more than a tenth of a grant. */
  public long renewalMarginMs() {
    return Math.min(renewalMargin.toMillis(), grant.toMillis() / 10);
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
  }
}
