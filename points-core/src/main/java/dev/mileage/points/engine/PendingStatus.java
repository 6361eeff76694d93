package dev.mileage.points.engine;

/** Where a reservation stands. Only {@link #PENDING} holds points; every other state is final. */
public enum PendingStatus {
  PENDING,
  POSTED,
  VOIDED,
  /** Released by the engine's clock (lazily when touched, or by the sweep). */
  EXPIRED;

  private static final PendingStatus[] VALUES = values();

  public static PendingStatus of(int code) {
    if (code < 0 || code >= VALUES.length) throw new IllegalArgumentException("unknown pending status: " + code);
    return VALUES[code];
  }
}
