package dev.mileage.points.engine;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;

import java.util.Objects;

/** An account as the batch found it and as the batch leaves it (the store checks {@code before} is current). */
public record AccountChange(Account before, Account after) {
  public AccountChange {
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
    if (before.id() != after.id() || before.flags() != after.flags() || before.pointType() != after.pointType()
        || !before.owner().equals(after.owner())) {
      Checks.invariant(false, "an account change keeps identity", before.id()); // boxes only on failure
    }
  }
}
