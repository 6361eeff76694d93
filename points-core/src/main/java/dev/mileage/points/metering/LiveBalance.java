package dev.mileage.points.metering;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A session's balance at {@code at}, computed on demand (nothing is stored per second).
 *
 * @param balanceBefore    the paying account's available balance before the session
 * @param usedSeconds      metered seconds so far (pauses excluded)
 * @param usedPoints       what stopping now would bill (increments and minimum charge applied)
 * @param remainingPoints  balanceBefore - usedPoints
 * @param remainingSeconds seconds until the session must end at this balance: exact once the final
 *                         unit is granted, an estimate from balanceBefore before that
 * @param finalUnit        the last grant is in use: the session ends at {@code endsAt}
 * @param endsAt           the exact instant the session will be ended, or null while not known
 */
public record LiveBalance(UUID sessionId, String owner, ServiceKind service, String destination,
                          ContentKind contentKind, SessionState state, int pointType, long balanceBefore,
                          long usedSeconds, long usedPoints, long remainingPoints, long remainingSeconds,
                          boolean finalUnit, Instant endsAt, Instant at) {
  public LiveBalance {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(at, "at");
    if (usedSeconds < 0 || usedPoints < 0 || remainingSeconds < 0) throw new IllegalArgumentException("negative");
  }
}
