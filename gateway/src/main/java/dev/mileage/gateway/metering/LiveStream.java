package dev.mileage.gateway.metering;

import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.LiveBalance;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.SessionListener;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The member's live balance as Server-Sent Events: once a second while a session runs, one
 * {@code balance} event per session (remaining points and seconds, used seconds, final-unit flag),
 * a {@code final-unit} event the moment the last grant is in use, and an {@code ended} event with the
 * reason when a session ends. Only the caller's own sessions: the owner comes from the credentials.
 */
final class LiveStream {
  static final int STREAMS_PER_MEMBER_MAX = 4;
  static final int STREAMS_MAX = 10_000;
  static final long PUSH_INTERVAL_MS = 1000;
  /** A comment line this often keeps proxies from closing an idle stream and detects dead clients. */
  static final long HEARTBEAT_EVERY_PUSHES = 15;

  private final ConcurrentHashMap<String, AtomicInteger> perMember = new ConcurrentHashMap<>();
  private final AtomicInteger total = new AtomicInteger();

  void open(RoutingContext ctx, Meter meter) {
    String owner = Caller.of(ctx).orElseThrow().owner();
    AtomicInteger mine = perMember.computeIfAbsent(owner, o -> new AtomicInteger());
    if (mine.incrementAndGet() > STREAMS_PER_MEMBER_MAX || total.incrementAndGet() > STREAMS_MAX) {
      release(owner, mine, mine.get() <= STREAMS_PER_MEMBER_MAX);
      Errors.send(ctx, 429, "too_many_streams", "close another live page first");
      return;
    }
    HttpServerResponse response = ctx.response();
    response.setChunked(true).putHeader("Content-Type", "text/event-stream; charset=utf-8")
        .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
    response.write("retry: 2000\n\n");
    Context context = ctx.vertx().getOrCreateContext();
    AutoCloseable watch = meter.watch(owner, new SessionListener() {
      @Override
      public void finalUnit(LiveBalance live) {
        context.runOnContext(v -> send(response, "final-unit", MeteringJson.live(live)));
      }

      @Override
      public void ending(UUID sessionId, EndReason reason) {
        context.runOnContext(v -> send(response, "ending", new JsonObject().put("sessionId", sessionId.toString())
            .put("reason", reason.name())));
      }

      @Override
      public void ended(UsageRecord r) {
        context.runOnContext(v -> send(response, "ended", new JsonObject().put("sessionId", r.sessionId().toString())
            .put("reason", r.reason().name()).put("usedSeconds", r.usedSeconds())
            .put("billedSeconds", r.billedSeconds()).put("points", r.points()).put("endedAt", r.endedAt().toString())));
      }
    });
    long[] pushes = {0};
    long timer = ctx.vertx().setPeriodic(0, PUSH_INTERVAL_MS, id -> {
      if (response.closed() || response.ended()) return;
      List<LiveBalance> sessions = meter.liveOf(owner);
      // a slow reader gets fewer updates, never an unbounded queue
      if (!response.writeQueueFull()) {
        for (LiveBalance l : sessions) send(response, "balance", MeteringJson.live(l));
      }
      if (++pushes[0] % HEARTBEAT_EVERY_PUSHES == 0 && !response.writeQueueFull()) response.write(": heartbeat\n\n");
    });
    response.closeHandler(v -> {
      ctx.vertx().cancelTimer(timer);
      try {
        watch.close();
      } catch (Exception ignored) {
        // closing a watch cannot fail
      }
      release(owner, mine, true);
    });
  }

  private void release(String owner, AtomicInteger mine, boolean countedInTotal) {
    if (countedInTotal) total.decrementAndGet();
    if (mine.decrementAndGet() <= 0) perMember.remove(owner, mine);
  }

  private static void send(HttpServerResponse response, String event, JsonObject data) {
    if (response.closed() || response.ended()) return;
    response.write("event: " + event + "\ndata: " + data.encode() + "\n\n");
  }
}
