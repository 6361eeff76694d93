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
    dev.mileage.gateway.metering.MeteringFeature metering = new dev.mileage.gateway.metering.MeteringFeature();
    return all(metering, new dev.mileage.gateway.sip.SipFeature(metering, new dev.mileage.gateway.webrtc.WebRtcCalls()));
  }

  /**
   * The same list with the given meter and SIP features (tests pass theirs, with their own options);
   * {@code sip} null leaves calls out (and the demo's call seeding with them).
   */
  public static List<Feature> all(dev.mileage.gateway.metering.MeteringFeature metering,
                                  dev.mileage.gateway.sip.SipFeature sip) {
    List<Feature> features = new ArrayList<>();
    features.add(new LedgerFeature());
    features.add(new dev.mileage.gateway.members.MembersFeature());
    features.add(new dev.mileage.gateway.shop.ShopFeature());
    features.add(new dev.mileage.gateway.certificates.CertificatesFeature());
    features.add(metering); // before SIP: calls are authorized and debited by the meter
    if (sip != null) {
      features.add(sip);
      // the browser phone: SIP over WebSocket and WebRTC media on the SIP feature, credentials for members
      sip.browserCalls().ifPresent(b -> {
        if (b instanceof dev.mileage.gateway.webrtc.WebRtcCalls web) {
          features.add(new dev.mileage.gateway.webrtc.WebPhoneFeature(sip, web));
        }
      });
      features.add(new dev.mileage.gateway.demo.DemoCallsFeature(metering, sip)); // after shop: needs the demo member
    }
    features.add(new dev.mileage.gateway.trading.TradingFeature());
    // one line per feature
    return List.copyOf(features);
  }
}
