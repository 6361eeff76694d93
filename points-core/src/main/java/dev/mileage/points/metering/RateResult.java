package dev.mileage.points.metering;

/** The outcome of rating a destination or content kind, ordered by precedence. */
public enum RateResult {
  RATED,
  /** Not an E.164 number: '+' then 2..15 digits, the first not 0. */
  INVALID_NUMBER,
  /** The longest matching prefix is a blocked one (premium, fraud-prone, ...). */
  BLOCKED,
  /** No prefix (or content kind) has a tariff. */
  NO_TARIFF
}
