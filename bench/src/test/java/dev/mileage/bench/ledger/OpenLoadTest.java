package dev.mileage.bench.ledger;

import dev.mileage.bench.load.OpenLoopSchedule;
import dev.mileage.bench.load.Pacer;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The open-loop load against a real durable ledger: every send is answered and counted, the mix holds. Counts only, no timings. */
class OpenLoadTest {
  static final int TRANSFERS = 600;

  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;

  @BeforeAll
  static void start() throws Exception {
    db = Database.embedded(dataDir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    db.close();
  }

  @Test
  void everyScheduledTransferIsSentAnsweredAndRecordedWithTheClosedLoopsMix() throws Exception {
    try (ManagedLedger ledger = PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, Clock.systemUTC())
        .toCompletableFuture().get(60, TimeUnit.SECONDS)) {
      long issuer = ledger.openAccount("issuer", StandardPointTypes.MILEAGE, AccountFlags.NONE).toCompletableFuture()
          .get(30, TimeUnit.SECONDS).id();
      long[] customers = new long[20];
      for (int i = 0; i < customers.length; i++) {
        customers[i] = ledger.openAccount("c" + i, StandardPointTypes.MILEAGE, AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS)
            .toCompletableFuture().get(30, TimeUnit.SECONDS).id();
        TransferResult funded = ledger.submit(Transfer.single(Transfer.idOf("fund:" + i), issuer, customers[i], 1_000_000, 0, ""))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(TransferResult.OK, funded);
      }
      long start = System.nanoTime();
      long stopAt = start + TimeUnit.SECONDS.toNanos(60); // a bound only: the schedule's count ends it first
      OpenLoad load = new OpenLoad(ledger, Ids.TIME_ORDERED, customers, start, stopAt, 64);
      OpenLoopSchedule schedule = new OpenLoopSchedule(300, TRANSFERS, Duration.ofSeconds(30));
      Pacer.Outcome outcome = load.run(schedule, start, stopAt);
      long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (load.outstanding() > 0 && System.nanoTime() < drainDeadline) TimeUnit.MILLISECONDS.sleep(10);

      assertEquals(TRANSFERS, outcome.started());
      assertEquals(0, outcome.notStarted());
      assertEquals(0, load.outstanding());
      assertEquals(0, load.failed.sum());
      assertEquals(0, load.refused.sum(), "funded customers and open reservations: nothing is refused");
      assertEquals(TRANSFERS, load.applied.sum());
      assertEquals(TRANSFERS, load.appliedInWindow.sum());
      assertEquals(TRANSFERS, load.latency().count(), "every send is measured from its intended time");
      assertEquals(TRANSFERS, load.latency().serviceMicros().getTotalCount());

      ((PgLedger) ledger).awaitProjected().toCompletableFuture().get(60, TimeUnit.SECONDS); // the tables caught up
      long[] kinds = countKinds(); // singles, reservations, closes (by the bench's references)
      assertEquals(TRANSFERS, kinds[0] + kinds[1] + kinds[2]);
      assertTrue(kinds[2] <= kinds[1], "a close needs an answered reservation: " + kinds[1] + " / " + kinds[2]);
      // unclosed at the end: reservations still in flight (at most 64) and answered ones no slot was left for
      assertTrue(kinds[1] - kinds[2] <= 2 * 64, "every answered reservation is closed by a later slot: " + kinds[1] + " / " + kinds[2]);
      assertTrue(kinds[0] > 0 && kinds[1] > kinds[0],
          "cycles start with a reservation 80% of the time: " + kinds[0] + " singles, " + kinds[1] + " reservations");
    }
  }

  private static long[] countKinds() throws Exception {
    Database.ConnectionInfo c = db.connection();
    try (var connection = DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
         ResultSet rs = connection.createStatement().executeQuery("SELECT count(*) FILTER (WHERE reference = 'single'),"
             + " count(*) FILTER (WHERE reference = 'reserve'), count(*) FILTER (WHERE reference IN ('post', 'void'))"
             + " FROM ledger.transfer")) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2), rs.getLong(3)};
    }
  }
}
