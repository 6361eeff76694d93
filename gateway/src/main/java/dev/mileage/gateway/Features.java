package dev.mileage.gateway;

import dev.mileage.gateway.ledger.LedgerFeature;

import java.util.List;

/**
 * THE list of features the gateway runs, in start order. To add a feature, add one line here.
 * Schemas are migrated, routes mounted and verticles deployed in this order.
 */
public final class Features {
  private Features() {
  }

  public static List<Feature> all() {
    return List.of(
        new LedgerFeature()
        // new SipFeature(), new MeteringFeature(), new ShopFeature(), ...: add yours here
    );
  }
}
