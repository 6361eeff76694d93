package dev.mileage.points.trading;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;

import java.util.Objects;

/**
 * A limit order: {@code owner} offers {@code sellAmount} points of {@code sellType} for at least
 * {@code buyAmount} points of {@code buyType} (and proportionally for part of it).
 */
public record OrderRequest(String owner, int sellType, long sellAmount, int buyType, long buyAmount,
                           int lifetimeSeconds) {
  /** Keeps every product of two amounts far inside a long in callers' own arithmetic. */
  public static final long AMOUNT_MAX = 1_000_000_000_000L;

  public OrderRequest {
    Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty() || owner.length() > Account.OWNER_LENGTH_MAX) throw new IllegalArgumentException("owner");
    Checks.requirePositive(sellType, "sellType");
    Checks.requirePositive(buyType, "buyType");
    Checks.requirePositive(sellAmount, "sellAmount");
    Checks.requirePositive(buyAmount, "buyAmount");
    Checks.requirePositive(lifetimeSeconds, "lifetimeSeconds");
    if (sellAmount > AMOUNT_MAX || buyAmount > AMOUNT_MAX) throw new IllegalArgumentException("amount too large");
  }
}
