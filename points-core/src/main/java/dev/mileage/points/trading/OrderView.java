package dev.mileage.points.trading;

import java.time.Instant;
import java.util.UUID;

/** A snapshot of an order for its owner. {@code remaining} is what is still offered (and held). */
public record OrderView(UUID id, String owner, int sellType, long sellAmount, int buyType, long buyAmount,
                        long remaining, long received, OrderStatus status, Instant placedAt, Instant expiresAt) {
}
