/**
 * The ledger's rules, in memory and deterministic (TigerBeetle's model): {@link dev.mileage.points.engine.LedgerEngine}
 * applies a batch of transfers to a {@link dev.mileage.points.engine.LedgerView} of committed state through a private
 * working copy and answers a {@link dev.mileage.points.engine.BatchOutcome}; nothing is committed until the caller
 * (the store) has written the outcome. {@link dev.mileage.points.engine.Exchange} builds the linked chain of an
 * exchange between point types. No I/O, no threads; time comes from an injected clock.
 */
package dev.mileage.points.engine;
