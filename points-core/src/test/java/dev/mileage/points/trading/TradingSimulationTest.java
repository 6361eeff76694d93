package dev.mileage.points.trading;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.LedgerOptions;
import dev.mileage.points.ledger.ManagedLedger;
import dev.mileage.points.store.Database;
import dev.mileage.points.store.PgLedger;
import dev.mileage.points.testing.MutableClock;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import static dev.mileage.points.trading.TradingFixture.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded workload of thousands of orders from many members over three books, submitted concurrently,
 * through a ledger that loses answers after commit. An auditor recomputes every member's balance from
 * the fills; each point type's total is conserved apart from fees, escrow ends empty, no hold is left
 * and no balance is negative. A failing seed is a regression test: add it to SEEDS.
 */
class TradingSimulationTest {
  static final long[] SEEDS = {42};
  static final int MEMBERS = 12;
  static final int COMMANDS = 2_000;
  static final int CONCURRENT = 25;
  static final long FUNDING = 10_000;
  static final int[] TYPES = {A, B, C};

  @TempDir
  static Path dataDir;
  static Database db;
  static Vertx vertx;

  @BeforeAll
  static void startDatabase() throws Exception {
    db = Database.embedded(dataDir);
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    vertx.close().await();
    db.close();
  }

  @Test
  void conservesEveryPointTypeApartFromFees() {
    for (long seed : SEEDS) run(seed);
  }

  private void run(long seed) {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
    try (ManagedLedger ledger = await(PgLedger.start(vertx, db,
        LedgerOptions.DEFAULTS.withExpirySweepInterval(Duration.ofHours(1)), clock))) {
      LostAnswerLedger lossy = new LostAnswerLedger(ledger, 37);
      TradingDesk desk = new TradingDesk(lossy, clock, TradingOptions.DEFAULTS.withFeeBasisPoints(30));
      Random random = new Random(seed);
      List<String> members = new ArrayList<>();
      Map<String, Long> expected = new HashMap<>();
      for (int m = 0; m < MEMBERS; m++) {
        String owner = "member:sim" + seed + ":" + m;
        members.add(owner);
        for (int type : TYPES) {
          fund(ledger, owner, type, FUNDING);
          expected.put(owner + "/" + type, FUNDING);
        }
      }
      Map<Integer, Long> feesBefore = new HashMap<>();
      for (int type : TYPES) feesBefore.put(type, posted(ledger, TradingDesk.FEE_OWNER, type));

      Map<UUID, String> ownerOf = new HashMap<>();
      List<TradeFill> fills = new ArrayList<>();
      int accepted = 0;
      for (int done = 0; done < COMMANDS; done += CONCURRENT) {
        List<CompletionStage<Placement>> placements = new ArrayList<>();
        List<CompletionStage<CancelResult>> cancels = new ArrayList<>();
        for (int i = 0; i < CONCURRENT; i++) {
          String owner = members.get(random.nextInt(MEMBERS));
          int roll = random.nextInt(100);
          if (roll < 12) {
            List<OrderView> mine = desk.ordersOf(owner).stream().filter(o -> o.status().open()).toList();
            if (!mine.isEmpty()) cancels.add(desk.cancel(owner, mine.get(random.nextInt(mine.size())).id()));
          } else if (roll < 15) {
            desk.expireDue();
          } else {
            int sell = TYPES[random.nextInt(3)];
            int buy = TYPES[(indexOf(sell) + 1 + random.nextInt(2)) % 3];
            long amount = 1 + random.nextInt(800);
            long want = Math.max(1, amount * (80 + random.nextInt(41)) / 100);
            placements.add(desk.place(new OrderRequest(owner, sell, amount, buy, want, 30 + random.nextInt(600))));
          }
        }
        for (CompletionStage<Placement> p : placements) {
          Placement placement = await(p);
          if (placement.result().accepted()) {
            accepted++;
            ownerOf.put(placement.order().id(), placement.order().owner());
          }
          fills.addAll(placement.fills());
        }
        for (CompletionStage<CancelResult> c : cancels) assertTrue(await(c) != CancelResult.BUSY);
        clock.advance(Duration.ofSeconds(random.nextInt(6)));
      }
      // Commands run in arrival order: awaiting one more waits for every earlier one (unawaited expiries too).
      await(desk.expireDue());
      // Close everything: what is left open is cancelled; then no hold may remain anywhere.
      for (String owner : members) {
        for (OrderView o : desk.ordersOf(owner)) {
          if (o.status().open()) assertEquals(CancelResult.CANCELLED, await(desk.cancel(owner, o.id())));
        }
      }

      Map<Integer, Long> feesTaken = new HashMap<>();
      for (TradeFill f : fills) {
        String maker = ownerOf.get(f.makerOrder());
        String taker = ownerOf.get(f.takerOrder());
        expected.merge(maker + "/" + f.makerSellType(), -f.makerGives(), Long::sum);
        expected.merge(maker + "/" + f.takerSellType(), f.takerGives() - f.makerFee(), Long::sum);
        expected.merge(taker + "/" + f.takerSellType(), -f.takerGives(), Long::sum);
        expected.merge(taker + "/" + f.makerSellType(), f.makerGives() - f.takerFee(), Long::sum);
        feesTaken.merge(f.takerSellType(), f.makerFee(), Long::sum);
        feesTaken.merge(f.makerSellType(), f.takerFee(), Long::sum);
      }
      assertTrue(accepted > COMMANDS / 2, "most orders accepted: " + accepted);
      assertTrue(fills.size() > 300, "the workload trades: " + fills.size());
      assertTrue(lossy.lost.get() > 20, "answers were lost and retried: " + lossy.lost.get());
      for (int type : TYPES) {
        long total = 0;
        for (String owner : members) {
          Account a = account(ledger, owner, type);
          assertEquals(0, a.debitsPending(), "no hold left: " + owner);
          assertTrue(a.available() >= 0, "never negative: " + owner);
          assertEquals(expected.get(owner + "/" + type), a.posted(), "auditor agrees: " + owner + "/" + type);
          total += a.posted();
        }
        long fees = posted(ledger, TradingDesk.FEE_OWNER, type) - feesBefore.get(type);
        assertEquals(feesTaken.getOrDefault(type, 0L), fees, "fees of type " + type);
        assertEquals(MEMBERS * FUNDING, total + fees, "type " + type + " conserved apart from fees");
        Account escrow = account(ledger, TradingDesk.ESCROW_OWNER, type);
        assertEquals(0, escrow.posted(), "escrow ends empty");
        assertEquals(0, escrow.creditsPending());
      }
    }
  }

  private static int indexOf(int type) {
    for (int i = 0; i < TYPES.length; i++) if (TYPES[i] == type) return i;
    throw new IllegalArgumentException();
  }
}
