package dev.mileage.points.trading;

/** The outcome of placing an order, ordered by precedence. Only PLACED and FILLED change anything. */
public enum PlaceResult {
  PLACED,
  FILLED,
  SAME_POINT_TYPE,
  LIFETIME_TOO_LONG,
  UNKNOWN_POINT_TYPE,
  TOO_MANY_ORDERS,
  BOOK_FULL,
  BUSY,
  INSUFFICIENT_POINTS;

  public boolean accepted() {
    return this == PLACED || this == FILLED;
  }
}
