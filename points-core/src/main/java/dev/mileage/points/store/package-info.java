/**
 * PostgreSQL storage. {@link dev.mileage.points.store.Database} starts or reaches the server and runs each feature's
 * Flyway migrations; {@link dev.mileage.points.store.PgLedger} is the durable {@code Ledger}.
 *
 * <p>How a batch becomes durable: one writer (a Vert.x verticle) drains the bounded queue, prefetches what the batch
 * needs (what batches in flight and committed-but-unprojected batches changed, then Caffeine cache hits, then misses
 * in {@code = ANY($1)} queries), applies it in the engine, verifies the invariants, and commits it as ONE journal
 * row (the batch's write set, encoded: transfers, account counters before and after, reservations created or
 * closed) together with the writer row advanced by one batch (the fence). Only after that COMMIT are the caches
 * updated and the callers answered, on completion threads. If the commit fails the working copy is dropped; if the
 * connection broke mid-commit, the writer ends its old backend and reads the writer row to learn whether the batch
 * committed before answering.
 *
 * <p>The tables (transfer, account, pending) are the journal's projection, written in two lanes on more connections:
 * the transfer lane appends the transfer rows (each tagged with its statement's last batch, {@code transfer.batch_seq})
 * on two connections at once, then the state lane writes the same batches' accounts and reservations, advances the one
 * fence ({@code ledger.projection}) and deletes their journal rows; it is sent only for batches whose rows are written.
 * The tables are consistent as of that fence: a SQL reader that sums transfers against account counters takes the rows
 * whose {@code batch_seq} is at most that (or null). An account changed by many batches of a statement is updated once,
 * and a small backlog lingers up to 10 ms for more. Until the state lane has written a batch its effects are in memory
 * ({@code Overlay}), where reads and the next batches find them first; history queries wait for the projection. A
 * failed projection is retried; the journal keeps the batches, and a start projects whatever the journal still holds
 * before taking work, so re-opening after a crash loads everything from the database.
 */
package dev.mileage.points.store;
