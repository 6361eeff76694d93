package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.store.PgMeterStore;
import dev.mileage.points.metering.store.PgTariffs;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.mileage.points.metering.MeterFixture.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Kills a real metering process with SIGKILL mid-call; the next process settles the call once. */
class MeterKillTest {
  static final long FUNDS = 10_000;
  static final long GRANT_SECONDS = 2;
  static final int RENEWALS_BEFORE_KILL = 3;

  @TempDir
  Path dataDir;

  @Test
  void aKilledMeterProcessLeavesNothingReservedAndTheCallIsBilledOnceFromItsLastCheckpoint() throws Exception {
    try (Database db = Database.embedded(dataDir)) {
      db.migrate("metering");
      Vertx vertx = Vertx.vertx();
      Clock clock = Clock.systemUTC();
      Pool pool = pool(vertx, db);
      long memberId;
      try (ManagedLedger ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock))) {
        PgTariffs tariffs = await(PgTariffs.load(pool));
        await(tariffs.putCallRate(CallRate.rated("8201", "1/s", Tariff.of(60, 1, 1, 0))));
        Account issuer = await(ledger.openAccount("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE));
        Account member = await(ledger.openAccount("member:killed", StandardPointTypes.MILEAGE,
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
        memberId = member.id();
        assertTrue(await(ledger.submit(Transfer.single(Transfer.idOf("kill:fund"), issuer.id(), member.id(), FUNDS,
            TransferCodes.OPERATOR_ADJUSTMENT, "funds"))).applied());
      } // this process stops writing: the child is the only writer while it lives

      Database.ConnectionInfo c = db.connection();
      String url = "postgres://" + c.user() + "@" + c.host() + ":" + c.port() + "/" + c.database();
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          MeterChildMain.class.getName(), url, "member:killed", "+820112345").redirectErrorStream(true).start();
      UUID session;
      long answeredMs;
      long killedMs;
      try {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
          try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) lines.add(line);
          } catch (Exception ignored) {
            // the child died
          }
        });
        reader.setDaemon(true);
        reader.start();
        String answered = null;
        int renewals = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (renewals < RENEWALS_BEFORE_KILL && System.nanoTime() < deadline) {
          String line = lines.poll(1, TimeUnit.SECONDS);
          if (line == null) continue;
          if (line.startsWith("ANSWERED ")) answered = line;
          else if (line.equals("RENEWED") && answered != null) renewals++;
        }
        assertNotNull(answered, "the child answered a call");
        assertEquals(RENEWALS_BEFORE_KILL, renewals, "the child renewed its grants");
        String[] parts = answered.split(" ");
        session = UUID.fromString(parts[1]);
        answeredMs = Long.parseLong(parts[2]);
      } finally {
        child.destroyForcibly(); // SIGKILL
        killedMs = System.currentTimeMillis();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS));
      }
      assertEquals(137, child.exitValue(), "killed by SIGKILL");

      try (ManagedLedger ledger = await(PgLedger.start(vertx, db, LedgerOptions.DEFAULTS, clock))) {
        PgMeterStore store = new PgMeterStore(pool);
        PgTariffs tariffs = await(PgTariffs.load(pool));
        try (Meter meter = await(Meters.start(ledger, store, tariffs, MeterOptions.defaults(), clock))) {
          assertEquals(1, meter.stats().recovered());
          UsageRecord r = await(meter.usageOf(session)).orElseThrow();
          assertEquals(EndReason.RECOVERED_AFTER_CRASH, r.reason());
          long talkedSeconds = (killedMs - answeredMs + 999) / 1000;
          assertTrue(r.usedSeconds() >= GRANT_SECONDS, "billed from a checkpoint after renewals: " + r.usedSeconds());
          assertTrue(r.usedSeconds() <= talkedSeconds, "never more than was talked");
          assertTrue(talkedSeconds - r.usedSeconds() <= GRANT_SECONDS + 2,
              "the overrun is about one grant at most: talked " + talkedSeconds + ", billed " + r.usedSeconds());
          assertEquals(r.usedSeconds(), r.points());
          Account after = await(ledger.account(memberId)).orElseThrow();
          assertEquals(0, after.debitsPending(), "nothing stays reserved");
          assertEquals(FUNDS - r.points(), after.available());
        }
        try (Meter again = await(Meters.start(ledger, store, tariffs, MeterOptions.defaults(), clock))) {
          assertEquals(0, again.stats().recovered(), "billed once");
          assertEquals(FUNDS - await(store.usageOf(session)).orElseThrow().points(),
              await(ledger.account(memberId)).orElseThrow().available());
        }
      }
      pool.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static Pool pool(Vertx vertx, Database db) {
    Database.ConnectionInfo c = db.connection();
    return c.pool(vertx, 2);
  }
}
