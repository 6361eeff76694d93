package dev.mileage.bench.load;

import org.HdrHistogram.Histogram;

/**
 * Latencies corrected for coordinated omission: each operation is measured from its intended start in the
 * open-loop schedule, not from when the generator got round to sending it. A stalled generator or server
 * therefore shows up as latency for every operation it delayed. The uncorrected service time (from the actual
 * send) is kept alongside so the two can be compared. Thread-safe.
 */
public final class LatencyRecorder {
  /** Latencies above an hour are clamped (and counted): nothing in a bounded run legitimately takes longer. */
  public static final long LATENCY_MICROS_MAX = 3_600_000_000L;
  private static final int SIGNIFICANT_DIGITS = 3;

  private final Histogram correctedMicros = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
  private final Histogram serviceMicros = new Histogram(LATENCY_MICROS_MAX, SIGNIFICANT_DIGITS);
  private long clampedCount;

  /**
   * @param intendedStartNanos when the schedule meant the operation to start
   * @param actualStartNanos   when it was sent (never before the intended start in an open-loop run)
   * @param endNanos           when it completed
   */
  public synchronized void record(long intendedStartNanos, long actualStartNanos, long endNanos) {
    correctedMicros.recordValue(clamp(endNanos - intendedStartNanos));
    serviceMicros.recordValue(clamp(endNanos - Math.max(actualStartNanos, intendedStartNanos)));
  }

  private long clamp(long nanos) {
    long micros = Math.max(0, nanos) / 1_000;
    if (micros > LATENCY_MICROS_MAX) {
      clampedCount++;
      return LATENCY_MICROS_MAX;
    }
    return micros;
  }

  /** A copy of the coordinated-omission-corrected distribution, in microseconds. */
  public synchronized Histogram correctedMicros() {
    return correctedMicros.copy();
  }

  /** A copy of the uncorrected service-time distribution (from the actual send), in microseconds. */
  public synchronized Histogram serviceMicros() {
    return serviceMicros.copy();
  }

  public synchronized long count() {
    return correctedMicros.getTotalCount();
  }

  public synchronized long clampedCount() {
    return clampedCount;
  }
}
