package dev.mileage.points.metering;

/**
 * Told what the meter decides on its own. Called on the meter's thread: hop to your own context and
 * return quickly. A B2BUA ends both legs in {@link #ended} when the reason is not its own doing.
 */
public interface SessionListener {
  SessionListener NONE = new SessionListener() {
  };

  /**
   * The meter has decided the session ends now (exhaustion at the exact second, renewal failure, answer
   * or pause timeout, or a stop): hang up now; the settlement and {@link #ended} follow.
   */
  default void ending(java.util.UUID sessionId, EndReason reason) {
  }

  /** The final grant is in use: the session will be ended at {@code live.endsAt()} exactly. */
  default void finalUnit(LiveBalance live) {
  }

  /** The session ended (by a stop, exhaustion, a renewal failure or a timeout); its record is written. */
  default void ended(UsageRecord record) {
  }
}
