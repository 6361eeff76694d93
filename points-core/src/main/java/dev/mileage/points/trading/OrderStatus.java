package dev.mileage.points.trading;

public enum OrderStatus {
  OPEN,
  FILLED,
  CANCELLED,
  EXPIRED,
  /** Cancelled because the owner's own newer order would have filled against it. */
  CANCELLED_SELF_TRADE,
  /** The ledger refused to settle against it (its hold was gone): released and closed. */
  CANCELLED_BY_LEDGER;

  public boolean open() {
    return this == OPEN;
  }
}
