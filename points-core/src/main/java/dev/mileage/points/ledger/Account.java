package dev.mileage.points.ledger;

import java.util.Objects;

/**
 * An account's state. The balance is never stored: it is derived from the four counters.
 * Issuance accounts (no flags) may go negative; customer accounts carry
 * {@link AccountFlags#DEBITS_MUST_NOT_EXCEED_CREDITS}.
 *
 * @param owner who the account belongs to, e.g. {@code member:42}, {@code vendor:7}, {@code operator}
 */
public record Account(long id, String owner, int pointType, int flags,
                      long debitsPending, long debitsPosted, long creditsPending, long creditsPosted) {
  public static final int OWNER_LENGTH_MAX = 64;

  public Account {
    Checks.requirePositive(id, "id");
    Objects.requireNonNull(owner, "owner");
    if (owner.isEmpty() || owner.length() > OWNER_LENGTH_MAX) {
      throw new IllegalArgumentException("owner must be 1.." + OWNER_LENGTH_MAX + " characters");
    }
    Checks.requirePositive(pointType, "pointType");
    AccountFlags.requireValid(flags);
    Checks.requireNonNegative(debitsPending, "debitsPending");
    Checks.requireNonNegative(debitsPosted, "debitsPosted");
    Checks.requireNonNegative(creditsPending, "creditsPending");
    Checks.requireNonNegative(creditsPosted, "creditsPosted");
  }

  /** What can be spent now: posted credits less posted and pending debits. */
  public long available() {
    return creditsPosted - debitsPosted - debitsPending;
  }

  /** The posted balance, ignoring reservations. */
  public long posted() {
    return creditsPosted - debitsPosted;
  }

  public boolean has(int flag) {
    return (flags & flag) == flag;
  }
}
