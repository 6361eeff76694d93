package dev.mileage.points.metering;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.PointType;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/** Starts a meter: loads point values, settles what a previous meter left open, then serves. */
public final class Meters {
  private Meters() {
  }

  public static CompletionStage<Meter> start(Ledger ledger, MeterStore store, Tariffs tariffs, MeterOptions options,
                                             Clock clock) {
    return start(ledger, store, tariffs, options, clock, MeterObserver.NONE);
  }

  public static CompletionStage<Meter> start(Ledger ledger, MeterStore store, Tariffs tariffs, MeterOptions options,
                                             Clock clock, MeterObserver observer) {
    Objects.requireNonNull(ledger, "ledger");
    Objects.requireNonNull(store, "store");
    Objects.requireNonNull(tariffs, "tariffs");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(observer, "observer");
    return ledger.pointTypes().thenCompose(types -> {
      Map<Integer, Long> cash = new HashMap<>();
      for (PointType t : types) cash.put(t.id(), t.cashMicrosPerUnit());
      return new Recovery(ledger, store).run().thenApply(recovered -> {
        DefaultMeter meter = new DefaultMeter(ledger, store, tariffs, options, clock, observer, cash);
        meter.recovered = recovered;
        meter.startTicker();
        return (Meter) meter;
      });
    });
  }
}
