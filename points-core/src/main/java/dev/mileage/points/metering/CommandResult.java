package dev.mileage.points.metering;

/** Outcome of {@link Meter#start}, {@link Meter#pause}, {@link Meter#resume} and {@link Meter#stop}. */
public enum CommandResult {
  OK,
  UNKNOWN_SESSION,
  /** E.g. start twice, pause a paused session, resume an active one. */
  WRONG_STATE,
  /** Only streams pause. */
  NOT_PAUSABLE,
  /** The session has ended already (stop answers the existing record with this). */
  ALREADY_ENDED
}
