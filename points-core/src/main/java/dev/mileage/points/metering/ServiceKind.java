package dev.mileage.points.metering;

/** What a session meters: a phone call (rated by destination) or a content stream (rated by kind). */
public enum ServiceKind {
  CALL, STREAM
}
