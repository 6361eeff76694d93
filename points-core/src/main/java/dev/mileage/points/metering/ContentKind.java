package dev.mileage.points.metering;

/** What a metered stream carries; stream tariffs are chosen by it. */
public enum ContentKind {
  VIDEO, MUSIC, VOICE, SOFTWARE, DATABASE
}
