package dev.mileage.points.ledger;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the durable ledger, with named defaults.
 *
 * @param batchTransfersMax    transfers written in one transaction at most
 * @param queueTransfersMax    transfers waiting for the writer at most; past it submit fails at once
 * @param accountCacheMax      committed accounts (and reservations) kept in memory
 * @param expirySweepInterval  how often expired reservations are released by the engine's clock
 * @param poolSize             PostgreSQL connections
 * @param leaseWait            how long a start waits for another writer of the same database to let go (a restart
 *                             that overlaps the old process) before it refuses; zero: one try
 */
public record LedgerOptions(int batchTransfersMax, int queueTransfersMax, int accountCacheMax,
                            Duration expirySweepInterval, int poolSize, Duration leaseWait) {
  public static final int BATCH_TRANSFERS_MAX_DEFAULT = 8190;
  public static final int QUEUE_TRANSFERS_MAX_DEFAULT = 200_000;
  public static final int ACCOUNT_CACHE_MAX_DEFAULT = 100_000;
  public static final Duration EXPIRY_SWEEP_INTERVAL_DEFAULT = Duration.ofSeconds(1);
  public static final int POOL_SIZE_DEFAULT = 4;
  public static final Duration LEASE_WAIT_DEFAULT = Duration.ofSeconds(10);

  public static final LedgerOptions DEFAULTS = new LedgerOptions(BATCH_TRANSFERS_MAX_DEFAULT,
      QUEUE_TRANSFERS_MAX_DEFAULT, ACCOUNT_CACHE_MAX_DEFAULT, EXPIRY_SWEEP_INTERVAL_DEFAULT, POOL_SIZE_DEFAULT,
      LEASE_WAIT_DEFAULT);

  public LedgerOptions {
    Checks.requirePositive(batchTransfersMax, "batchTransfersMax");
    if (batchTransfersMax < Ledger.BATCH_MAX) {
      throw new IllegalArgumentException("batchTransfersMax must hold one full submit: >= " + Ledger.BATCH_MAX);
    }
    Checks.requirePositive(queueTransfersMax, "queueTransfersMax");
    Checks.requirePositive(accountCacheMax, "accountCacheMax");
    Objects.requireNonNull(expirySweepInterval, "expirySweepInterval");
    if (expirySweepInterval.isNegative() || expirySweepInterval.isZero()) {
      throw new IllegalArgumentException("expirySweepInterval must be positive");
    }
    Checks.requirePositive(poolSize, "poolSize");
    Objects.requireNonNull(leaseWait, "leaseWait");
    if (leaseWait.isNegative()) throw new IllegalArgumentException("leaseWait must not be negative");
  }

  public LedgerOptions withBatchTransfersMax(int value) {
    return new LedgerOptions(value, queueTransfersMax, accountCacheMax, expirySweepInterval, poolSize, leaseWait);
  }

  public LedgerOptions withQueueTransfersMax(int value) {
    return new LedgerOptions(batchTransfersMax, value, accountCacheMax, expirySweepInterval, poolSize, leaseWait);
  }

  public LedgerOptions withAccountCacheMax(int value) {
    return new LedgerOptions(batchTransfersMax, queueTransfersMax, value, expirySweepInterval, poolSize, leaseWait);
  }

  public LedgerOptions withExpirySweepInterval(Duration value) {
    return new LedgerOptions(batchTransfersMax, queueTransfersMax, accountCacheMax, value, poolSize, leaseWait);
  }

  public LedgerOptions withPoolSize(int value) {
    return new LedgerOptions(batchTransfersMax, queueTransfersMax, accountCacheMax, expirySweepInterval, value,
        leaseWait);
  }

  public LedgerOptions withLeaseWait(Duration value) {
    return new LedgerOptions(batchTransfersMax, queueTransfersMax, accountCacheMax, expirySweepInterval, poolSize,
        value);
  }
}
