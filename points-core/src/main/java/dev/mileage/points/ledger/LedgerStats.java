package dev.mileage.points.ledger;

/**
 * Counters of the durable ledger for metrics; totals since start.
 *
 * @param batchesCommitted      write transactions committed
 * @param batchesFailed         batches whose commit failed (their callers got a failed stage)
 * @param transfersCommitted    transfers answered after a commit (every result, OK or not)
 * @param reservationsExpired   reservations released by their timeout
 * @param queueDepth            transfers waiting for the writer now
 * @param rejectedQueueFull     submits refused because the queue was full
 * @param commitLatencyMicrosTotal  sum of commit round trips, for an average
 * @param commitLatencyMicrosMax    the slowest commit round trip
 * @param prefetchMicrosTotal       time spent loading what batches needed from cache and database
 * @param applyMicrosTotal          time spent in the engine (apply and verify)
 * @param unprojectedTransfers      committed transfers (durable in the journal) the tables do not show yet
 * @param projectionsFailed         projections (journal to tables) refused or broken off, each retried
 * @param projections               projections committed (each writes the batches committed since the last)
 * @param projectedTransfers        transfers those projections wrote
 * @param projectionMicrosTotal     sum of their round trips (sent to committed)
 */
public record LedgerStats(long batchesCommitted, long batchesFailed, long transfersCommitted,
                          long reservationsExpired, int queueDepth, long rejectedQueueFull,
                          long commitLatencyMicrosTotal, long commitLatencyMicrosMax,
                          long prefetchMicrosTotal, long applyMicrosTotal, int unprojectedTransfers,
                          long projectionsFailed, long projections, long projectedTransfers,
                          long projectionMicrosTotal) {
}
