package dev.mileage.bench.load;

import java.time.Duration;
import java.util.Objects;

/**
 * When each operation of an open-loop load is meant to start: operation {@code i} at {@code i / rate}
 * seconds after the start, whatever happened to the previous ones. Bounded both in count and in time.
 *
 * @param ratePerSecond operations started per second
 * @param countMax      operations at most
 * @param durationMax   the schedule never reaches past this
 */
public record OpenLoopSchedule(double ratePerSecond, long countMax, Duration durationMax) {
  /** A schedule longer than a day is a typo, not a benchmark. */
  public static final Duration DURATION_LIMIT = Duration.ofHours(24);
  public static final double RATE_PER_SECOND_MAX = 1_000_000.0;

  public OpenLoopSchedule {
    Objects.requireNonNull(durationMax, "durationMax");
    if (!(ratePerSecond > 0 && ratePerSecond <= RATE_PER_SECOND_MAX)) {
      throw new IllegalArgumentException("ratePerSecond must be in (0, " + RATE_PER_SECOND_MAX + "]: " + ratePerSecond);
    }
    if (countMax < 0) throw new IllegalArgumentException("countMax must be >= 0: " + countMax);
    if (durationMax.isNegative() || durationMax.compareTo(DURATION_LIMIT) > 0) {
      throw new IllegalArgumentException("durationMax must be in [0, " + DURATION_LIMIT + "]: " + durationMax);
    }
  }

  /** Operations this schedule starts: the count bound or what fits in the duration, whichever is smaller. */
  public long count() {
    double seconds = durationMax.toNanos() / 1e9;
    long fitting = (long) Math.ceil(seconds * ratePerSecond - 1e-9);
    return Math.max(0, Math.min(countMax, fitting));
  }

  /** Nanoseconds from the start of the run to the intended start of operation {@code index}. */
  public long intendedOffsetNanos(long index) {
    if (index < 0 || index >= count()) throw new IndexOutOfBoundsException("index " + index + " of " + count());
    return Math.round(index * (1e9 / ratePerSecond));
  }
}
