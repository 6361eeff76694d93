package dev.mileage.points.trading;

import java.time.Instant;
import java.util.UUID;

/**
 * One settled fill: the maker gave {@code makerGives} of {@code makerSellType} and received
 * {@code takerGives} of the taker's type, less fees.
 */
public record TradeFill(UUID id, UUID makerOrder, UUID takerOrder, int makerSellType, long makerGives,
                        int takerSellType, long takerGives, long makerFee, long takerFee, Instant at) {
}
