package dev.mileage.points.ledger;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One page of an account's history, newest first. {@code next} is the timestamp to pass as
 * {@code before} for the following page, or null when there is none.
 */
public record HistoryPage(List<TransferRecord> transfers, Instant next) {
  public static final int LIMIT_MAX = 500;

  public HistoryPage {
    transfers = List.copyOf(Objects.requireNonNull(transfers, "transfers"));
  }
}
