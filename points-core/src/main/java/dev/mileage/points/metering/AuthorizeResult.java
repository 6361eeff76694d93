package dev.mileage.points.metering;

/**
 * Why a session was or was not authorized, ordered by precedence. A SIP B2BUA maps these to
 * responses, e.g. INVALID_DESTINATION 484, BLOCKED_DESTINATION 403, NO_TARIFF 404,
 * INSUFFICIENT_BALANCE 402, TOO_MANY_SESSIONS 486, METER_FULL 503.
 */
public enum AuthorizeResult {
  OK,
  INVALID_DESTINATION,
  BLOCKED_DESTINATION,
  NO_TARIFF,
  /** The owner has no account of a paying point type (or not of the one asked for). */
  NO_ACCOUNT,
  /** The owner already has {@code MeterOptions.sessionsPerAccountMax} open sessions. */
  TOO_MANY_SESSIONS,
  /** The meter holds {@code MeterOptions.sessionsMax} sessions: refuse rather than slow down. */
  METER_FULL,
  /** Not even one billing increment (or the minimum charge) is affordable. */
  INSUFFICIENT_BALANCE
}
