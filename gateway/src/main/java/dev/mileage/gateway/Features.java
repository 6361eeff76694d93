package dev.mileage.gateway;

import dev.mileage.gateway.ledger.LedgerFeature;

import java.util.ArrayList;
import java.util.List;

/**
 * THE list of features the gateway runs, in start order. To add a feature, add one line
 * {@code features.add(new YourFeature());} below the ledger's. Schemas are migrated, authenticators
 * consulted, routes mounted and verticles deployed in this order.
 */
public final class Features {
  private Features() {
  }

  public static List<Feature> all() {
    List<Feature> features = new ArrayList<>();
    features.add(new LedgerFeature());
    features.add(new dev.mileage.gateway.members.MembersFeature());
    features.add(new dev.mileage.gateway.shop.ShopFeature());
    features.add(new dev.mileage.gateway.trading.TradingFeature());
    // one line per feature, e.g. features.add(new SipFeature());
    return List.copyOf(features);
  }
}
