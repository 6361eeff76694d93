package dev.mileage.points.metering;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Settles the sessions a previous meter left open (a crash, or a close with sessions running): from
 * each checkpoint's last recorded usage it posts the used amount, voids every other reservation the
 * checkpoint lists and writes the usage record. Transfer ids are those the live meter would have used,
 * so a settlement that had already reached the ledger answers EXISTS and is never billed twice.
 */
final class Recovery {
  /** Sessions settled per ledger request (each lists at most CHUNKS_MAX reservations). */
  static final int SESSIONS_PER_BATCH = Ledger.BATCH_MAX / SessionCheckpoint.CHUNKS_MAX;

  private final Ledger ledger;
  private final MeterStore store;

  Recovery(Ledger ledger, MeterStore store) {
    this.ledger = ledger;
    this.store = store;
  }

  /** Completes with the number of sessions settled. */
  CompletionStage<Integer> run() {
    return store.openCheckpoints().thenCompose(checkpoints -> settleFrom(checkpoints, 0));
  }

  private CompletionStage<Integer> settleFrom(List<SessionCheckpoint> all, int from) {
    if (from >= all.size()) return CompletableFuture.completedFuture(all.size());
    List<SessionCheckpoint> batch = all.subList(from, Math.min(all.size(), from + SESSIONS_PER_BATCH));
    List<Transfer> transfers = new ArrayList<>();
    List<long[]> amounts = new ArrayList<>(); // per session: the post amount of each listed chunk
    for (SessionCheckpoint cp : batch) {
      long[] posts = decide(cp);
      amounts.add(posts);
      for (int i = 0; i < posts.length; i++) {
        transfers.add(ChargeIds.settle(cp.sessionId(), cp.request().service(), cp.chunks().get(i).number(), posts[i]));
      }
    }
    CompletionStage<List<TransferResult>> submitted = transfers.isEmpty()
        ? CompletableFuture.completedFuture(List.of()) : ledger.submit(transfers);
    return submitted.thenCompose(results -> {
      List<CompletableFuture<Void>> writes = new ArrayList<>(batch.size());
      int r = 0;
      for (int k = 0; k < batch.size(); k++) {
        SessionCheckpoint cp = batch.get(k);
        long points = cp.postedPoints();
        long[] posts = amounts.get(k);
        for (long post : posts) {
          TransferResult result = results.get(r++);
          if (post > 0 && result.applied()) points += post;
          else if (!result.applied() && result != TransferResult.PENDING_TRANSFER_NOT_FOUND
              && result != TransferResult.PENDING_TRANSFER_EXPIRED) {
            DefaultMeter.LOG.log(System.Logger.Level.WARNING, "recovery settlement answered " + result);
          }
        }
        writes.add(store.finish(record(cp, points)).toCompletableFuture());
      }
      return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
    }).thenCompose(v -> settleFrom(all, from + batch.size()));
  }

  /** Seconds the recovery bills: the last recorded usage, never beyond the confirmed grant. */
  static long usedSeconds(SessionCheckpoint cp) {
    return cp.answeredAt() == null ? 0 : Math.min(cp.usedSeconds(), cp.grantedSeconds());
  }

  /** Decided chunks keep their decision; the others share what the recorded usage still owes, in order. */
  static long[] decide(SessionCheckpoint cp) {
    long rest = Math.max(0, cp.tariff().pointsFor(usedSeconds(cp)) - cp.postedPoints());
    long[] posts = new long[cp.chunks().size()];
    for (int i = 0; i < posts.length; i++) {
      SessionCheckpoint.Chunk c = cp.chunks().get(i);
      posts[i] = c.decided() ? c.postAmount() : Math.min(c.amount(), rest);
      rest = Math.max(0, rest - posts[i]);
    }
    return posts;
  }

  private static UsageRecord record(SessionCheckpoint cp, long points) {
    long used = usedSeconds(cp);
    Instant ended = cp.at();
    long duration = cp.answeredAt() == null ? 0
        : Math.max(0, (ended.toEpochMilli() - cp.answeredAt().toEpochMilli() + 999) / 1000);
    AuthorizeRequest q = cp.request();
    return new UsageRecord(cp.sessionId(), q.owner(), q.service(), q.destination(), q.contentKind(), q.contentId(),
        q.reference(), cp.rated(), cp.pointType(), cp.tariff(), cp.authorizedAt(), cp.answeredAt(), ended, duration,
        used, cp.tariff().billedSeconds(used), points,
        cp.endReason() == null ? EndReason.RECOVERED_AFTER_CRASH : cp.endReason());
  }
}
