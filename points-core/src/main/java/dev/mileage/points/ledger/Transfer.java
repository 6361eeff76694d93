package dev.mileage.points.ledger;

import java.util.UUID;

/**
 * An immutable movement of points from one account to another of the same point type.
 *
 * <p>{@code id} is the caller's idempotency key: submitting the same transfer again answers
 * {@link TransferResult#EXISTS}; a different transfer with the same id answers an
 * {@code EXISTS_WITH_DIFFERENT_*} result. Derive ids from business keys with {@link #idOf(String)}
 * (e.g. {@code "order:812:mileage"}), so a retry after a time-out can never move points twice.
 *
 * <p>Structural problems (null id, negative amount, unknown flag bits) are programming errors and throw;
 * every business outcome, including contradictory flags, is a {@link TransferResult}.
 *
 * @param debitAccountId   for POST_PENDING/VOID_PENDING: 0 (taken from the reservation) or the same
 * @param creditAccountId  likewise
 * @param amount           points; for POST_PENDING the amount to post (at most the reserved amount, the
 *                         rest is released), for VOID_PENDING 0 or the reserved amount
 * @param pendingId        for POST_PENDING/VOID_PENDING: the id of the PENDING transfer; otherwise null
 * @param timeoutSeconds   for PENDING: seconds until the reservation expires by itself (0 = never)
 * @param code             business code of the movement (see {@link TransferCodes})
 * @param reference        free text a person can read in a history: an order, a call, a trade
 */
public record Transfer(UUID id, long debitAccountId, long creditAccountId, long amount, UUID pendingId,
                       int timeoutSeconds, int code, String reference, int flags) {
  public static final int REFERENCE_LENGTH_MAX = 128;

  public Transfer {
    java.util.Objects.requireNonNull(id, "id");
    Checks.requireNonNegative(debitAccountId, "debitAccountId");
    Checks.requireNonNegative(creditAccountId, "creditAccountId");
    Checks.requireNonNegative(amount, "amount");
    Checks.requireNonNegative(timeoutSeconds, "timeoutSeconds");
    Checks.requireNonNegative(code, "code");
    reference = reference == null ? "" : reference;
    if ((flags & ~TransferFlags.ALL) != 0) throw new IllegalArgumentException("unknown transfer flags: " + flags);
  }

  /** A stable id from a business key: the same key always gives the same id. */
  public static UUID idOf(String businessKey) {
    return UUID.nameUUIDFromBytes(businessKey.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  public static Transfer single(UUID id, long debit, long credit, long amount, int code, String reference) {
    return new Transfer(id, debit, credit, amount, null, 0, code, reference, TransferFlags.NONE);
  }

  public static Transfer reserve(UUID id, long debit, long credit, long amount, int timeoutSeconds, int code,
                                 String reference) {
    return new Transfer(id, debit, credit, amount, null, timeoutSeconds, code, reference, TransferFlags.PENDING);
  }

  public static Transfer post(UUID id, UUID pendingId, long amount, int code, String reference) {
    return new Transfer(id, 0, 0, amount, pendingId, 0, code, reference, TransferFlags.POST_PENDING);
  }

  public static Transfer voidPending(UUID id, UUID pendingId, int code, String reference) {
    return new Transfer(id, 0, 0, 0, pendingId, 0, code, reference, TransferFlags.VOID_PENDING);
  }

  /** The same transfer with the LINKED flag set, for building chains. */
  public Transfer linked() {
    return new Transfer(id, debitAccountId, creditAccountId, amount, pendingId, timeoutSeconds, code, reference,
        flags | TransferFlags.LINKED);
  }

  public boolean has(int flag) {
    return TransferFlags.has(flags, flag);
  }
}
