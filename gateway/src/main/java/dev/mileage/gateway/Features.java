package dev.mileage.gateway;

import dev.mileage.gateway.certificates.CertificatesFeature;
import dev.mileage.gateway.demo.DemoCallsFeature;
import dev.mileage.gateway.ledger.LedgerFeature;
import dev.mileage.gateway.mall.MallFeature;
import dev.mileage.gateway.members.MembersFeature;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.shop.ShopFeature;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.gateway.streams.StreamsFeature;
import dev.mileage.gateway.trading.TradingFeature;
import dev.mileage.gateway.webrtc.WebPhoneFeature;
import dev.mileage.gateway.webrtc.WebRtcCalls;

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
    MeteringFeature metering = new MeteringFeature();
    return all(metering, new SipFeature(metering, new WebRtcCalls()));
  }

  /**
   * The same list with the given meter and SIP features (tests pass theirs, with their own options);
   * {@code sip} null leaves calls out (and the demo's call seeding with them).
   */
  public static List<Feature> all(MeteringFeature metering,
                                  SipFeature sip) {
    List<Feature> features = new ArrayList<>();
    features.add(new LedgerFeature());
    features.add(new MembersFeature());
    features.add(new ShopFeature());
    features.add(new CertificatesFeature());
    features.add(metering); // before SIP: calls are authorized and debited by the meter
    features.add(new StreamsFeature(metering));
    if (sip != null) {
      features.add(sip);
      // the browser phone: SIP over WebSocket and WebRTC media on the SIP feature, credentials for members
      sip.browserCalls().ifPresent(b -> {
        if (b instanceof WebRtcCalls web) {
          features.add(new WebPhoneFeature(sip, web));
        }
      });
      features.add(new DemoCallsFeature(metering, sip)); // after shop: needs the demo member
    }
    features.add(new TradingFeature());
    features.add(new MallFeature());
    // one line per feature
    return List.copyOf(features);
  }
}
