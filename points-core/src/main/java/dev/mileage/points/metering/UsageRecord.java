package dev.mileage.points.metering;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The usage record (CDR) written when a session ends.
 *
 * @param destination    CALL: the dialled E.164 number; STREAM: empty
 * @param contentKind    STREAM: the content kind; CALL: null
 * @param rated          the matched prefix or kind, and its label
 * @param answeredAt     null when never answered
 * @param durationSeconds wall seconds from answer to end (0 when not answered)
 * @param usedSeconds    metered seconds (pauses excluded)
 * @param billedSeconds  usedSeconds rounded up by the tariff's increments
 * @param points         points posted to the operator
 */
public record UsageRecord(UUID sessionId, String owner, ServiceKind service, String destination,
                          ContentKind contentKind, String contentId, String reference, String rated, int pointType,
                          Tariff tariff, Instant authorizedAt, Instant answeredAt, Instant endedAt,
                          long durationSeconds, long usedSeconds, long billedSeconds, long points, EndReason reason) {
  public UsageRecord {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(service, "service");
    destination = destination == null ? "" : destination;
    contentId = contentId == null ? "" : contentId;
    reference = reference == null ? "" : reference;
    rated = rated == null ? "" : rated;
    Objects.requireNonNull(tariff, "tariff");
    Objects.requireNonNull(authorizedAt, "authorizedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    Objects.requireNonNull(reason, "reason");
    if (durationSeconds < 0 || usedSeconds < 0 || billedSeconds < usedSeconds || points < 0) {
      throw new IllegalArgumentException("inconsistent usage figures");
    }
  }
}
