package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.SimulatedTrunk;
import dev.mileage.fixtures.sip.TrunkOptions;
import dev.mileage.gateway.Features;
import dev.mileage.gateway.GatewayApp;
import dev.mileage.gateway.GatewayConfig;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.gateway.sip.SipOptions;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.Tariff;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * The browser call tests' gateway: the real one on embedded defaults (PostgreSQL, ledger, members, metering,
 * SIP B2BUA with SIP over WebSocket and WebRTC media, no demo seeding), the simulated PSTN beside it (its
 * SMS too), and one rate the test asks for; {@code legs} are the browser legs it opened (for LoopbackMedia).
 * Close it after the test class.
 */
record BrowserGateway(SimulatedTrunk trunk, GatewayApp app, SipFeature sip, MeteringFeature metering, WebRtcCalls web,
                      List<WebRtcLeg> legs) implements AutoCloseable {

  /**
   * {@code sipOptions} adjusts the SIP feature's defaults (timers, limits); {@code rate} prices the numbers
   * that start with {@code ratedPrefix} (digits, no +).
   */
  static BrowserGateway start(Path dataDir, String operatorPassword, UnaryOperator<SipOptions> sipOptions,
                              String ratedPrefix, String rateLabel, Tariff rate) throws Exception {
    return start(dataDir, operatorPassword, sipOptions, ratedPrefix, rateLabel, rate, Optional.empty(), "");
  }

  /** The same with browsers on WSS with the certificate in {@code keyStore} (PKCS#12). */
  static BrowserGateway start(Path dataDir, String operatorPassword, UnaryOperator<SipOptions> sipOptions,
                              String ratedPrefix, String rateLabel, Tariff rate, Optional<Path> keyStore,
                              String keyStorePassword) throws Exception {
    SimulatedTrunk trunk = SimulatedTrunk.start(TrunkOptions.defaults());
    try {
      GatewayConfig config = new GatewayConfig("127.0.0.1", 0, 0, dataDir, Optional.empty(), false, false, "operator",
          operatorPassword, "sip:pstn@" + trunk.host() + ":" + trunk.port(), // SMS go beside the trunk
          0, keyStore, keyStorePassword);
      MeteringFeature metering = new MeteringFeature();
      WebRtcCalls web = new WebRtcCalls();
      List<WebRtcLeg> legs = new CopyOnWriteArrayList<>(); // every browser leg, for LoopbackMedia
      web.observeLegs(legs::add);
      SipFeature sip = new SipFeature(() -> metering.meter().orElseThrow(),
          c -> sipOptions.apply(SipFeature.defaultOptions(c))).withBrowserCalls(web);
      GatewayApp app = new GatewayApp(config, Features.all(metering, sip), Clock.systemUTC());
      app.start();
      BrowserGateway g = new BrowserGateway(trunk, app, sip, metering, web, legs);
      g.meter().tariffs().putCallRate(CallRate.rated(ratedPrefix, rateLabel, rate)).toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      return g;
    } catch (Exception | Error e) {
      trunk.close();
      throw e;
    }
  }

  Meter meter() {
    return metering.meter().orElseThrow();
  }

  @Override
  public void close() {
    try {
      app.stop();
    } finally {
      trunk.close();
    }
  }
}
