package dev.mileage.gateway.streams;

import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.Authorization;
import dev.mileage.points.metering.CommandResult;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.LiveBalance;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.SessionListener;
import dev.mileage.points.metering.SessionState;
import dev.mileage.points.metering.StopOutcome;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The streams in progress: starting one authorizes a metered session (the first grant is reserved), the
 * player's play, pause and stop drive the meter, and the pump paces every delivery by the metered time.
 * The meter decides the end at exhaustion; this cuts the deliveries the moment it says so.
 */
final class Streams {
  private static final Logger LOG = Logger.getLogger(Streams.class.getName());
  static final int TOKEN_BYTES = 32;

  enum StartResult { OK, NOT_PLAYABLE, TOO_MANY_STREAMS }

  record Started(StartResult result, Authorization authorization, StreamSession session) {
  }

  private final Supplier<Optional<Meter>> meter;
  private final StreamsOptions options;
  private final Clock clock;
  private final MediaStore media;
  private final SecureRandom random = new SecureRandom();
  private final Map<UUID, StreamSession> sessions = new ConcurrentHashMap<>();
  private final Map<String, StreamSession> byToken = new ConcurrentHashMap<>();
  private volatile Context context;

  Streams(Supplier<Optional<Meter>> meter, StreamsOptions options, Clock clock, MediaStore media) {
    this.meter = meter;
    this.options = options;
    this.clock = clock;
    this.media = media;
  }

  /** The context the meter's notices are handled on (the streams verticle's). */
  void bind(Context context) {
    this.context = context;
  }

  StreamsOptions options() {
    return options;
  }

  Meter meter() {
    return meter.get().orElseThrow(() -> new IllegalStateException("the meter is not running"));
  }

  Optional<Meter> meterIfRunning() {
    return meter.get();
  }

  long nowMs() {
    return clock.millis();
  }

  Future<Started> start(String owner, Item item, Context caller) {
    if (item.status() != Item.Status.READY) return Future.succeededFuture(new Started(StartResult.NOT_PLAYABLE, null, null));
    if (sessions.size() >= StreamsOptions.SESSIONS_MAX) {
      return Future.succeededFuture(new Started(StartResult.TOO_MANY_STREAMS, null, null));
    }
    // the price as read when the session starts: a later change applies to the next session only
    AuthorizeRequest request = item.authorizeRequest(owner);
    return Future.fromCompletionStage(meter().authorize(request, listener()), caller).map(auth -> {
      if (!auth.ok()) return new Started(StartResult.OK, auth, null);
      byte[] bytes = new byte[TOKEN_BYTES];
      random.nextBytes(bytes);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      StreamSession s = new StreamSession(auth.sessionId(), owner, item, token, nowMs(), options.linkIdle().toMillis());
      sessions.put(s.id, s);
      byToken.put(token, s);
      return new Started(StartResult.OK, auth, s);
    });
  }

  Optional<StreamSession> session(UUID id) {
    return Optional.ofNullable(sessions.get(id));
  }

  Optional<StreamSession> byToken(String token) {
    return Optional.ofNullable(byToken.get(token));
  }

  /** Play or resume; for a stream already playing, nothing. Answers the meter's result. */
  Future<CommandResult> play(StreamSession s, Context caller) {
    StreamSession.State state;
    synchronized (s) {
      state = s.state;
      s.touch(nowMs(), options.linkIdle().toMillis());
    }
    if (state == StreamSession.State.ENDED) return Future.succeededFuture(CommandResult.ALREADY_ENDED);
    if (state == StreamSession.State.PLAYING) return Future.succeededFuture(CommandResult.OK);
    var command = state == StreamSession.State.READY ? meter().start(s.id) : meter().resume(s.id);
    return Future.fromCompletionStage(command, caller).map(result -> {
      SessionState metered = meter().live(s.id).map(LiveBalance::state).orElse(null);
      if (result == CommandResult.OK || (result == CommandResult.WRONG_STATE && metered == SessionState.ACTIVE)) {
        synchronized (s) {
          if (s.state != StreamSession.State.ENDED) {
            s.state = StreamSession.State.PLAYING;
            s.stalled = false;
            s.lastActivityMs = nowMs();
          }
        }
        return CommandResult.OK;
      }
      return result;
    });
  }

  /**
   * Pause (the player paused, or the stream stalled): no time is metered while paused. A stalled stream is
   * metered only until its last sign of life plus the seconds delivered ahead of playback, not for the stall
   * timeout it took to notice that its player went away.
   */
  Future<CommandResult> pause(StreamSession s, boolean stalled, Context caller) {
    long usedUntilMs;
    synchronized (s) {
      if (s.state == StreamSession.State.ENDED) return Future.succeededFuture(CommandResult.ALREADY_ENDED);
      if (s.state != StreamSession.State.PLAYING) return Future.succeededFuture(CommandResult.OK);
      s.state = StreamSession.State.PAUSED;
      s.stalled = stalled;
      usedUntilMs = s.lastActivityMs + options.leadSeconds() * 1000L;
    }
    CompletionStage<CommandResult> paused = stalled
        ? meter().pause(s.id, java.time.Instant.ofEpochMilli(usedUntilMs)) : meter().pause(s.id);
    return Future.fromCompletionStage(paused, caller).map(result -> {
      refreshUsed(s);
      return result == CommandResult.WRONG_STATE ? CommandResult.OK : result;
    });
  }

  /** Ends the stream now and bills what was used (the meter's record). */
  Future<StopOutcome> stop(StreamSession s, EndReason reason, Context caller) {
    return Future.fromCompletionStage(meter().stop(s.id, reason), caller).map(out -> {
      cut(s, reason);
      if (out.record() != null) {
        synchronized (s) {
          s.record = out.record();
        }
      }
      return out;
    });
  }

  Optional<LiveBalance> live(StreamSession s) {
    return meter.get().flatMap(m -> m.live(s.id));
  }

  /** The meter's notices about every stream: the end (exhaustion, timeouts) cuts the deliveries at once. */
  private SessionListener listener() {
    return new SessionListener() {
      @Override
      public void ending(UUID sessionId, EndReason reason) {
        StreamSession s = sessions.get(sessionId);
        if (s != null) cut(s, reason); // at once, on the meter's thread: no byte more after the last second
      }

      @Override
      public void ended(UsageRecord record) {
        StreamSession s = sessions.get(record.sessionId());
        if (s == null) return;
        synchronized (s) {
          s.record = record;
        }
      }
    };
  }

  private void cut(StreamSession s, EndReason reason) {
    for (Delivery d : s.end(reason, nowMs())) d.cut();
  }

  void refreshUsed(StreamSession s) {
    meter.get().flatMap(m -> m.live(s.id)).ifPresent(l -> s.metered(l.usedSeconds(), l.finalUnit(),
        l.endsAt() == null ? null : l.endsAt().toEpochMilli() - l.at().toEpochMilli(), l.remainingSeconds()));
  }

  /** Adds a delivery, or answers false when the stream has as many as it may. */
  boolean attach(StreamSession s, Delivery d) {
    synchronized (s) {
      if (s.state == StreamSession.State.ENDED || s.deliveries.size() >= StreamsOptions.DELIVERIES_PER_SESSION_MAX) return false;
      s.deliveries.add(d);
      return true;
    }
  }

  void detach(StreamSession s, Delivery d) {
    synchronized (s) {
      s.deliveries.remove(d);
    }
    d.close();
  }

  /** Tops up every delivery as far as its stream's metered time allows (the verticle's timer). */
  void pump() {
    long now = nowMs();
    for (StreamSession s : sessions.values()) {
      List<Delivery> open;
      synchronized (s) {
        if (s.deliveries.isEmpty() || s.state == StreamSession.State.ENDED) continue;
        open = new ArrayList<>(s.deliveries);
      }
      refreshUsed(s);
      long bps = s.bytesPerSecond(options.softwareBytesPerSecond());
      long allowed = s.item.timed() ? s.allowedEnd(bps, options.leadSeconds(), StreamsOptions.START_BYTES_MIN)
          : s.allowedEnd(bps, 0, 0);
      for (Delivery d : open) {
        try {
          if (d.pump(allowed, now)) {
            detach(s, d);
            if (!s.item.timed()) downloadComplete(s);
          }
        } catch (IOException e) {
          LOG.log(Level.WARNING, "a stream delivery failed: " + e.getMessage());
          detach(s, d);
          d.cut();
        }
      }
    }
  }

  /** A software download has been transferred: the session ends, billed for the transfer time. */
  private void downloadComplete(StreamSession s) {
    Context c = context;
    stop(s, EndReason.CALLEE_HANGUP, c).onFailure(e -> LOG.log(Level.WARNING, "a finished download was not settled", e));
  }

  /** Pauses stalled streams and forgets long-ended ones (the verticle's timer). */
  void sweep() {
    long now = nowMs();
    long stallMs = options.stallTimeout().toMillis();
    for (StreamSession s : sessions.values()) {
      boolean stall;
      boolean forget;
      synchronized (s) {
        stall = s.state == StreamSession.State.PLAYING && now - s.lastActivityMs > stallMs;
        forget = s.state == StreamSession.State.ENDED && now - s.endedAtMs > options.endedRetention().toMillis();
      }
      if (stall) {
        pause(s, true, context).onFailure(e -> LOG.log(Level.WARNING, "a stalled stream was not paused", e));
      }
      if (forget) {
        sessions.remove(s.id);
        byToken.remove(s.token);
      }
    }
  }

  /** The gateway stops: cut every delivery (the meter keeps the sessions for its next start). */
  void close() {
    for (StreamSession s : sessions.values()) {
      List<Delivery> open;
      synchronized (s) {
        open = new ArrayList<>(s.deliveries);
        s.deliveries.clear();
      }
      open.forEach(Delivery::cut);
    }
  }

  MediaStore media() {
    return media;
  }
}
