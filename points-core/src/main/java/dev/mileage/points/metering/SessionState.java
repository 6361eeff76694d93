package dev.mileage.points.metering;

/** AUTHORIZED -> ACTIVE (answer) <-> PAUSED (streams) -> ENDED; AUTHORIZED -> ENDED (never answered). */
public enum SessionState {
  AUTHORIZED, ACTIVE, PAUSED, ENDED
}
