package dev.mileage.points.metering;

/** Measurement hooks (benchmarks, metrics); called on the meter's thread, so they must be cheap. */
public interface MeterObserver {
  MeterObserver NONE = new MeterObserver() {
  };

  /**
   * A renewal was confirmed {@code lagMicros} after the moment it was due (0: confirmed by then). It is due when
   * {@link MeterOptions#renewLead()} of the grant is left; its request leaves a margin earlier.
   */
  default void renewed(long lagMicros) {
  }

  /**
   * Where the time of one confirmed renewal went, in microseconds, one call per {@link #renewed}: from the
   * moment its request was meant to leave to the meter's thread running it ({@code wheelMicros}: the wheel's
   * resolution and the thread's queue), from there to the request leaving for the ledger
   * ({@code prepareMicros}: the rest of the tick, whose renewals leave together), the ledger's answer
   * ({@code ledgerMicros}: its queue, batch and commit) and the hop back to the meter's thread ({@code hopMicros}).
   */
  default void renewalSplit(long wheelMicros, long prepareMicros, long ledgerMicros, long hopMicros) {
  }

  /** A checkpoint handed to the store was durable {@code micros} later (it never holds a renewal up). */
  default void checkpointSaved(long micros) {
  }
}
