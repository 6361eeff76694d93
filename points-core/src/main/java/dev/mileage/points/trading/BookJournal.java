package dev.mileage.points.trading;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the desk writes its orders so a restart keeps the open ones. The desk writes a new order before its
 * ledger hold exists and every changed order at the end of each command; on start it reconciles what the
 * journal says with the ledger (see {@link TradingDesk#restore}), so a crash between the two is harmless.
 */
public interface BookJournal {
  BookJournal NONE = orders -> CompletableFuture.completedFuture(null);

  /** Upserts these orders (open or closed) by id; closed ones may be dropped by the implementation. */
  CompletionStage<Void> save(List<OrderSnapshot> orders);
}
