package dev.mileage.bench.ledger;

import dev.mileage.points.engine.BatchOutcome;
import dev.mileage.points.engine.LedgerEngine;
import dev.mileage.points.engine.MemoryState;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * The in-memory engine alone: the same workload mix applied in full batches to committed in-memory state
 * (apply, verify, commit), no I/O, on one thread, as the durable writer runs it: one request per transfer
 * (as {@link DurableLoad}'s clients submit them), every request of a batch through
 * {@link LedgerEngine#applyAll}, then {@link BatchOutcome#verify()}. Transfers are generated before the
 * clock starts (callers build them, not the writer). CPU is counted twice: this thread alone, and the
 * whole process (garbage collection and compilation included).
 */
final class EngineBench {
  /** Transfers per generated round; rounds repeat until the time or count bound. */
  static final int ROUND_TRANSFERS = 1_000_000;

  /** {@code cpuSeconds}: this thread's CPU time, which other processes on a shared machine do not inflate. */
  record Result(long transfers, long applied, double seconds, double cpuSeconds, double processCpuSeconds,
                long allocatedBytes) {
    double perSecond() {
      return transfers / seconds;
    }

    double perCpuSecond() {
      return cpuSeconds <= 0 ? 0 : transfers / cpuSeconds;
    }

    double perProcessCpuSecond() {
      return processCpuSeconds <= 0 ? 0 : transfers / processCpuSeconds;
    }

    double allocatedBytesPerTransfer() {
      return transfers == 0 ? 0 : allocatedBytes / (double) transfers;
    }
  }

  private EngineBench() {
  }

  static Result run(int accounts, double seconds, long transfersMax, int batchTransfers) {
    MemoryState state = new MemoryState((int) Math.min(1 << 23, transfersMax + ROUND_TRANSFERS));
    long issuer = state.open("operator", StandardPointTypes.MILEAGE, AccountFlags.NONE).id();
    long[] customers = new long[accounts];
    for (int i = 0; i < accounts; i++) {
      customers[i] = state.open("member:" + i, StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS).id();
    }
    LedgerEngine engine = new LedgerEngine(Clock.systemUTC(), 0);
    SplittableRandom random = new SplittableRandom(1);
    List<Transfer> funding = new ArrayList<>();
    for (long c : customers) funding.add(Transfer.single(Transfer.idOf("fund:" + c), issuer, c, 1_000_000_000L, 0, "fund"));
    for (int i = 0; i < funding.size(); i += Ledger.BATCH_MAX) {
      state.commit(engine.apply(state, funding.subList(i, Math.min(funding.size(), i + Ledger.BATCH_MAX)), List.of()));
    }
    // warm-up round, not measured
    apply(engine, state, requests(generate(random, customers, ROUND_TRANSFERS / 4, batchTransfers)));
    long transfers = 0;
    long applied = 0;
    long elapsedNanos = 0;
    long cpuNanos = 0;
    long processCpuNanos = 0;
    long allocated = 0;
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    long boundNanos = (long) (seconds * 1e9);
    while (elapsedNanos < boundNanos && transfers < transfersMax) {
      List<List<List<Transfer>>> batches = requests(generate(random, customers, ROUND_TRANSFERS, batchTransfers));
      System.gc(); // the generated round's garbage is not the engine's: collect it outside the window
      long start = System.nanoTime();
      long cpuStart = threads.getCurrentThreadCpuTime();
      long processCpuStart = os.getProcessCpuTime();
      long allocatedStart = threads.getCurrentThreadAllocatedBytes();
      long[] counts = apply(engine, state, batches);
      elapsedNanos += System.nanoTime() - start;
      cpuNanos += threads.getCurrentThreadCpuTime() - cpuStart;
      processCpuNanos += os.getProcessCpuTime() - processCpuStart;
      allocated += threads.getCurrentThreadAllocatedBytes() - allocatedStart;
      transfers += counts[0];
      applied += counts[1];
    }
    return new Result(transfers, applied, elapsedNanos / 1e9, cpuNanos / 1e9, processCpuNanos / 1e9, allocated);
  }

  /** Each transfer its own request, as the durable load submits them. */
  private static List<List<List<Transfer>>> requests(List<List<Transfer>> batches) {
    List<List<List<Transfer>>> requests = new ArrayList<>(batches.size());
    for (List<Transfer> batch : batches) {
      List<List<Transfer>> batchRequests = new ArrayList<>(batch.size());
      for (Transfer t : batch) batchRequests.add(List.of(t));
      requests.add(batchRequests);
    }
    return requests;
  }

  private static long[] apply(LedgerEngine engine, MemoryState state, List<List<List<Transfer>>> batches) {
    long transfers = 0;
    long applied = 0;
    for (List<List<Transfer>> batch : batches) {
      BatchOutcome outcome = engine.applyAll(state, batch, List.of());
      state.commit(outcome); // verifies the outcome first, as the store does before writing
      List<TransferResult> results = outcome.results();
      transfers += results.size();
      for (int i = 0, n = results.size(); i < n; i++) if (results.get(i) == TransferResult.OK) applied++;
    }
    return new long[] {transfers, applied};
  }

  /**
   * 80% of transfers belong to reserve-then-post/void cycles (the post or void lands in the batch after
   * its reservation, as it would in a live system), 20% are single transfers.
   */
  static List<List<Transfer>> generate(SplittableRandom random, long[] customers, int transfers, int batchTransfers) {
    List<List<Transfer>> batches = new ArrayList<>();
    List<Transfer> batch = new ArrayList<>(batchTransfers);
    List<Transfer> settleNext = new ArrayList<>();
    int made = 0;
    while (made < transfers) {
      if (batch.size() >= batchTransfers - 1) {
        batches.add(batch);
        batch = new ArrayList<>(batchTransfers);
        batch.addAll(settleNext);
        made += settleNext.size();
        settleNext.clear();
      }
      long a = customers[random.nextInt(customers.length)];
      long b = customers[random.nextInt(customers.length)];
      if (a == b) continue;
      if (random.nextInt(10) < 2) {
        batch.add(Transfer.single(new UUID(random.nextLong(), random.nextLong()), a, b, 1 + random.nextInt(100), 0, "single"));
        made++;
      } else {
        UUID hold = new UUID(random.nextLong(), random.nextLong());
        long amount = 1 + random.nextInt(100);
        batch.add(Transfer.reserve(hold, a, b, amount, 60, 100, "reserve"));
        settleNext.add(random.nextInt(4) == 0 ? Transfer.voidPending(new UUID(random.nextLong(), random.nextLong()), hold, 100, "void")
            : Transfer.post(new UUID(random.nextLong(), random.nextLong()), hold, 1 + random.nextLong(amount), 100, "post"));
        made++;
      }
    }
    batch.addAll(settleNext);
    batches.add(batch);
    return batches;
  }
}
