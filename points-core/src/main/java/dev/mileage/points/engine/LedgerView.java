package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import dev.mileage.points.ledger.Transfer;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The committed state the engine reads a batch against. The store's implementation holds exactly what
 * was prefetched for the batch and fails loudly (a bug) when asked for anything else.
 */
public interface LedgerView {
  /** The account, or null when it does not exist. */
  Account account(long accountId);

  /** The stored transfer with this id, or null. */
  TransferRecord transfer(UUID transferId);

  /** The reservation made by the PENDING transfer with this id, or null. */
  PendingState pending(UUID pendingId);

  /**
   * A hint before the engine reads a batch: the view may bring what the batch will read into the CPU's
   * caches (the in-memory state does, in tight passes whose memory loads overlap instead of following one
   * another). Answers nothing and changes nothing; the store's view holds just the batch and needs none.
   */
  default void preload(List<List<Transfer>> requests, Collection<UUID> expiryCandidates) {
  }
}
