package dev.mileage.points.metering;

import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Duration;

/**
 * The process {@link MeterKillTest} kills with SIGKILL: a ledger and a meter on the test's database,
 * one call answered, 2-second grants renewing on the real clock until the process dies.
 * Arguments: database URL, owner, number.
 */
public final class MeterChildMain {
  public static void main(String[] args) throws Exception {
    Database db = Database.external(args[0]);
    Vertx vertx = Vertx.vertx();
    Clock clock = Clock.systemUTC();
    ManagedLedger ledger = PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock).toCompletableFuture().get();
    Database.ConnectionInfo c = db.connection();
    Pool pool = c.pool(vertx, 2);
    PgTariffs tariffs = PgTariffs.load(pool).toCompletableFuture().get();
    MeterOptions options = MeterOptions.defaults().withGrant(Duration.ofSeconds(2));
    Meter meter = Meters.start(ledger, new PgMeterStore(pool), tariffs, options, clock, new MeterObserver() {
      @Override
      public void renewed(long lagMicros) {
        System.out.println("RENEWED");
      }
    }).toCompletableFuture().get();
    Authorization a = meter.authorize(AuthorizeRequest.call(args[1], args[2], "kill-test"), SessionListener.NONE)
        .toCompletableFuture().get();
    if (!a.ok()) {
      System.out.println("REFUSED " + a.result());
      System.exit(2);
    }
    long answeredMs = clock.millis();
    meter.start(a.sessionId()).toCompletableFuture().get();
    System.out.println("ANSWERED " + a.sessionId() + " " + answeredMs);
    Thread.sleep(Duration.ofMinutes(5).toMillis()); // killed long before
    System.exit(3);
  }
}
