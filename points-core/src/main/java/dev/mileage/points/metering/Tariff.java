package dev.mileage.points.metering;

import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.StandardPointTypes;

import java.util.List;
import java.util.Objects;

/**
 * Converts points into time, the way telecom rating does: the first {@code initialIncrementSeconds}
 * are billed as one block, every further started {@code subsequentIncrementSeconds} as another
 * (60/6: a 61-second call bills 66 seconds), at {@code pointsPerMinute}, and never less than
 * {@code minimumChargePoints} once a session was answered.
 *
 * <p>Prices are in points of the first accepted type; {@code pointTypes} lists the types that may
 * pay, in order of preference (others convert through their cash value, see {@link #inPointType}).
 * All arithmetic is exact on longs: points for billed seconds are rounded up to whole points.
 */
public record Tariff(long pointsPerMinute, int initialIncrementSeconds, int subsequentIncrementSeconds,
                     long minimumChargePoints, List<Integer> pointTypes) {
  public static final long POINTS_PER_MINUTE_MAX = 1_000_000_000L;
  public static final int INCREMENT_SECONDS_MAX = 3600;
  /** No session is ever granted longer than this, whatever the balance (free numbers included). */
  public static final long SESSION_SECONDS_MAX = 24 * 3600;
  public static final int POINT_TYPES_MAX = 8;

  public Tariff {
    Checks.requireNonNegative(pointsPerMinute, "pointsPerMinute");
    if (pointsPerMinute > POINTS_PER_MINUTE_MAX) throw new IllegalArgumentException("pointsPerMinute too large");
    Checks.requirePositive(initialIncrementSeconds, "initialIncrementSeconds");
    Checks.requirePositive(subsequentIncrementSeconds, "subsequentIncrementSeconds");
    if (initialIncrementSeconds > INCREMENT_SECONDS_MAX || subsequentIncrementSeconds > INCREMENT_SECONDS_MAX) {
      throw new IllegalArgumentException("increments must be at most " + INCREMENT_SECONDS_MAX + " seconds");
    }
    Checks.requireNonNegative(minimumChargePoints, "minimumChargePoints");
    if (minimumChargePoints > POINTS_PER_MINUTE_MAX) throw new IllegalArgumentException("minimumChargePoints too large");
    pointTypes = List.copyOf(Objects.requireNonNull(pointTypes, "pointTypes"));
    if (pointTypes.isEmpty() || pointTypes.size() > POINT_TYPES_MAX) {
      throw new IllegalArgumentException("1.." + POINT_TYPES_MAX + " paying point types");
    }
    if (pointTypes.stream().distinct().count() != pointTypes.size()) {
      throw new IllegalArgumentException("paying point types repeat");
    }
    pointTypes.forEach(t -> Checks.requirePositive(t, "pointType"));
  }

  /** Paid in mileage only. */
  public static Tariff of(long pointsPerMinute, int initialIncrementSeconds, int subsequentIncrementSeconds,
                          long minimumChargePoints) {
    return new Tariff(pointsPerMinute, initialIncrementSeconds, subsequentIncrementSeconds, minimumChargePoints,
        List.of(StandardPointTypes.MILEAGE));
  }

  /**
   * The same billing rules (increments, minimum charge, paying types) at another price: how an item's own
   * price applies its kind's tariff. Validated like any tariff.
   */
  public Tariff withPointsPerMinute(long newPointsPerMinute) {
    return new Tariff(newPointsPerMinute, initialIncrementSeconds, subsequentIncrementSeconds, minimumChargePoints,
        pointTypes);
  }

  /** The billed duration of {@code usedSeconds}: 0 for 0, otherwise rounded up to the increments. */
  public long billedSeconds(long usedSeconds) {
    Checks.requireNonNegative(usedSeconds, "usedSeconds");
    if (usedSeconds == 0) return 0;
    if (usedSeconds <= initialIncrementSeconds) return initialIncrementSeconds;
    long rest = usedSeconds - initialIncrementSeconds;
    long blocks = (rest + subsequentIncrementSeconds - 1) / subsequentIncrementSeconds;
    return initialIncrementSeconds + blocks * subsequentIncrementSeconds;
  }

  /** Points charged for a session that used {@code usedSeconds}: 0 for 0, else at least the minimum charge. */
  public long pointsFor(long usedSeconds) {
    long billed = billedSeconds(usedSeconds);
    if (billed == 0) return 0;
    long points = ceilDiv(Math.multiplyExact(pointsPerMinute, billed), 60L);
    return Math.max(points, minimumChargePoints);
  }

  /**
   * The longest session {@code points} pay for: a billing boundary (so nothing paid is wasted), at most
   * {@link #SESSION_SECONDS_MAX}; 0 when not even the first increment is affordable.
   */
  public long maxSecondsFor(long points) {
    Checks.requireNonNegative(points, "points");
    if (pointsFor(initialIncrementSeconds) > points) return 0;
    long affordable = pointsPerMinute == 0 ? SESSION_SECONDS_MAX
        : Math.min(SESSION_SECONDS_MAX, Math.multiplyExact(points, 60L) / pointsPerMinute);
    return alignDown(Math.max(affordable, initialIncrementSeconds));
  }

  /** The largest billing boundary at or below {@code seconds} (0 below the first increment). */
  public long alignDown(long seconds) {
    Checks.requireNonNegative(seconds, "seconds");
    if (seconds < initialIncrementSeconds) return 0;
    long rest = seconds - initialIncrementSeconds;
    return initialIncrementSeconds + rest / subsequentIncrementSeconds * subsequentIncrementSeconds;
  }

  /** The points one increment at the start costs: below this a session is refused. */
  public long firstIncrementPoints() {
    return pointsFor(initialIncrementSeconds);
  }

  /**
   * This tariff priced in another point type, converted through cash values and rounded up in the
   * operator's favour: {@code fromCashMicros} is the value of one point of the pricing type.
   */
  public Tariff inPointType(int pointType, long fromCashMicros, long toCashMicros) {
    Checks.requirePositive(fromCashMicros, "fromCashMicros");
    Checks.requirePositive(toCashMicros, "toCashMicros");
    if (!pointTypes.contains(pointType)) throw new IllegalArgumentException("not a paying type: " + pointType);
    return new Tariff(convert(pointsPerMinute, fromCashMicros, toCashMicros), initialIncrementSeconds,
        subsequentIncrementSeconds, convert(minimumChargePoints, fromCashMicros, toCashMicros), List.of(pointType));
  }

  private static long convert(long points, long fromCashMicros, long toCashMicros) {
    return ceilDiv(Math.multiplyExact(points, fromCashMicros), toCashMicros);
  }

  /** Java 17 has no Math.ceilDiv; for non-negative a and positive b. */
  static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
