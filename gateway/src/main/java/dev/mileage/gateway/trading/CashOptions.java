package dev.mileage.gateway.trading;

import dev.mileage.points.ledger.Checks;

/**
 * Buying points with money and cashing them out.
 *
 * @param buyFeeBasisPoints      added to the price of points bought (0..10000)
 * @param cashOutFeeBasisPoints  taken from a cash-out's value (0..10000)
 * @param buyWonPerDayMax        won one member may spend on points per UTC day
 * @param cashOutWonPerDayMax    won one member may cash out per UTC day (before fees)
 * @param cashOutHoldSeconds     how long points stay held while the payout is under way
 */
public record CashOptions(int buyFeeBasisPoints, int cashOutFeeBasisPoints, long buyWonPerDayMax,
                          long cashOutWonPerDayMax, int cashOutHoldSeconds) {
  public static final CashOptions DEFAULTS = new CashOptions(0, 300, 1_000_000, 300_000, 24 * 3600);

  public CashOptions {
    if (buyFeeBasisPoints < 0 || buyFeeBasisPoints > 10_000 || cashOutFeeBasisPoints < 0 || cashOutFeeBasisPoints > 10_000) {
      throw new IllegalArgumentException("fees must be 0..10000 basis points");
    }
    Checks.requirePositive(buyWonPerDayMax, "buyWonPerDayMax");
    Checks.requirePositive(cashOutWonPerDayMax, "cashOutWonPerDayMax");
    Checks.requirePositive(cashOutHoldSeconds, "cashOutHoldSeconds");
  }

  int feeOf(CashQuote.Kind kind) {
    return kind == CashQuote.Kind.BUY ? buyFeeBasisPoints : cashOutFeeBasisPoints;
  }

  long dailyMaxOf(CashQuote.Kind kind) {
    return kind == CashQuote.Kind.BUY ? buyWonPerDayMax : cashOutWonPerDayMax;
  }
}
