package dev.mileage.points.metering;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Where the meter keeps session checkpoints and usage records (PostgreSQL schema {@code metering} in
 * production, see {@code metering.store.PgMeterStore}). Implementations batch writes and are thread safe.
 */
public interface MeterStore {
  /** Replaces the session's checkpoint; durable when the stage completes. */
  CompletionStage<Void> save(SessionCheckpoint checkpoint);

  /** Replaces the checkpoints of several sessions (one tick's renewals); durable when the stage completes. */
  default CompletionStage<Void> saveAll(List<SessionCheckpoint> checkpoints) {
    java.util.concurrent.CompletableFuture<?>[] saves = new java.util.concurrent.CompletableFuture<?>[checkpoints.size()];
    for (int i = 0; i < saves.length; i++) saves[i] = save(checkpoints.get(i)).toCompletableFuture();
    return java.util.concurrent.CompletableFuture.allOf(saves);
  }

  /** Removes the checkpoint of a session that never got its first reservation. */
  CompletionStage<Void> discard(UUID sessionId);

  /** Every checkpoint left by a meter that did not finish its sessions. */
  CompletionStage<List<SessionCheckpoint>> openCheckpoints();

  /** Writes the usage record and removes the checkpoint in one transaction; a second write changes nothing. */
  CompletionStage<Void> finish(UsageRecord record);

  CompletionStage<List<UsageRecord>> usage(UsageQuery query);

  CompletionStage<Optional<UsageRecord>> usageOf(UUID sessionId);
}
