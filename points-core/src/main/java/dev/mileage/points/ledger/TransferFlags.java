package dev.mileage.points.ledger;

/** Bit flags of a {@link Transfer}. PENDING, POST_PENDING and VOID_PENDING are mutually exclusive. */
public final class TransferFlags {
  public static final int NONE = 0;
  /** This transfer and the next one succeed or fail together; the last of a chain does not carry it. */
  public static final int LINKED = 1;
  /** Reserve the amount: counted in the pending counters until posted, voided or expired. */
  public static final int PENDING = 1 << 1;
  /** Post all or part of the reservation named by {@code pendingId}; the rest is released. */
  public static final int POST_PENDING = 1 << 2;
  /** Release the reservation named by {@code pendingId}. */
  public static final int VOID_PENDING = 1 << 3;
  public static final int ALL = LINKED | PENDING | POST_PENDING | VOID_PENDING;

  private TransferFlags() {
  }

  public static boolean has(int flags, int flag) {
    return (flags & flag) == flag;
  }
}
