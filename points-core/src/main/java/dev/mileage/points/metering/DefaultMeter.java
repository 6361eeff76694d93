package dev.mileage.points.metering;

import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.Checks;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.TransferResult;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The meter: public commands, the session registry, the timing wheel and its thread. Grants and
 * settlements are in {@link Charging}. Every mutation runs on one thread ({@link #executor}); ledger and
 * store answers hop back to it.
 */
final class DefaultMeter implements Meter {
  static final System.Logger LOG = System.getLogger("dev.mileage.points.metering");
  /** Buckets of the timing wheel: 4096 x 10 ms covers 41 s, about one grant. */
  static final int WHEEL_SLOTS = 4096;
  static final int WATCHERS_PER_OWNER_MAX = 8;

  final Ledger ledger;
  final MeterStore store;
  final Tariffs tariffs;
  final MeterOptions options;
  final Clock clock;
  final MeterObserver observer;
  final ExecutorService executor;
  final TimingWheel<MeterSession> wheel;
  final Charging charging;
  final RenewalBatch renewalBatch;
  final Map<UUID, MeterSession> sessions = new ConcurrentHashMap<>();
  final Map<String, Set<MeterSession>> byOwner = new ConcurrentHashMap<>();
  /** Sessions per owner including those being authorized (meter thread only). */
  final Map<String, Integer> ownerSlots = new HashMap<>();
  final Map<String, List<SessionListener>> watchers = new ConcurrentHashMap<>();
  private final List<CompletableFuture<Void>> idleWaiters = new ArrayList<>();
  private ScheduledExecutorService ticker;
  private int inFlight;
  /** When the answer now being handled reached this meter, before the hop to its thread (measurement only). */
  long lastAnsweredNanos;
  int authorizing;
  /** The wheel is firing timers: renewals wait for the end of the tick to go out as one batch. */
  boolean advancing;
  volatile boolean closed;
  // counters: written by the meter thread only
  volatile long authorized;
  volatile long refused;
  volatile long renewals;
  volatile long renewalFailures;
  volatile long endedCount;
  volatile long recovered;
  volatile long renewalLagMicrosMax;

  DefaultMeter(Ledger ledger, MeterStore store, Tariffs tariffs, MeterOptions options, Clock clock,
               MeterObserver observer, Map<Integer, Long> cashMicrosByType) {
    this.ledger = ledger;
    this.store = store;
    this.tariffs = tariffs;
    this.options = options;
    this.clock = clock;
    this.observer = observer;
    this.executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "meter");
      t.setDaemon(true);
      return t;
    });
    this.wheel = new TimingWheel<>(options.tick().toMillis(), WHEEL_SLOTS, clock.millis());
    this.charging = new Charging(this, cashMicrosByType);
    this.renewalBatch = new RenewalBatch(this);
  }

  void startTicker() {
    if (!options.autoTick()) return;
    ticker = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "meter-ticker");
      t.setDaemon(true);
      return t;
    });
    long periodMs = options.tick().toMillis();
    ticker.scheduleAtFixedRate(() -> executor.execute(this::advance), periodMs, periodMs, TimeUnit.MILLISECONDS);
  }

  // ---- public commands -------------------------------------------------------------------------

  @Override
  public CompletionStage<Authorization> authorize(AuthorizeRequest request, SessionListener listener) {
    java.util.Objects.requireNonNull(request, "request");
    java.util.Objects.requireNonNull(listener, "listener");
    return onLoop(() -> charging.authorize(request, listener));
  }

  @Override
  public CompletionStage<CommandResult> start(UUID sessionId) {
    long now = clock.millis(); // the moment of the answer, not of processing
    return command(sessionId, s -> {
      if (s.state != SessionState.AUTHORIZED) return CommandResult.WRONG_STATE;
      s.state = SessionState.ACTIVE;
      s.answeredAtMs = now;
      s.runStartMs = now;
      s.publish();
      saveInBackground(s);
      if (s.finalUnit) notifyFinal(s);
      if (!s.busy) reschedule(s);
      return CommandResult.OK;
    });
  }

  @Override
  public CompletionStage<CommandResult> pause(UUID sessionId) {
    long now = clock.millis();
    return pause(sessionId, now, now);
  }

  @Override
  public CompletionStage<CommandResult> pause(UUID sessionId, java.time.Instant usedUntil) {
    java.util.Objects.requireNonNull(usedUntil, "usedUntil");
    long now = clock.millis();
    return pause(sessionId, Math.min(now, usedUntil.toEpochMilli()), now);
  }

  private CompletionStage<CommandResult> pause(UUID sessionId, long usedUntilMs, long now) {
    return command(sessionId, s -> {
      if (s.request.service() != ServiceKind.STREAM) return CommandResult.NOT_PAUSABLE;
      if (s.state != SessionState.ACTIVE) return CommandResult.WRONG_STATE;
      s.usedMsBefore = s.usedMs(usedUntilMs);
      s.state = SessionState.PAUSED;
      s.pausedAtMs = now;
      s.pauseSettled = false;
      s.publish();
      if (!s.busy) charging.settleForPause(s);
      else reschedule(s);
      return CommandResult.OK;
    });
  }

  @Override
  public CompletionStage<CommandResult> resume(UUID sessionId) {
    long now = clock.millis();
    return command(sessionId, s -> {
      if (s.state != SessionState.PAUSED) return CommandResult.WRONG_STATE;
      s.state = SessionState.ACTIVE;
      s.runStartMs = Math.max(now, s.pausedAtMs);
      s.publish();
      if (!s.busy) onTimer(s);
      return CommandResult.OK;
    });
  }

  @Override
  public CompletionStage<StopOutcome> stop(UUID sessionId, EndReason reason) {
    java.util.Objects.requireNonNull(sessionId, "sessionId");
    java.util.Objects.requireNonNull(reason, "reason");
    long now = clock.millis(); // the moment of the hang-up, not of processing
    return stop(sessionId, reason, now, now);
  }

  @Override
  public CompletionStage<StopOutcome> stop(UUID sessionId, EndReason reason, java.time.Instant usedUntil) {
    java.util.Objects.requireNonNull(sessionId, "sessionId");
    java.util.Objects.requireNonNull(reason, "reason");
    java.util.Objects.requireNonNull(usedUntil, "usedUntil");
    long now = clock.millis();
    return stop(sessionId, reason, Math.min(now, usedUntil.toEpochMilli()), now);
  }

  /** Bills the time used until {@code usedUntilMs} (a paused or unanswered session's own rules apply). */
  private CompletionStage<StopOutcome> stop(UUID sessionId, EndReason reason, long usedUntilMs, long now) {
    return onLoop(() -> {
      MeterSession s = sessions.get(sessionId);
      if (s == null) return endedBefore(sessionId);
      if (s.ending()) return s.ended.thenApply(o -> new StopOutcome(CommandResult.ALREADY_ENDED, o.record()));
      end(s, reason, s.state == SessionState.AUTHORIZED ? 0 : s.usedMs(usedUntilMs), now);
      return s.ended;
    });
  }

  @Override
  public Optional<LiveBalance> live(UUID sessionId) {
    MeterSession s = sessions.get(sessionId);
    if (s == null) return Optional.empty();
    MeterSession.View v = s.view;
    if (v.state() == SessionState.ENDED) return Optional.empty();
    return Optional.of(s.live(v, clock.millis()));
  }

  @Override
  public List<LiveBalance> liveOf(String owner) {
    Set<MeterSession> set = byOwner.get(owner);
    if (set == null) return List.of();
    long now = clock.millis();
    List<LiveBalance> out = new ArrayList<>(set.size());
    for (MeterSession s : set) {
      MeterSession.View v = s.view;
      if (v.state() != SessionState.ENDED) out.add(s.live(v, now));
    }
    out.sort(java.util.Comparator.comparing(LiveBalance::sessionId));
    return out;
  }

  @Override
  public AutoCloseable watch(String owner, SessionListener listener) {
    List<SessionListener> list = watchers.computeIfAbsent(owner, o -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      if (list.size() >= WATCHERS_PER_OWNER_MAX) list.remove(0); // the oldest page gives way
      list.add(listener);
    }
    return () -> {
      synchronized (list) {
        list.remove(listener);
      }
    };
  }

  @Override
  public CompletionStage<List<UsageRecord>> usage(UsageQuery query) {
    return store.usage(query);
  }

  @Override
  public CompletionStage<Optional<UsageRecord>> usageOf(UUID sessionId) {
    return store.usageOf(sessionId);
  }

  @Override
  public Tariffs tariffs() {
    return tariffs;
  }

  @Override
  public CompletionStage<Void> tick() {
    return onLoop(() -> {
      advance();
      return idle();
    });
  }

  /** Tests with a held ledger: run the due timers without waiting for idleness. */
  CompletionStage<Void> advanceOnly() {
    return onLoop(() -> {
      advance();
      return CompletableFuture.completedFuture(null);
    });
  }

  /** Ledger and store requests in flight (tests). */
  CompletionStage<Integer> inFlightCount() {
    return onLoop(() -> CompletableFuture.completedFuture(inFlight));
  }

  @Override
  public MeterStats stats() {
    return new MeterStats(sessions.size(), authorized, refused, renewals, renewalFailures, endedCount, recovered,
        renewalLagMicrosMax);
  }

  @Override
  public void close() {
    closed = true;
    if (ticker != null) ticker.shutdownNow();
    executor.shutdown();
  }

  // ---- the loop -----------------------------------------------------------------------------------

  private <T> CompletionStage<T> onLoop(java.util.function.Supplier<CompletionStage<T>> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          work.get().whenComplete((v, e) -> {
            if (e != null) result.completeExceptionally(e);
            else result.complete(v);
          });
        } catch (Throwable t) {
          result.completeExceptionally(t);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(new IllegalStateException("meter closed", e));
    }
    return result;
  }

  private CompletionStage<CommandResult> command(UUID sessionId,
                                                 java.util.function.Function<MeterSession, CommandResult> action) {
    java.util.Objects.requireNonNull(sessionId, "sessionId");
    return onLoop(() -> {
      MeterSession s = sessions.get(sessionId);
      if (s == null) {
        return store.usageOf(sessionId).thenApply(r -> r.isPresent() ? CommandResult.ALREADY_ENDED
            : CommandResult.UNKNOWN_SESSION);
      }
      if (s.ending()) return CompletableFuture.completedFuture(CommandResult.ALREADY_ENDED);
      return CompletableFuture.completedFuture(action.apply(s));
    });
  }

  private CompletionStage<StopOutcome> endedBefore(UUID sessionId) {
    return store.usageOf(sessionId).thenApply(r -> r.map(rec -> new StopOutcome(CommandResult.ALREADY_ENDED, rec))
        .orElseGet(() -> new StopOutcome(CommandResult.UNKNOWN_SESSION, null)));
  }

  /** Runs the due timers (meter thread). */
  void advance() {
    if (closed) return;
    long now = clock.millis();
    advancing = true;
    try {
      wheel.advance(now, this::onTimer);
    } finally {
      advancing = false;
    }
    renewalBatch.flush();
  }

  /** Runs {@code task} on the meter thread after what is queued there (a no-op once closed). */
  void runLater(Runnable task) {
    try {
      executor.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // the meter was closed
    }
  }

  /** Counts work in flight that is not a stage yet (a batch being filled); {@link #release} ends it. */
  void hold() {
    inFlight++;
  }

  void release() {
    inFlight--;
    if (inFlight == 0 && !idleWaiters.isEmpty()) {
      List<CompletableFuture<Void>> waiters = new ArrayList<>(idleWaiters);
      idleWaiters.clear();
      waiters.forEach(w -> w.complete(null));
    }
  }

  /** Completes when no ledger or store request of this meter is in flight (meter thread). */
  CompletionStage<Void> idle() {
    if (inFlight == 0) return CompletableFuture.completedFuture(null);
    CompletableFuture<Void> waiter = new CompletableFuture<>();
    idleWaiters.add(waiter);
    return waiter;
  }

  /** Runs {@code then} on the meter thread when {@code stage} completes, counting it as in flight meanwhile. */
  <T> void async(CompletionStage<T> stage, BiConsumer<T, Throwable> then) {
    inFlight++;
    stage.whenComplete((value, error) -> {
      long answeredNanos = System.nanoTime(); // measurement only: when the answer came, before the hop
      try {
        executor.execute(() -> {
          try {
            lastAnsweredNanos = answeredNanos;
            then.accept(value, error);
          } catch (Throwable bug) {
            LOG.log(System.Logger.Level.ERROR, "metering bug", bug);
          } finally {
            release();
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException closing) {
        // the meter was closed: nobody waits for this answer any more
      }
    });
  }

  void saveInBackground(MeterSession s) {
    long sentNanos = System.nanoTime();
    async(store.save(s.checkpoint(clock.millis())), (v, e) -> {
      if (e != null) LOG.log(System.Logger.Level.WARNING, "checkpoint not saved for a session: " + e);
      else observer.checkpointSaved((lastAnsweredNanos - sentNanos) / 1000);
    });
  }

  // ---- timers ---------------------------------------------------------------------------------------

  void onTimer(MeterSession s) {
    wheel.cancel(s.timer); // when called directly, not by the wheel
    long now = clock.millis();
    if (s.ending()) {
      if (!s.busy) charging.settle(s);
      return;
    }
    long grantedMs = s.grantedSeconds * 1000;
    long graceMs = options.renewalGrace().toMillis();
    if (s.busy) {
      if (s.state == SessionState.ACTIVE && s.renewing && s.usedMs(now) >= grantedMs + graceMs) {
        end(s, EndReason.RENEWAL_FAILED, s.usedMs(now), now);
      } else {
        reschedule(s);
      }
      return;
    }
    switch (s.state) {
      case AUTHORIZED -> {
        if (now >= s.authorizedAtMs + options.answerTimeout().toMillis()) {
          end(s, EndReason.NOT_ANSWERED, 0, now);
          return;
        }
      }
      case PAUSED -> {
        if (now >= s.pausedAtMs + options.pauseMax().toMillis()) {
          end(s, EndReason.PAUSED_TOO_LONG, s.usedMsBefore, now);
          return;
        }
      }
      case ACTIVE -> {
        long used = s.usedMs(now);
        if (s.finalUnit) {
          if (used >= grantedMs) {
            // the exact second the last grant runs out, even when this tick came a little late
            end(s, EndReason.BALANCE_EXHAUSTED, grantedMs, s.wallAt(grantedMs));
            return;
          }
        } else if (used >= grantedMs + graceMs) {
          end(s, EndReason.RENEWAL_FAILED, used, now);
          return;
        } else if (now >= renewAtMs(s) && now >= s.backoffUntilMs) {
          charging.renew(s, s.wallAt(grantedMs - options.renewLeadMs()), Math.max(renewAtMs(s), s.backoffUntilMs));
          return;
        }
      }
      default -> throw new IllegalStateException("timer of an ended session");
    }
    reschedule(s);
  }

  void reschedule(MeterSession s) {
    wheel.cancel(s.timer);
    if (s.ending()) return;
    long deadline;
    long grantedMs = s.grantedSeconds * 1000;
    long graceMs = options.renewalGrace().toMillis();
    switch (s.state) {
      case AUTHORIZED -> deadline = s.authorizedAtMs + options.answerTimeout().toMillis();
      case PAUSED -> deadline = s.pausedAtMs + options.pauseMax().toMillis();
      case ACTIVE -> {
        long graceEnd = s.wallAt(grantedMs + graceMs);
        if (s.finalUnit) deadline = s.wallAt(grantedMs);
        else if (s.busy) deadline = graceEnd;
        else deadline = Math.min(graceEnd, Math.max(renewAtMs(s), s.backoffUntilMs));
      }
      default -> throw new IllegalStateException("no timer when ended");
    }
    wheel.schedule(s.timer, deadline);
  }

  void rescheduleAt(MeterSession s, long deadlineMs) {
    wheel.schedule(s.timer, deadlineMs);
  }

  /**
   * When an active session's renewal request leaves: the renewal is due when {@code renewLead} of the grant is
   * left, and the request goes one margin plus this session's share of another earlier, so the ledger's commit
   * is over by the due moment and sessions answered on the same tick renew on different ticks.
   */
  long renewAtMs(MeterSession s) {
    long marginMs = options.renewalMarginMs();
    long spreadMs = marginMs == 0 ? 0 : Math.floorMod(s.id.getLeastSignificantBits(), marginMs);
    return s.wallAt(s.grantedSeconds * 1000 - options.renewLeadMs() - marginMs - spreadMs);
  }

  // ---- ending ---------------------------------------------------------------------------------------

  /** Decides the end now (the member's page and the B2BUA hear it at once); the settlement follows. */
  void end(MeterSession s, EndReason reason, long usedMs, long atMs) {
    Checks.invariant(!s.ending(), "a session ends once");
    s.endReason = reason;
    s.endUsedMs = usedMs;
    s.endedAtMs = atMs;
    s.ended = new CompletableFuture<>();
    wheel.cancel(s.timer);
    s.view = new MeterSession.View(SessionState.ENDED, s.usedMsBefore, s.runStartMs, s.grantedSeconds, s.finalUnit);
    safely(() -> s.listener.ending(s.id, reason));
    for (SessionListener w : watchersOf(s)) safely(() -> w.ending(s.id, reason));
    if (!s.busy) charging.settle(s);
  }

  /** The session is settled and its record written: forget it. */
  void finished(MeterSession s, UsageRecord record) {
    sessions.remove(s.id);
    forgetOwner(s);
    endedCount++;
    s.ended.complete(new StopOutcome(CommandResult.OK, record));
    safely(() -> s.listener.ended(record));
    for (SessionListener w : watchersOf(s)) safely(() -> w.ended(record));
  }

  /** Settlement kept failing: leave the checkpoint for the next start's recovery. */
  void abandoned(MeterSession s, Throwable cause) {
    sessions.remove(s.id);
    forgetOwner(s);
    s.ended.completeExceptionally(cause);
  }

  void register(MeterSession s) {
    sessions.put(s.id, s);
    byOwner.computeIfAbsent(s.request.owner(), o -> ConcurrentHashMap.newKeySet()).add(s);
  }

  void forgetOwner(MeterSession s) {
    Set<MeterSession> set = byOwner.get(s.request.owner());
    if (set != null) {
      set.remove(s);
      if (set.isEmpty()) byOwner.remove(s.request.owner(), set);
    }
    releaseSlot(s.request.owner());
  }

  boolean takeSlot(String owner) {
    int used = ownerSlots.getOrDefault(owner, 0);
    if (used >= options.sessionsPerAccountMax()) return false;
    ownerSlots.put(owner, used + 1);
    return true;
  }

  void releaseSlot(String owner) {
    Integer used = ownerSlots.get(owner);
    Checks.invariant(used != null && used > 0, "slot released once");
    if (used == 1) ownerSlots.remove(owner);
    else ownerSlots.put(owner, used - 1);
  }

  void notifyFinal(MeterSession s) {
    if (s.state != SessionState.ACTIVE) return;
    LiveBalance live = s.live(s.view, clock.millis());
    safely(() -> s.listener.finalUnit(live));
    for (SessionListener w : watchersOf(s)) safely(() -> w.finalUnit(live));
  }

  void renewed(MeterSession s, long dueMs) {
    renewals++;
    long lagMicros = Math.max(0, (clock.millis() - dueMs) * 1000);
    if (lagMicros > renewalLagMicrosMax) renewalLagMicrosMax = lagMicros;
    observer.renewed(lagMicros);
    long now = System.nanoTime();
    observer.renewalSplit(s.renewWheelMicros, (s.renewSentNanos - s.renewFiredNanos) / 1000,
        (lastAnsweredNanos - s.renewSentNanos) / 1000, (now - lastAnsweredNanos) / 1000);
  }

  private List<SessionListener> watchersOf(MeterSession s) {
    List<SessionListener> list = watchers.get(s.request.owner());
    return list == null ? List.of() : list;
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "a session listener failed", e);
    }
  }

  static boolean settledOk(TransferResult r) {
    return r.applied();
  }

  static Account requireAccount(Optional<Account> account) {
    return account.orElseThrow(() -> new IllegalStateException("account vanished"));
  }
}
