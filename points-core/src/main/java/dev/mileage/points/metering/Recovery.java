package dev.mileage.points.metering;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferRecord;
import dev.mileage.points.ledger.TransferResult;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Settles the sessions a previous meter left open (a crash, or a close with sessions running). For each
 * checkpoint it asks the ledger which listed reservations were already posted or voided, posts what the
 * last recorded usage still owes, voids every other reservation (and the next chunk numbers, which a
 * renewal may have reserved without its checkpoint) and writes the usage record. Transfer ids are those
 * the live meter uses, so nothing is ever posted twice.
 */
final class Recovery {
  /** Chunk numbers past the checkpoint that are voided blindly (a renewal and its final-grant retry). */
  static final int UNLISTED_CHUNKS_MAX = 2;
  /** Sessions settled per ledger request. */
  static final int SESSIONS_PER_BATCH = Ledger.BATCH_MAX / (SessionCheckpoint.CHUNKS_MAX + UNLISTED_CHUNKS_MAX);

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

  /** What the ledger already did with one listed chunk. */
  private record Known(Optional<TransferRecord> post, Optional<TransferRecord> voided) {
    boolean settled() {
      return post.isPresent() || voided.isPresent();
    }

    long posted() {
      return post.map(r -> r.transfer().amount()).orElse(0L);
    }
  }

  /** The settlement of one session: transfers to send, what each posts, what was posted before. */
  private record Plan(SessionCheckpoint cp, long usedSeconds, long postedBefore, List<Transfer> transfers) {
  }

  private CompletionStage<Integer> settleFrom(List<SessionCheckpoint> all, int from) {
    if (from >= all.size()) return CompletableFuture.completedFuture(all.size());
    List<SessionCheckpoint> batch = all.subList(from, Math.min(all.size(), from + SESSIONS_PER_BATCH));
    List<CompletableFuture<Plan>> plans = new ArrayList<>(batch.size());
    for (SessionCheckpoint cp : batch) plans.add(plan(cp).toCompletableFuture());
    return CompletableFuture.allOf(plans.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      List<Transfer> transfers = new ArrayList<>();
      for (CompletableFuture<Plan> p : plans) transfers.addAll(p.join().transfers());
      CompletionStage<List<TransferResult>> submitted = transfers.isEmpty()
          ? CompletableFuture.completedFuture(List.of()) : ledger.submit(transfers);
      return submitted.thenCompose(results -> {
        List<CompletableFuture<Void>> writes = new ArrayList<>(plans.size());
        int r = 0;
        for (CompletableFuture<Plan> f : plans) {
          Plan plan = f.join();
          long points = plan.postedBefore();
          for (Transfer t : plan.transfers()) {
            TransferResult result = results.get(r++);
            if (t.amount() > 0 && result.applied()) points += t.amount();
            else if (!result.applied() && result != TransferResult.PENDING_TRANSFER_NOT_FOUND
                && result != TransferResult.PENDING_TRANSFER_EXPIRED) {
              DefaultMeter.LOG.log(System.Logger.Level.WARNING, "recovery settlement answered " + result);
            }
          }
          writes.add(store.finish(record(plan.cp(), plan.usedSeconds(), points)).toCompletableFuture());
        }
        return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
      });
    }).thenCompose(v -> settleFrom(all, from + batch.size()));
  }

  private CompletionStage<Plan> plan(SessionCheckpoint cp) {
    List<CompletableFuture<Known>> lookups = new ArrayList<>(cp.chunks().size());
    for (SessionCheckpoint.Chunk c : cp.chunks()) {
      CompletableFuture<Optional<TransferRecord>> post = ledger.transfer(ChargeIds.post(cp.sessionId(), c.number()))
          .toCompletableFuture();
      CompletableFuture<Optional<TransferRecord>> voided = ledger.transfer(ChargeIds.voidOf(cp.sessionId(), c.number()))
          .toCompletableFuture();
      lookups.add(post.thenCombine(voided, Known::new));
    }
    return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<Known> known = lookups.stream().map(CompletableFuture::join).toList();
      long used = usedSeconds(cp);
      long postedBefore = cp.postedPoints();
      for (int i = 0; i < known.size(); i++) {
        SessionCheckpoint.Chunk c = cp.chunks().get(i);
        postedBefore += known.get(i).posted();
        // a renewal posts a chunk in full once the usage passed its end (ended and paused ones know their usage)
        if (cp.state() == SessionState.ACTIVE && known.get(i).posted() == c.amount()) {
          used = Math.max(used, c.endSeconds());
        }
      }
      long rest = Math.max(0, cp.tariff().pointsFor(used) - postedBefore);
      List<Transfer> transfers = new ArrayList<>();
      for (int i = 0; i < known.size(); i++) {
        if (known.get(i).settled()) continue;
        SessionCheckpoint.Chunk c = cp.chunks().get(i);
        long post = c.decided() ? c.postAmount() : Math.min(c.amount(), rest);
        rest = Math.max(0, rest - post);
        transfers.add(ChargeIds.settle(cp.sessionId(), cp.request().service(), c.number(), post));
      }
      for (int n = 0; n < UNLISTED_CHUNKS_MAX; n++) {
        transfers.add(ChargeIds.settle(cp.sessionId(), cp.request().service(), cp.nextChunkNumber() + n, 0));
      }
      return new Plan(cp, used, postedBefore, transfers);
    });
  }

  /** Seconds the recovery bills at least: the last recorded usage, never beyond the confirmed grant. */
  static long usedSeconds(SessionCheckpoint cp) {
    return cp.answeredAt() == null ? 0 : Math.min(cp.usedSeconds(), cp.grantedSeconds());
  }

  private static UsageRecord record(SessionCheckpoint cp, long used, long points) {
    Instant ended = cp.at();
    long duration = cp.answeredAt() == null ? 0
        : Math.max(0, (ended.toEpochMilli() - cp.answeredAt().toEpochMilli() + 999) / 1000);
    AuthorizeRequest q = cp.request();
    return new UsageRecord(cp.sessionId(), q.owner(), q.service(), q.destination(), q.contentKind(), q.contentId(),
        q.reference(), cp.rated(), cp.pointType(), cp.tariff(), cp.authorizedAt(), cp.answeredAt(), ended,
        Math.max(duration, used), used, cp.tariff().billedSeconds(used), points,
        cp.endReason() == null ? EndReason.RECOVERED_AFTER_CRASH : cp.endReason());
  }
}
