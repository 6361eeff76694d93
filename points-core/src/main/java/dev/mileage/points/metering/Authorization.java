package dev.mileage.points.metering;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The answer to {@link Meter#authorize}. When OK, the first grant is already reserved in the ledger and
 * the session waits for {@link Meter#start} (answer) until {@code startBy}; otherwise only
 * {@code result} (and the rating, when there was one) is meaningful.
 *
 * @param sessionId          the meter's id of the session (transfer ids derive from it)
 * @param tariff             the tariff snapshotted for this session, in the paying point type
 * @param balanceBefore      the available balance of the paying account before this session
 * @param maxSeconds         the longest the session could last on that balance (a billing boundary)
 * @param grantedSeconds     seconds of use the first grant covers
 */
public record Authorization(AuthorizeResult result, UUID sessionId, Rating rating, Tariff tariff, int pointType,
                            long balanceBefore, long maxSeconds, long grantedSeconds, Instant startBy) {
  public Authorization {
    Objects.requireNonNull(result, "result");
    if (result == AuthorizeResult.OK) {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(tariff, "tariff");
      Objects.requireNonNull(startBy, "startBy");
      if (grantedSeconds <= 0 || maxSeconds < grantedSeconds) throw new IllegalArgumentException("bad grant");
    }
  }

  public static Authorization refused(AuthorizeResult result, Rating rating) {
    if (result == AuthorizeResult.OK) throw new IllegalArgumentException("OK is not a refusal");
    return new Authorization(result, null, rating, null, 0, 0, 0, 0, null);
  }

  public boolean ok() {
    return result == AuthorizeResult.OK;
  }
}
