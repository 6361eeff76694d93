package dev.mileage.points.metering;

/** Outcome of an operator's change to the tariff book. */
public enum TariffChange {
  OK,
  /** Removing a rule that does not exist. */
  NOT_FOUND,
  /** The book already holds {@link TariffBook#CALL_RATES_MAX} call rates. */
  TOO_MANY_RATES
}
