package dev.mileage.gateway.streams;

import dev.mileage.gateway.metering.ItemRates;
import dev.mileage.points.metering.TariffBook;
import io.vertx.core.Future;

import java.util.Objects;
import java.util.Optional;

/**
 * The catalog's answer to metering's rating route: an item is rated by {@link Item#rate} (the rule its
 * sessions are charged by). Drafts are known to operators only, as in the catalog; retired items are not rated.
 */
final class CatalogItemRates implements ItemRates {
  private final Catalog catalog;

  CatalogItemRates(Catalog catalog) {
    this.catalog = Objects.requireNonNull(catalog, "catalog");
  }

  @Override
  public Future<ItemRating> rate(long itemId, boolean operator, TariffBook book) {
    Objects.requireNonNull(book, "book");
    return catalog.get(itemId).map((Optional<Item> found) -> {
      if (found.isEmpty() || (!operator && found.get().status() == Item.Status.DRAFT)) {
        return ItemRating.missing(Lookup.NO_SUCH_ITEM);
      }
      Item item = found.get();
      if (item.status() == Item.Status.RETIRED) return ItemRating.missing(Lookup.RETIRED);
      return new ItemRating(Lookup.FOUND, item.kind(), item.pointsPerMinute(), item.rate(book));
    });
  }
}
