/**
 * PostgreSQL storage. {@link dev.mileage.points.store.Database} starts or reaches the server and runs each feature's
 * Flyway migrations; {@link dev.mileage.points.store.PgLedger} is the durable {@code Ledger}.
 *
 * <p>How a batch becomes durable: one writer (a Vert.x verticle) drains the bounded queue, prefetches what the batch
 * needs (Caffeine cache hits, misses in {@code = ANY($1)} queries), applies it in the engine, verifies the
 * invariants, and writes it with ONE statement (UNNEST arrays; transfers appended, accounts updated only if unchanged
 * since they were read, reservations created or closed, the writer row advanced by one batch). Only after that
 * statement commits are the caches updated and the callers answered, on completion threads. If the write fails the
 * working copy is dropped; if the connection broke mid-commit, the writer ends its old backend and reads the writer
 * row to learn whether the batch committed before answering. Nothing is kept in memory that the database does not
 * have, so re-opening after a crash loads everything from the database.
 */
package dev.mileage.points.store;
