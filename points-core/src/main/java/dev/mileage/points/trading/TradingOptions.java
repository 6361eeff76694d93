package dev.mileage.points.trading;

import dev.mileage.points.ledger.Checks;

/**
 * Settings of the trading desk, with named defaults.
 *
 * @param feeBasisPoints        fee on what each side receives, 0..10000 (100 = 1%), rounded up
 * @param ordersPerMemberMax    open orders of one member across all books
 * @param bookDepthMax          resting orders on one side of one book
 * @param lifetimeSecondsMax    longest an order may rest
 * @param holdGraceSeconds      a hold outlives its order by this much, so the ledger only releases it by
 *                              itself when the desk is gone (crash) and never races a fill
 * @param commandsQueuedMax     place/cancel/expire commands waiting at most; past it the desk answers BUSY
 * @param recentFillsMax        fills kept per book for display
 * @param closedOrdersKeptMax   closed orders kept for their owners to read
 */
public record TradingOptions(int feeBasisPoints, int ordersPerMemberMax, int bookDepthMax, int lifetimeSecondsMax,
                             int holdGraceSeconds, int commandsQueuedMax, int recentFillsMax,
                             int closedOrdersKeptMax) {
  public static final TradingOptions DEFAULTS = new TradingOptions(50, 100, 10_000, 30 * 24 * 3600, 3600,
      10_000, 100, 100_000);

  public TradingOptions {
    if (feeBasisPoints < 0 || feeBasisPoints > 10_000) {
      throw new IllegalArgumentException("feeBasisPoints must be 0..10000: " + feeBasisPoints);
    }
    Checks.requirePositive(ordersPerMemberMax, "ordersPerMemberMax");
    Checks.requirePositive(bookDepthMax, "bookDepthMax");
    Checks.requirePositive(lifetimeSecondsMax, "lifetimeSecondsMax");
    Checks.requirePositive(holdGraceSeconds, "holdGraceSeconds");
    Checks.requirePositive(commandsQueuedMax, "commandsQueuedMax");
    Checks.requirePositive(recentFillsMax, "recentFillsMax");
    Checks.requirePositive(closedOrdersKeptMax, "closedOrdersKeptMax");
  }

  public TradingOptions withFeeBasisPoints(int value) {
    return new TradingOptions(value, ordersPerMemberMax, bookDepthMax, lifetimeSecondsMax, holdGraceSeconds,
        commandsQueuedMax, recentFillsMax, closedOrdersKeptMax);
  }

  public TradingOptions withOrdersPerMemberMax(int value) {
    return new TradingOptions(feeBasisPoints, value, bookDepthMax, lifetimeSecondsMax, holdGraceSeconds,
        commandsQueuedMax, recentFillsMax, closedOrdersKeptMax);
  }

  public TradingOptions withBookDepthMax(int value) {
    return new TradingOptions(feeBasisPoints, ordersPerMemberMax, value, lifetimeSecondsMax, holdGraceSeconds,
        commandsQueuedMax, recentFillsMax, closedOrdersKeptMax);
  }
}
