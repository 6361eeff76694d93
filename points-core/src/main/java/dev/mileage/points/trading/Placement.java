package dev.mileage.points.trading;

import java.util.List;

/** What placing did: the result, the order as it stands (null when refused) and its fills. */
public record Placement(PlaceResult result, OrderView order, List<TradeFill> fills) {
  public Placement {
    fills = List.copyOf(fills);
  }

  static Placement refused(PlaceResult result) {
    return new Placement(result, null, List.of());
  }
}
