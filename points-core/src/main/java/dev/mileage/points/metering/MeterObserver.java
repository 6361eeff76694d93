package dev.mileage.points.metering;

/** Measurement hooks (benchmarks, metrics); called on the meter's thread, so they must be cheap. */
public interface MeterObserver {
  MeterObserver NONE = new MeterObserver() {
  };

  /** A renewal was confirmed {@code lagMicros} after the moment it was due. */
  default void renewed(long lagMicros) {
  }
}
