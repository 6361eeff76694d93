package dev.mileage.gateway.demo;

import dev.mileage.gateway.Feature;
import dev.mileage.gateway.GatewayContext;
import dev.mileage.gateway.metering.MeteringFeature;
import dev.mileage.gateway.sip.SipFeature;
import dev.mileage.points.metering.CallRate;
import dev.mileage.points.metering.ContentKind;
import dev.mileage.points.metering.StreamRate;
import dev.mileage.points.metering.Tariff;
import dev.mileage.points.metering.TariffBook;
import dev.mileage.points.metering.Tariffs;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Demo seeding for calls and streams: a tariff table that makes the demo numbers and a few real-looking
 * destinations callable, stream prices per content kind, and SIP credentials for the demo member (so a
 * SIP phone or SIPp can call at once; the README gives them). Runs only in demo mode, after the shop has
 * seeded the demo member; it never overwrites a rate an operator already set, and is safe to run again.
 */
public final class DemoCallsFeature implements Feature {
  public static final String DEMO_SIP_USER = "demo";
  public static final String DEMO_SIP_PASSWORD = "demo-sip-2026";
  private static final Logger LOG = Logger.getLogger(DemoCallsFeature.class.getName());

  /** Destinations as a retail prepaid table would price them, in mileage points. */
  static final List<CallRate> CALL_RATES = List.of(
      CallRate.rated("1555", "demo numbers (simulated PSTN)", Tariff.of(60, 1, 1, 0)),
      CallRate.rated("8210", "Korea mobile", Tariff.of(120, 60, 6, 0)),
      CallRate.rated("82", "Korea fixed", Tariff.of(60, 60, 6, 0)),
      CallRate.rated("1", "USA and Canada", Tariff.of(30, 6, 6, 0)),
      CallRate.rated("44", "United Kingdom", Tariff.of(90, 60, 1, 0)),
      CallRate.rated("81", "Japan", Tariff.of(90, 60, 6, 0)),
      CallRate.blocked("1900", "US premium rate"),
      CallRate.blocked("8260", "Korea premium rate"),
      CallRate.blocked("882", "international networks"),
      CallRate.blocked("883", "international networks"));

  static final List<StreamRate> STREAM_RATES = List.of(
      new StreamRate(ContentKind.VIDEO, "video", Tariff.of(60, 1, 1, 0)),
      new StreamRate(ContentKind.MUSIC, "music", Tariff.of(20, 1, 1, 0)),
      new StreamRate(ContentKind.VOICE, "spoken programs", Tariff.of(10, 1, 1, 0)),
      new StreamRate(ContentKind.SOFTWARE, "software downloads", Tariff.of(30, 1, 1, 0)),
      new StreamRate(ContentKind.DATABASE, "information services", Tariff.of(15, 1, 1, 0)));

  private final MeteringFeature metering;
  private final SipFeature sip;

  public DemoCallsFeature(MeteringFeature metering, SipFeature sip) {
    this.metering = metering;
    this.sip = sip;
  }

  @Override
  public String name() {
    return "democalls";
  }

  @Override
  public List<Deployable> verticles(GatewayContext gateway) {
    if (!gateway.config().demo()) return List.of();
    return List.of(new VerticleBase() {
      @Override
      public Future<?> start() {
        return metering.ready().compose(meter -> seedTariffs(meter.tariffs())).compose(v -> seedSipUser(gateway));
      }
    });
  }

  private static Future<Void> seedTariffs(Tariffs tariffs) {
    TariffBook book = tariffs.current();
    List<String> prefixes = book.callRates().stream().map(CallRate::prefix).toList();
    List<ContentKind> kinds = book.streamRates().stream().map(StreamRate::kind).toList();
    List<Future<?>> changes = new ArrayList<>();
    Future<?> chain = Future.succeededFuture();
    for (CallRate rate : CALL_RATES) {
      if (prefixes.contains(rate.prefix())) continue;
      chain = chain.compose(v -> Future.fromCompletionStage(tariffs.putCallRate(rate)));
    }
    for (StreamRate rate : STREAM_RATES) {
      if (kinds.contains(rate.kind())) continue;
      chain = chain.compose(v -> Future.fromCompletionStage(tariffs.putStreamRate(rate)));
    }
    changes.add(chain);
    return Future.all(changes).mapEmpty();
  }

  private Future<Void> seedSipUser(GatewayContext context) {
    return context.pool().preparedQuery("SELECT id FROM members.member WHERE login_id = $1")
        .execute(Tuple.of("demo"))
        .compose(rows -> {
          if (!rows.iterator().hasNext()) {
            LOG.warning("no demo member: SIP credentials not seeded");
            return Future.succeededFuture();
          }
          long id = rows.iterator().next().getLong("id");
          return sip.provision(context, "member:" + id, DEMO_SIP_USER, DEMO_SIP_PASSWORD).mapEmpty();
        });
  }
}
