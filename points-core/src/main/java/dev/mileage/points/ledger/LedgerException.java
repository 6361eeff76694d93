package dev.mileage.points.ledger;

/**
 * Why a ledger stage completed exceptionally when the cause is not a bug. Except for
 * {@link Reason#OUTCOME_UNKNOWN}, nothing of the request was applied. In every case the caller may retry
 * with the same transfer ids: what was applied answers EXISTS.
 */
public final class LedgerException extends RuntimeException {
  public enum Reason {
    /** The writer's queue is full ({@link LedgerOptions#queueTransfersMax()}): back off and retry. */
    QUEUE_FULL,
    /** The database failed before or while writing; the batch is known not to have committed. */
    STORE_FAILED,
    /** The database went away during the commit and could not be asked in time whether it committed. */
    OUTCOME_UNKNOWN,
    /** The ledger is closed. */
    CLOSED,
    /**
     * The ledger stopped writing for good: another writer wrote to its database while it was cut off from it, so
     * what it holds in memory is stale. Nothing was applied, reads are refused too; the ledger must be started again.
     */
    STOPPED
  }

  private final Reason reason;

  public LedgerException(Reason reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
