package dev.mileage.gateway.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of metered streams, with defaults in {@link #defaults()}.
 *
 * @param linkIdle         a stream link not used (nor refreshed by its member's player) for this long stops working
 * @param stallTimeout     a playing stream with no bytes delivered and no heartbeat from its player for this
 *                         long is paused (the member's connection stalled or the page went away)
 * @param leadSeconds      how far ahead of the metered time the server delivers media (the player's buffer)
 * @param softwareBytesPerSecond the transfer rate of software downloads, metered by transfer time
 * @param pumpInterval     how often paced deliveries are topped up
 * @param endedRetention   how long an ended stream is remembered (its link answers 410, not 404)
 */
public record StreamsOptions(Duration linkIdle, Duration stallTimeout, int leadSeconds, long softwareBytesPerSecond,
                             Duration pumpInterval, Duration endedRetention) {
  /** Streams open at once in the gateway (bounds memory); the meter bounds each member to a few. */
  public static final int SESSIONS_MAX = 10_000;
  /** Range responses one stream may have open at once (a player uses one or two). */
  public static final int DELIVERIES_PER_SESSION_MAX = 4;
  /**
   * What a browser's player reads of timed media before it starts playing: Chromium holds a WAV file at
   * "nothing loaded" with under about 260 KiB (measured), so twice that. Delivered at the start even when
   * more than the lead, never more than the balance pays for.
   */
  public static final long START_BYTES_MIN = 512 * 1024;
  /** Range requests that jump (seeks) per stream: each starts with a lead's worth of bytes. */
  public static final int SEEKS_PER_SESSION_MAX = 200;

  public StreamsOptions {
    positive(linkIdle, "linkIdle");
    positive(stallTimeout, "stallTimeout");
    positive(pumpInterval, "pumpInterval");
    positive(endedRetention, "endedRetention");
    if (leadSeconds < 1 || leadSeconds > 60) throw new IllegalArgumentException("leadSeconds 1..60");
    if (softwareBytesPerSecond < 1024) throw new IllegalArgumentException("softwareBytesPerSecond at least 1024");
  }

  public static StreamsOptions defaults() {
    return new StreamsOptions(Duration.ofSeconds(60), Duration.ofSeconds(20), 6, 256 * 1024,
        Duration.ofMillis(200), Duration.ofMinutes(10));
  }

  public StreamsOptions withStallTimeout(Duration value) {
    return new StreamsOptions(linkIdle, value, leadSeconds, softwareBytesPerSecond, pumpInterval, endedRetention);
  }

  public StreamsOptions withSoftwareBytesPerSecond(long value) {
    return new StreamsOptions(linkIdle, stallTimeout, leadSeconds, value, pumpInterval, endedRetention);
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
  }
}
