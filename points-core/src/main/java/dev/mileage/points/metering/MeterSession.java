package dev.mileage.points.metering;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One session's mutable state. Only the meter's thread writes it; {@link #view} is the immutable,
 * volatile snapshot other threads read to compute the live balance on demand.
 */
final class MeterSession {
  /** A reservation of the session: {@code endSeconds} is the grant it extends the session to. */
  static final class Chunk {
    final int number;
    final long amount;
    final long endSeconds;
    boolean confirmed;
    long postAmount = -1;

    Chunk(int number, long amount, long endSeconds) {
      this.number = number;
      this.amount = amount;
      this.endSeconds = endSeconds;
    }

    SessionCheckpoint.Chunk checkpoint() {
      return new SessionCheckpoint.Chunk(number, amount, endSeconds, postAmount);
    }
  }

  /** What other threads see. */
  record View(SessionState state, long usedMsBefore, long runStartMs, long grantedSeconds, boolean finalUnit) {
  }

  final UUID id;
  final AuthorizeRequest request;
  final SessionListener listener;
  final String rated;
  final Tariff tariff;
  final int pointType;
  final long debitAccountId;
  final long creditAccountId;
  final long balanceBefore;
  final long authorizedAtMs;

  SessionState state = SessionState.AUTHORIZED;
  long answeredAtMs = -1;
  long usedMsBefore;
  long runStartMs;
  long pausedAtMs;
  long grantedSeconds;
  long postedPoints;
  /** Decided posts whose reservation had expired: not charged, never to be decided again. */
  long lostPoints;
  final List<Chunk> chunks = new ArrayList<>(4);
  int nextChunkNumber = 1;
  boolean finalUnit;
  /** A ledger request of this session is in flight: settlements wait for it. */
  boolean busy;
  boolean renewing;
  // the renewal in flight: the chunks it posts (reused), the chunk it reserves, when it is due
  final List<Chunk> renewPosting = new ArrayList<>(2);
  Chunk renewChunk;
  long renewDueMs;
  // where the time of the renewal in flight goes (measurement only, see MeterObserver#renewalSplit)
  long renewWheelMicros;
  long renewFiredNanos;
  long renewSentNanos;
  long backoffUntilMs;
  boolean pauseSettled = true;
  // ending
  EndReason endReason;
  long endUsedMs;
  long endedAtMs;
  int settleAttempts;
  CompletableFuture<StopOutcome> ended;
  /** The session's one timer, rescheduled again and again (no allocation per renewal). */
  final TimingWheel.Timer<MeterSession> timer = new TimingWheel.Timer<>(this);
  volatile View view;

  MeterSession(UUID id, AuthorizeRequest request, SessionListener listener, String rated, Tariff tariff,
               int pointType, long debitAccountId, long creditAccountId, long balanceBefore, long authorizedAtMs) {
    this.id = id;
    this.request = request;
    this.listener = listener;
    this.rated = rated;
    this.tariff = tariff;
    this.pointType = pointType;
    this.debitAccountId = debitAccountId;
    this.creditAccountId = creditAccountId;
    this.balanceBefore = balanceBefore;
    this.authorizedAtMs = authorizedAtMs;
    publish();
  }

  boolean ending() {
    return endReason != null;
  }

  void publish() {
    view = new View(state, usedMsBefore, runStartMs, grantedSeconds, finalUnit);
  }

  static long usedMs(View v, long nowMs) {
    return v.state() == SessionState.ACTIVE ? v.usedMsBefore() + Math.max(0, nowMs - v.runStartMs()) : v.usedMsBefore();
  }

  long usedMs(long nowMs) {
    return state == SessionState.ACTIVE ? usedMsBefore + Math.max(0, nowMs - runStartMs) : usedMsBefore;
  }

  /** The wall instant at which the metered time reaches {@code usedMs} (ACTIVE only). */
  long wallAt(long usedMs) {
    return runStartMs + (usedMs - usedMsBefore);
  }

  /** Started seconds count whole, as telecom rounds; never beyond what was granted. */
  long billableSeconds(long usedMs) {
    return Math.min((usedMs + 999) / 1000, grantedSeconds);
  }

  long reservedPoints() {
    long sum = 0;
    for (Chunk c : chunks) if (c.confirmed) sum += c.amount;
    return sum;
  }

  LiveBalance live(View v, long nowMs) {
    long usedSeconds = (usedMs(v, nowMs) + 999) / 1000;
    long usedPoints = tariff.pointsFor(usedSeconds);
    long remainingSeconds;
    Instant endsAt = null;
    if (v.finalUnit()) {
      remainingSeconds = Math.max(0, v.grantedSeconds() - usedSeconds);
      if (v.state() == SessionState.ACTIVE) endsAt = Instant.ofEpochMilli(v.runStartMs() + v.grantedSeconds() * 1000 - v.usedMsBefore());
    } else {
      remainingSeconds = Math.max(0, tariff.maxSecondsFor(balanceBefore) - usedSeconds);
    }
    return new LiveBalance(id, request.owner(), request.service(), request.destination(), request.contentKind(),
        v.state(), pointType, balanceBefore, usedSeconds, usedPoints, balanceBefore - usedPoints, remainingSeconds,
        v.finalUnit(), endsAt, Instant.ofEpochMilli(nowMs));
  }

  SessionCheckpoint checkpoint(long nowMs) {
    List<SessionCheckpoint.Chunk> list = new ArrayList<>(chunks.size());
    for (Chunk c : chunks) list.add(c.checkpoint());
    long used = ending() ? Math.min((endUsedMs + 999) / 1000, grantedSeconds) : billableSeconds(usedMs(nowMs));
    return new SessionCheckpoint(id, request, rated, tariff, pointType, debitAccountId, creditAccountId, balanceBefore,
        ending() ? SessionState.ENDED : state, endReason, Instant.ofEpochMilli(authorizedAtMs),
        answeredAtMs < 0 ? null : Instant.ofEpochMilli(answeredAtMs), Instant.ofEpochMilli(nowMs), used,
        grantedSeconds, postedPoints, list, nextChunkNumber);
  }
}
