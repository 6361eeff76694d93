package dev.mileage.points.ledger;

import java.time.Instant;
import java.util.Objects;

/**
 * A transfer as the ledger stored it. For POST_PENDING and VOID_PENDING transfers the account ids are
 * those of the reservation, never 0. {@code timestamp} is the engine's clock at commit, unique and
 * increasing, and is the key histories are paged by.
 */
public record TransferRecord(Transfer transfer, Instant timestamp) {
  public TransferRecord {
    Objects.requireNonNull(transfer, "transfer");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
