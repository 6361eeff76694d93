package dev.mileage.points.ledger;

/** Argument checks at the boundary that return their argument; invariant checks inside that are always on. */
public final class Checks {
  private Checks() {
  }

  public static long requirePositive(long value, String name) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be positive: " + value);
    return value;
  }

  public static int requirePositive(int value, String name) {
    if (value <= 0) throw new IllegalArgumentException(name + " must be positive: " + value);
    return value;
  }

  public static long requireNonNegative(long value, String name) {
    if (value < 0) throw new IllegalArgumentException(name + " must not be negative: " + value);
    return value;
  }

  public static int requireNonNegative(int value, String name) {
    if (value < 0) throw new IllegalArgumentException(name + " must not be negative: " + value);
    return value;
  }

  /**
   * An always-on invariant whose message names a subject (an id), formatted only when it fails, so hot
   * paths do not build strings.
   */
  public static void invariant(boolean condition, String message, Object subject) {
    if (!condition) throw new IllegalStateException("invariant violated: " + message + ": " + subject);
  }

  /** An always-on invariant (Java's assert is off in production): a failure here is a bug. */
  public static void invariant(boolean condition, String message) {
    if (!condition) throw new IllegalStateException("invariant violated: " + message);
  }
}
