package dev.mileage.points.trading;

import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferResult;
import dev.mileage.points.testing.ForwardingLedger;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real ledger whose every {@code every}-th submit is applied and committed but its answer lost (the
 * caller sees a failure), as after a network cut: the desk's retry must answer EXISTS, never settle twice.
 */
final class LostAnswerLedger extends ForwardingLedger {
  private final int every;
  private final AtomicInteger submits = new AtomicInteger();
  final AtomicInteger lost = new AtomicInteger();

  LostAnswerLedger(Ledger real, int every) {
    super(real);
    this.every = every;
  }

  @Override
  public CompletionStage<List<TransferResult>> submit(List<Transfer> transfers) {
    boolean lose = submits.incrementAndGet() % every == 0;
    return real.submit(transfers).thenCompose(results -> {
      if (!lose) return CompletableFuture.completedFuture(results);
      lost.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("test: answer lost after commit"));
    });
  }
}
