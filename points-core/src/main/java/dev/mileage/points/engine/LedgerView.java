package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.TransferRecord;

import java.util.UUID;

/**
 * The committed state the engine reads a batch against. The store's implementation holds exactly what
 * was prefetched for the batch and fails loudly (a bug) when asked for anything else.
 */
public interface LedgerView {
  /** The account, or null when it does not exist. */
  Account account(long accountId);

  /** The stored transfer with this id, or null. */
  TransferRecord transfer(java.util.UUID transferId);

  /** The reservation made by the PENDING transfer with this id, or null. */
  PendingState pending(UUID pendingId);
}
