package dev.mileage.points.metering;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The online-charging meter shared by calls and streams (the quota model of RFC 4006/8506, 3GPP Ro):
 * authorize and reserve a first grant, start at answer, renew grants before they run out, tell the
 * session its final unit, and on stop post exactly the used amount (rounded by the tariff's increments),
 * void the rest and write the usage record.
 *
 * <p>A call's life as a SIP B2BUA drives it: INVITE -> {@link #authorize} (refuse with the result) ->
 * INVITE the trunk -> 200 OK -> {@link #start} -> BYE/CANCEL -> {@link #stop}. The meter ends a session
 * itself on exhaustion (at the exact second), renewal failure or answer timeout, and tells the
 * {@link SessionListener} given to authorize, which then ends both legs.
 *
 * <p>Thread safe; answers complete on the meter's thread, so callers hop to their own context.
 * Business outcomes are result enums; a stage that fails means a bug or a broken dependency (the
 * ledger or the database), in which case the session keeps its reservation and the meter retries.
 */
public interface Meter extends AutoCloseable {
  /** Rates, checks limits and balance, reserves the first grant. */
  CompletionStage<Authorization> authorize(AuthorizeRequest request, SessionListener listener);

  /** The session was answered: metering starts now. */
  CompletionStage<CommandResult> start(UUID sessionId);

  /** Streams only: no time is metered (nor reserved) while paused. */
  CompletionStage<CommandResult> pause(UUID sessionId);

  /**
   * Pauses like {@link #pause(UUID)}, but the running time is metered only up to {@code usedUntil} (never after
   * now): a stream paused because its player went silent is not metered for the time it took to notice.
   */
  CompletionStage<CommandResult> pause(UUID sessionId, java.time.Instant usedUntil);

  CompletionStage<CommandResult> resume(UUID sessionId);

  /** Ends the session: posts what was used, voids the rest, writes the usage record. Idempotent. */
  CompletionStage<StopOutcome> stop(UUID sessionId, EndReason reason);

  /**
   * Ends the session like {@link #stop(UUID, EndReason)}, but bills its time only up to {@code usedUntil}: a
   * session ended because its media was lost is not billed for the time it took to notice. {@code usedUntil}
   * after now counts as now; before the answer, nothing is billed.
   */
  CompletionStage<StopOutcome> stop(UUID sessionId, EndReason reason, java.time.Instant usedUntil);

  /** The balance of an open session now, computed on demand; empty when unknown or ended. */
  Optional<LiveBalance> live(UUID sessionId);

  /** The open sessions of an owner (at most {@link MeterOptions#sessionsPerAccountMax()} per account). */
  List<LiveBalance> liveOf(String owner);

  /**
   * Tells {@code listener} about every final unit and end of {@code owner}'s sessions (the live
   * stream of a member's page). Close the returned handle to stop.
   */
  AutoCloseable watch(String owner, SessionListener listener);

  /** Usage records, newest first. */
  CompletionStage<List<UsageRecord>> usage(UsageQuery query);

  CompletionStage<Optional<UsageRecord>> usageOf(UUID sessionId);

  /** The tariff book new sessions are rated against. */
  Tariffs tariffs();

  /**
   * Runs the timers that are due by the injected clock; the returned stage completes when the work they
   * started (renewals, ends) has been answered. With {@link MeterOptions#autoTick()} the meter calls this
   * itself every {@link MeterOptions#tick()}; tests leave it off, advance their clock and call it.
   */
  CompletionStage<Void> tick();

  MeterStats stats();

  /**
   * Stops the timers. Open sessions keep their checkpoints and reservations: the next meter on the same
   * database settles them at start (as after a crash).
   */
  @Override
  void close();
}
