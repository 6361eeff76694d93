package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import dev.mileage.points.testing.MutableClock;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real embedded PostgreSQL, the real PgLedger and the metering store, all on one injected clock. */
final class MeterFixture implements AutoCloseable {
  static final long TIMEOUT_SECONDS = 60;

  final Database db;
  final Vertx vertx;
  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
  final ManagedLedger ledger;
  final Pool pool;
  final PgMeterStore store;
  final PgTariffs tariffs;
  final Account issuer;

  MeterFixture(Path dataDir) throws Exception {
    db = Database.embedded(dataDir);
    db.migrate("metering");
    vertx = Vertx.vertx();
    // the ledger's own sweep would expire reservations by its clock at any moment: tests call expireDue
    ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1)), clock));
    Database.ConnectionInfo c = db.connection();
    pool = c.pool(vertx, 4);
    store = new PgMeterStore(pool);
    tariffs = await(PgTariffs.load(pool));
    issuer = await(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
  }

  static MeterOptions options() {
    return MeterOptions.defaults().withAutoTick(false);
  }

  Meter meter(MeterOptions options) {
    return meter(ledger, options);
  }

  Meter meter(Ledger through, MeterOptions options) {
    return meter(through, options, store);
  }

  Meter meter(Ledger through, MeterOptions options, MeterStore sessions) {
    return await(Meters.start(through, sessions, tariffs, options, clock));
  }

  /** A member's mileage account holding {@code points}. */
  Account member(String owner, long points) {
    Account account = await(ledger.openAccount(owner, StandardPointTypes.MILEAGE,
        AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
    if (points > 0) {
      TransferResult r = await(ledger.submit(Transfer.single(Transfer.idOf("test:fund:" + owner), issuer.id(),
          account.id(), points, TransferCodes.OPERATOR_ADJUSTMENT, "test funds")));
      assertTrue(r.applied(), r.toString());
    }
    return account(account.id());
  }

  Account account(long id) {
    return await(ledger.account(id)).orElseThrow();
  }

  Account revenue() {
    return await(ledger.accountOf("operator:metering", StandardPointTypes.MILEAGE)).orElseThrow();
  }

  /** Advances the clock in whole seconds, running the meter's timers after each step. */
  void run(Meter meter, long seconds) {
    for (long i = 0; i < seconds; i++) {
      clock.advance(Duration.ofSeconds(1));
      await(meter.tick());
    }
  }

  /** Posted and pending figures of an account that has no reservation left. */
  void assertSettled(Account a, long available) {
    Account now = account(a.id());
    assertEquals(0, now.debitsPending(), "no reservation left on " + a.owner());
    assertEquals(available, now.available(), "balance of " + a.owner());
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (InterruptedException | TimeoutException e) {
      throw new RuntimeException(e);
    }
  }

  @Override
  public void close() throws Exception {
    ledger.close();
    pool.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    db.close();
  }
}
