package dev.mileage.points.ledger;

/** Bit flags of an {@link Account}. */
public final class AccountFlags {
  public static final int NONE = 0;
  /** Customer and vendor holdings: the balance can never go below zero (pending debits included). */
  public static final int DEBITS_MUST_NOT_EXCEED_CREDITS = 1;
  /** Liability-style accounts that may never hold more than was taken from them. */
  public static final int CREDITS_MUST_NOT_EXCEED_DEBITS = 1 << 1;
  public static final int ALL = DEBITS_MUST_NOT_EXCEED_CREDITS | CREDITS_MUST_NOT_EXCEED_DEBITS;

  private AccountFlags() {
  }

  public static int requireValid(int flags) {
    if ((flags & ~ALL) != 0) throw new IllegalArgumentException("unknown account flags: " + flags);
    if ((flags & ALL) == ALL) throw new IllegalArgumentException("account flags are mutually exclusive");
    return flags;
  }
}
