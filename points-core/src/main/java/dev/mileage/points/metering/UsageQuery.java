package dev.mileage.points.metering;

import java.time.Instant;
import java.util.Objects;

/**
 * Usage records ended strictly before {@code before}, newest first.
 *
 * @param owner  only this owner's records, or empty for all (operators only)
 * @param before null: now
 */
public record UsageQuery(String owner, Instant before, int limit) {
  public static final int LIMIT_MAX = 500;

  public UsageQuery {
    owner = owner == null ? "" : owner;
    if (limit < 1 || limit > LIMIT_MAX) throw new IllegalArgumentException("limit must be 1.." + LIMIT_MAX);
  }

  public static UsageQuery of(String owner, int limit) {
    return new UsageQuery(Objects.requireNonNull(owner, "owner"), null, limit);
  }
}
