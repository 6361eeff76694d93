package dev.mileage.points.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The writer's counters; read from any thread for metrics. */
final class LedgerCounters {
  final LongAdder batchesCommitted = new LongAdder();
  final LongAdder batchesFailed = new LongAdder();
  final LongAdder transfersCommitted = new LongAdder();
  final LongAdder reservationsExpired = new LongAdder();
  final LongAdder rejectedQueueFull = new LongAdder();
  final LongAdder commitMicrosTotal = new LongAdder();
  final AtomicLong commitMicrosMax = new AtomicLong();
  final LongAdder prefetchMicrosTotal = new LongAdder();
  final LongAdder applyMicrosTotal = new LongAdder();
  final LongAdder projections = new LongAdder();
  final LongAdder projectionsFailed = new LongAdder();
  final LongAdder projectionMicrosTotal = new LongAdder();
  final LongAdder projectedTransfers = new LongAdder();
  final LongAdder recoveredBatches = new LongAdder();

  void commit(long micros) {
    batchesCommitted.increment();
    commitMicrosTotal.add(micros);
    commitMicrosMax.accumulateAndGet(micros, Math::max);
  }
}
