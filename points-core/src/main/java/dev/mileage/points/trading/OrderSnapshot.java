package dev.mileage.points.trading;

import dev.mileage.points.ledger.Checks;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * What a {@link BookJournal} keeps of an order so a restarted desk can put it back on its book: the order
 * itself, its accounts, what is left of it and the generation of the ledger hold that covers the rest.
 */
public record OrderSnapshot(UUID id, String owner, int sellType, long sellAmount, int buyType, long buyAmount, long seq,
                            Instant placedAt, Instant expiresAt, long sellAccount, long buyAccount, long remaining,
                            long received, int holdGeneration, OrderStatus status) {
  public OrderSnapshot {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(placedAt, "placedAt");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(status, "status");
    Checks.requireNonNegative(remaining, "remaining");
    Checks.requireNonNegative(received, "received");
    Checks.requireNonNegative(holdGeneration, "holdGeneration");
    if (remaining > sellAmount) throw new IllegalArgumentException("remaining exceeds the order");
  }
}
