package dev.mileage.points.engine;

import dev.mileage.points.ledger.Checks;

import java.util.Objects;
import java.util.UUID;

/**
 * A reservation (a PENDING transfer) and what became of it.
 *
 * @param timestampMicros  when the reservation was made (the PENDING transfer's timestamp)
 * @param expiresAtMicros  when it expires by itself, or 0 for never
 */
public record PendingState(UUID id, long debitAccountId, long creditAccountId, long amount, long timestampMicros,
                           long expiresAtMicros, PendingStatus status) {
  public PendingState {
    Objects.requireNonNull(id, "id");
    Checks.requirePositive(debitAccountId, "debitAccountId");
    Checks.requirePositive(creditAccountId, "creditAccountId");
    Checks.requirePositive(amount, "amount");
    Checks.requirePositive(timestampMicros, "timestampMicros");
    Checks.requireNonNegative(expiresAtMicros, "expiresAtMicros");
    Objects.requireNonNull(status, "status");
  }

  /** True when the reservation still holds points but its timeout has passed at {@code nowMicros}. */
  public boolean dueAt(long nowMicros) {
    return status == PendingStatus.PENDING && expiresAtMicros != 0 && expiresAtMicros <= nowMicros;
  }

  public PendingState with(PendingStatus newStatus) {
    return new PendingState(id, debitAccountId, creditAccountId, amount, timestampMicros, expiresAtMicros, newStatus);
  }
}
