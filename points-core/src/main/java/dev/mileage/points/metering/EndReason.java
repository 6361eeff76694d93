package dev.mileage.points.metering;

/** Why a session ended; kept in its usage record and pushed to the member's live stream. */
public enum EndReason {
  /** The member hung up or stopped the stream. */
  CALLER_HANGUP,
  /** The called party (or the content server) ended it. */
  CALLEE_HANGUP,
  /** Cancelled before the answer: nothing is billed. */
  CANCELLED,
  /** Not answered within {@code MeterOptions.answerTimeout}: nothing is billed. */
  NOT_ANSWERED,
  /** The balance is used up: the meter ended it at the exact second the last grant ran out. */
  BALANCE_EXHAUSTED,
  /** Paused for longer than {@code MeterOptions.pauseMax}. */
  PAUSED_TOO_LONG,
  /** A renewal could not be confirmed in time (ledger unavailable): ended at the granted second. */
  RENEWAL_FAILED,
  /** A signalling or media failure reported by the session's owner (SIP session timer, lost media). */
  ERROR,
  /** An operator ended it. */
  OPERATOR,
  /** The gateway went down during the session; settled at restart from the last checkpoint. */
  RECOVERED_AFTER_CRASH
}
