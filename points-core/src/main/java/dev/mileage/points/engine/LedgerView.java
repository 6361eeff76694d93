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
   * Hints before the engine reads a batch: the view may bring what the engine is about to read into the
   * CPU's caches (the in-memory state does, in tight passes whose memory loads overlap instead of
   * following one another). They answer nothing and change nothing; the store's view holds just the
   * batch and needs none. The engine gives them a window of requests at a time, a little ahead of where
   * it reads, so what they bring in is still cached (and its pages still in the TLB) when it is read.
   */
  default void preloadExpiryCandidates(Collection<UUID> pendingIds) {
  }

  /** The reservations named by POST_PENDING/VOID_PENDING transfers of requests [fromRequest, toRequest). */
  default void preloadReservations(List<List<Transfer>> requests, int fromRequest, int toRequest) {
  }

  /** The ids of the transfers of requests [fromRequest, toRequest) (looked up for idempotency). */
  default void preloadTransfers(List<List<Transfer>> requests, int fromRequest, int toRequest) {
  }
}
