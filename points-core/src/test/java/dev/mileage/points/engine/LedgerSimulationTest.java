package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.Auditor;
import dev.mileage.points.testing.Journal;
import dev.mileage.points.testing.MutableClock;
import dev.mileage.points.testing.Workload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded random workloads through the engine, checked after every batch against the {@link Auditor}
 * and against the journal. A failing seed prints itself; add it to {@link #regressions(long)}.
 * Explore more seeds with {@code -Dledger.simulation.seeds=N -Dledger.simulation.firstSeed=S}.
 */
class LedgerSimulationTest {
  static final int BATCHES = 400;
  static final int BATCH_SIZE_MAX = 40;
  static final int TYPES = 2;
  static final int CUSTOMERS_PER_TYPE = 12;

  @Test
  void randomSeeds() {
    long first = Long.getLong("ledger.simulation.firstSeed", 1);
    int seeds = Integer.getInteger("ledger.simulation.seeds", 5);
    for (long seed = first; seed < first + seeds; seed++) run(seed);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 42, 7_777_777})
  void regressions(long seed) {
    run(seed);
  }

  static void run(long seed) {
    try {
      Map<TransferResult, Integer> seen = simulate(seed);
      System.out.println("seed " + seed + ": " + seen);
      assertTrue(seen.get(TransferResult.OK) > 1000, "the workload moves points: " + seen);
      assertTrue(seen.containsKey(TransferResult.PENDING_TRANSFER_EXPIRED), "expiries happen: " + seen);
      assertTrue(seen.containsKey(TransferResult.LINKED_EVENT_FAILED), "chains fail: " + seen);
      assertTrue(seen.containsKey(TransferResult.EXISTS), "duplicates happen: " + seen);
    } catch (AssertionError | RuntimeException e) {
      System.err.println("LEDGER SIMULATION FAILED: seed=" + seed + " (add it to LedgerSimulationTest.regressions)");
      fail("simulation seed " + seed + " failed: " + e.getMessage(), e);
    }
  }

  static Map<TransferResult, Integer> simulate(long seed) {
    MutableClock clock = new MutableClock(Instant.parse("2026-11-23T00:00:00Z"));
    MemoryState state = new MemoryState();
    LedgerEngine engine = new LedgerEngine(clock, 0);
    Auditor auditor = new Auditor();
    long[] issuers = new long[TYPES];
    long[][] customers = new long[TYPES][CUSTOMERS_PER_TYPE];
    List<Account> all = new ArrayList<>();
    for (int type = 0; type < TYPES; type++) {
      Account issuer = state.open("operator", StandardPointTypes.MILEAGE + type, AccountFlags.NONE);
      issuers[type] = issuer.id();
      all.add(issuer);
      for (int c = 0; c < CUSTOMERS_PER_TYPE; c++) {
        Account a = state.open("member:" + c, StandardPointTypes.MILEAGE + type,
            AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS);
        customers[type][c] = a.id();
        all.add(a);
      }
    }
    all.forEach(auditor::open);
    Workload workload = new Workload(seed, customers, issuers, "sim:" + seed);
    Map<TransferResult, Integer> seen = new EnumMap<>(TransferResult.class);
    for (int b = 0; b < BATCHES; b++) {
      if (workload.random().nextInt(4) == 0) clock.advance(Duration.ofMillis(workload.random().nextInt(3000)));
      List<Transfer> batch = workload.batch(1 + workload.random().nextInt(BATCH_SIZE_MAX));
      List<UUID> sweep = workload.random().nextInt(10) == 0 ? state.due(engine.nowMicros(), 1000) : List.of();
      long now = Micros.of(clock.instant());
      BatchOutcome outcome = engine.apply(state, batch, sweep);
      state.commit(outcome);
      List<TransferResult> expected = auditor.apply(batch, sweep, now);
      for (int i = 0; i < batch.size(); i++) {
        if (!expected.get(i).equals(outcome.results().get(i))) {
          fail("batch " + b + " transfer " + i + " " + batch.get(i) + ": auditor " + expected.get(i) + ", engine "
              + outcome.results().get(i));
        }
        seen.merge(outcome.results().get(i), 1, Integer::sum);
      }
      for (Account a : state.accounts()) {
        assertTrue(auditor.accounts.get(a.id()).matches(a), "batch " + b + ": " + a + " vs " + auditor.accounts.get(a.id()));
        BatchOutcome.checkLimits(a);
      }
      for (TransferRecord r : outcome.inserted()) {
        assertEquals(auditor.timestamps.get(r.transfer().id()), Micros.of(r.timestamp()), "timestamps");
        assertEquals(auditor.stored.get(r.transfer().id()), r.transfer(), "stored as the auditor expects");
      }
    }
    assertEquals(auditor.stored.size(), state.transfers().size());
    Map<Long, long[]> journal = Journal.recompute(state.transfers().stream().map(TransferRecord::transfer).toList(),
        id -> state.pending(id) != null && state.pending(id).status() == PendingStatus.PENDING);
    long sumPosted = 0;
    for (Account a : state.accounts()) {
      long[] c = journal.getOrDefault(a.id(), new long[4]);
      assertEquals(List.of(c[0], c[1], c[2], c[3]),
          List.of(a.debitsPending(), a.debitsPosted(), a.creditsPending(), a.creditsPosted()),
          "account " + a.id() + " equals the sum of its transfers");
      sumPosted += a.creditsPosted() - a.debitsPosted();
    }
    assertEquals(0, sumPosted, "points are neither created nor lost");
    return seen;
  }
}
