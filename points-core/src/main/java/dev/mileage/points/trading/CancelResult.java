package dev.mileage.points.trading;

/** The outcome of cancelling. NOT_FOUND also answers another member's order: its existence is not revealed. */
public enum CancelResult {
  CANCELLED,
  NOT_FOUND,
  ALREADY_CLOSED,
  BUSY
}
