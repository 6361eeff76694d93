package dev.mileage.gateway.metering;

import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.Rating;
import dev.mileage.points.metering.TariffBook;
import io.vertx.core.Future;

import java.util.Objects;

/**
 * What a stream item costs now, for {@code GET /api/v1/metering/rate?itemId=}. The streams feature owns the
 * catalog and the item's pricing rule; it registers itself with {@link MeteringFeature#serveItemRates} at
 * start, so metering asks without depending on streams (streams already depends on metering).
 */
public interface ItemRates {
  /** The item's rating in {@code book}, exactly as a session started now would be rated. */
  Future<ItemRating> rate(long itemId, boolean operator, TariffBook book);

  /** Whether the item could be priced; by precedence. */
  enum Lookup { FOUND, NO_SUCH_ITEM, RETIRED }

  /**
   * @param kind                null unless FOUND
   * @param itemPointsPerMinute the item's own price, or null: priced by its kind
   * @param rating              null unless FOUND; refused (NO_TARIFF) when the item's kind has no tariff
   */
  record ItemRating(Lookup lookup, ContentKind kind, Long itemPointsPerMinute, Rating rating) {
    public ItemRating {
      Objects.requireNonNull(lookup, "lookup");
      if ((lookup == Lookup.FOUND) != (rating != null && kind != null)) {
        throw new IllegalArgumentException("a found item has a kind and a rating, and only a found one");
      }
    }

    public static ItemRating missing(Lookup lookup) {
      return new ItemRating(lookup, null, null, null);
    }
  }
}
