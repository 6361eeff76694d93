package dev.mileage.gateway.shop;

/**
 * How much mileage a product earns: a fixed number of points per unit, or a percentage of its price
 * given in basis points (250 = 2.5 %), rounded down.
 */
public record MileageRule(Mode mode, long value) {
  public enum Mode { FIXED, PERCENT }

  public static final long BASIS_POINTS_MAX = 10_000;

  public MileageRule {
    java.util.Objects.requireNonNull(mode, "mode");
    if (value < 0) throw new IllegalArgumentException("mileage must not be negative");
    if (mode == Mode.PERCENT && value > BASIS_POINTS_MAX) throw new IllegalArgumentException("mileage percentage over 100 %");
  }

  public long forLine(long unitPriceWon, int quantity) {
    return mode == Mode.FIXED ? Math.multiplyExact(value, quantity)
        : Math.multiplyExact(unitPriceWon, quantity) * value / BASIS_POINTS_MAX;
  }
}
