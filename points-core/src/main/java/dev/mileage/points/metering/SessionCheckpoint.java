package dev.mileage.points.metering;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * What the meter persists about an open session, so a restarted meter can settle it: written before
 * every reservation and every settlement is sent to the ledger, so each pending transfer the session
 * may hold is listed here, with the amount to post when it was already decided.
 *
 * @param state          AUTHORIZED, ACTIVE or PAUSED while open; ENDED while its settlement is under way
 * @param endReason      set when {@code state == ENDED}
 * @param usedSeconds    metered seconds at {@code at} (the last recorded usage)
 * @param grantedSeconds confirmed grant: posted + reserved points equal the tariff's price of it
 * @param postedPoints   points already posted (chunks settled and no longer listed)
 * @param chunks         reservations not yet known settled, in order
 */
public record SessionCheckpoint(UUID sessionId, AuthorizeRequest request, String rated, Tariff tariff, int pointType,
                                long debitAccountId, long creditAccountId, long balanceBefore, SessionState state,
                                EndReason endReason, Instant authorizedAt, Instant answeredAt, Instant at,
                                long usedSeconds, long grantedSeconds, long postedPoints, List<Chunk> chunks) {
  /** Reservations listed at most: a session holds the chunk in use and the next one. */
  public static final int CHUNKS_MAX = 8;

  /**
   * One reservation.
   *
   * @param number     chunk number within the session; transfer ids derive from it
   * @param amount     points reserved
   * @param postAmount decided settlement: -1 open, 0 void, otherwise the amount to post
   */
  public record Chunk(int number, long amount, long postAmount) {
    public Chunk {
      if (number < 1) throw new IllegalArgumentException("chunk number starts at 1");
      if (amount < 1) throw new IllegalArgumentException("chunk amount must be positive");
      if (postAmount < -1 || postAmount > amount) throw new IllegalArgumentException("bad post amount");
    }

    public boolean decided() {
      return postAmount >= 0;
    }
  }

  public SessionCheckpoint {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(request, "request");
    rated = rated == null ? "" : rated;
    Objects.requireNonNull(tariff, "tariff");
    Objects.requireNonNull(state, "state");
    if ((state == SessionState.ENDED) != (endReason != null)) throw new IllegalArgumentException("reason iff ended");
    Objects.requireNonNull(authorizedAt, "authorizedAt");
    Objects.requireNonNull(at, "at");
    chunks = List.copyOf(chunks);
    if (chunks.size() > CHUNKS_MAX) throw new IllegalArgumentException("too many chunks");
    if (usedSeconds < 0 || grantedSeconds < 0 || postedPoints < 0) throw new IllegalArgumentException("negative");
  }
}
