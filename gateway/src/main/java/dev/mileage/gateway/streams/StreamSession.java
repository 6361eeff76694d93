package dev.mileage.gateway.streams;

import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.UsageRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One member's stream of one item: its link (an unguessable token bound to the member), the player's
 * state as the server sees it, and the deliveries in flight. The meter owns the money; this owns the
 * bytes. Guarded by its own monitor: HTTP handlers, the meter's notices and the pump touch it.
 */
final class StreamSession {
  enum State { READY, PLAYING, PAUSED, ENDED }

  final UUID id;
  final String owner;
  final Item item;
  final String token;
  final long createdAtMs;
  State state = State.READY;
  /** Why the last pause happened: the player paused, or nothing moved for the stall timeout. */
  boolean stalled;
  long linkExpiresAtMs;
  long lastActivityMs;
  final List<Delivery> deliveries = new ArrayList<>(StreamsOptions.DELIVERIES_PER_SESSION_MAX);
  // the byte window: from where the player last jumped to, and the metered time then
  long anchorOffset;
  long anchorUsedMs;
  long deliveredEnd;
  int seeks;
  /** Metered milliseconds as last read from the meter (kept when the meter forgets the session). */
  long usedMs;
  /** The metered time the balance pays for, once the meter grants the final unit; unbounded before. */
  long paidMs = Long.MAX_VALUE;
  EndReason endReason;
  long endedAtMs;
  UsageRecord record;

  StreamSession(UUID id, String owner, Item item, String token, long nowMs, long linkIdleMs) {
    this.id = id;
    this.owner = owner;
    this.item = item;
    this.token = token;
    this.createdAtMs = nowMs;
    this.linkExpiresAtMs = nowMs + linkIdleMs;
    this.lastActivityMs = nowMs;
    this.anchorOffset = item.headerBytes(); // the media's first second starts after the container header
    this.deliveredEnd = item.headerBytes();
  }

  synchronized boolean ended() {
    return state == State.ENDED;
  }

  /** The member's own use keeps the link alive; a copied link never can (it needs the member's session). */
  synchronized void touch(long nowMs, long linkIdleMs) {
    lastActivityMs = Math.max(lastActivityMs, nowMs);
    linkExpiresAtMs = Math.max(linkExpiresAtMs, nowMs + linkIdleMs);
  }

  /** Marks the end and answers the deliveries to cut (the caller cuts them outside the monitor). */
  synchronized List<Delivery> end(EndReason reason, long nowMs) {
    if (state != State.ENDED) {
      state = State.ENDED;
      endReason = reason;
      endedAtMs = nowMs;
    }
    List<Delivery> cut = new ArrayList<>(deliveries);
    deliveries.clear();
    return cut;
  }

  /** Bytes per second of media: the item's average for timed media, the transfer rate for software. */
  long bytesPerSecond(long softwareBytesPerSecond) {
    if (!item.timed()) return softwareBytesPerSecond;
    long media = Math.max(1, item.sizeBytes() - item.headerBytes());
    return Math.max(1, media / Math.max(1, item.durationSeconds()));
  }

  /**
   * The end (exclusive) of the bytes the member may have now: the header, then from where the player
   * last jumped to, the metered time since then plus a lead of {@code leadSeconds}.
   */
  synchronized long allowedEnd(long bytesPerSecond, int leadSeconds, long startBytesMin) {
    // the lead never reaches past what the balance pays for: at exhaustion the player has nothing more
    long leadMs = Math.min(leadSeconds * 1000L, Math.max(0, paidMs - usedMs));
    long lead = bytesPerSecond * leadMs / 1000;
    long fromAnchor = anchorOffset + lead + bytesPerSecond * Math.max(0, usedMs - anchorUsedMs) / 1000;
    long paidBytes = paidMs == Long.MAX_VALUE ? Long.MAX_VALUE : bytesPerSecond * paidMs / 1000;
    // a player reads a minimum before it can start at all (Chromium reads 256 KiB of a WAV file)
    long start = item.headerBytes() + Math.max(lead, Math.min(startBytesMin, paidBytes));
    return Math.min(item.sizeBytes(), Math.max(start, fromAnchor));
  }

  /**
   * The meter's view now: {@code usedSeconds} metered, and when the final unit is granted, how much of
   * it is left ({@code endsInMs} while playing, else {@code remainingSeconds}).
   */
  synchronized void metered(long usedSeconds, boolean finalUnit, Long endsInMs, long remainingSeconds) {
    long used = usedSeconds * 1000;
    if (finalUnit) {
      long paid = endsInMs != null ? used + endsInMs : used + remainingSeconds * 1000;
      paidMs = Math.max(0, paid);
      used = Math.min(used, paidMs);
    }
    usedMs = Math.max(usedMs, used);
  }

  /** A request starting at {@code start}: a jump moves the window there. Answers false past the seek limit. */
  synchronized boolean startAt(long start, long bytesPerSecond, int leadSeconds) {
    long slack = bytesPerSecond * leadSeconds;
    boolean contiguous = start >= anchorOffset && start <= deliveredEnd + slack;
    if (contiguous || start < item.headerBytes()) return true;
    if (++seeks > StreamsOptions.SEEKS_PER_SESSION_MAX) return false;
    anchorOffset = start;
    anchorUsedMs = usedMs;
    deliveredEnd = start;
    return true;
  }

  synchronized void delivered(long endExclusive, long nowMs) {
    deliveredEnd = Math.max(deliveredEnd, endExclusive);
    lastActivityMs = Math.max(lastActivityMs, nowMs);
  }
}
