package dev.mileage.gateway.streams;

import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.http.Errors;
import dev.mileage.points.metering.ContentKind;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import java.io.IOException;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /api/v1/streams/media/{token}}: the stream's bytes for the browser's own player, with HTTP
 * range requests. The link works only for the member who started the stream (their session cookie),
 * only while the stream runs and only until it expires; the bytes are paced by the metered time.
 */
final class MediaDelivery {
  private static final Logger LOG = Logger.getLogger(MediaDelivery.class.getName());
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,18})-(\\d{0,18})");

  private final Streams streams;

  MediaDelivery(Streams streams) {
    this.streams = streams;
  }

  void serve(RoutingContext ctx) {
    Optional<StreamSession> found = streams.byToken(ctx.pathParam("token"));
    if (found.isEmpty()) {
      Errors.notFound(ctx, "no such stream link");
      return;
    }
    StreamSession s = found.get();
    Caller caller = Caller.of(ctx).orElseThrow();
    if (!caller.owner().equals(s.owner)) {
      Errors.forbidden(ctx, "this stream link belongs to another member: start the item yourself");
      return;
    }
    long now = streams.nowMs();
    synchronized (s) {
      if (s.state == StreamSession.State.ENDED) {
        Errors.send(ctx, 410, "stream_ended", "the stream has ended");
        return;
      }
      if (now > s.linkExpiresAtMs) {
        Errors.send(ctx, 410, "link_expired", "the stream link has expired: start the item again");
        return;
      }
    }
    if (s.item.kind() == ContentKind.DATABASE) {
      Errors.send(ctx, 409, "not_media", "a database is searched, not downloaded");
      return;
    }
    long size = s.item.sizeBytes();
    long start = 0;
    long end = size - 1;
    boolean partial = false;
    String range = ctx.request().getHeader("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
        unsatisfiable(ctx, size);
        return;
      }
      if (m.group(1).isEmpty()) { // the last N bytes
        start = Math.max(0, size - Long.parseLong(m.group(2)));
      } else {
        start = Long.parseLong(m.group(1));
        if (!m.group(2).isEmpty()) end = Math.min(end, Long.parseLong(m.group(2)));
      }
      if (start >= size || start > end) {
        unsatisfiable(ctx, size);
        return;
      }
      partial = true;
    }
    long bps = s.bytesPerSecond(streams.options().softwareBytesPerSecond());
    streams.refreshUsed(s);
    if (!s.startAt(start, bps, s.item.timed() ? streams.options().leadSeconds() : 0)) {
      Errors.send(ctx, 429, "too_many_seeks", "too many jumps in this stream: start it again");
      return;
    }
    HttpServerResponse response = ctx.response();
    Delivery delivery;
    try {
      delivery = new Delivery(s, response, streams.media().path(s.item.fileName()), start, end);
    } catch (IOException e) {
      LOG.log(Level.WARNING, "media file missing for item " + s.item.id(), e);
      Errors.send(ctx, 503, "media_unavailable", "the media file is not available");
      return;
    }
    // the whole head before attaching: from then on the streams verticle's timer may write the body, and
    // with it the head, from its own thread
    response.setStatusCode(partial ? 206 : 200).putHeader("Content-Type", s.item.contentType())
        .putHeader("Accept-Ranges", "bytes").putHeader("Content-Length", Long.toString(end - start + 1))
        .putHeader("Cache-Control", "no-store");
    if (partial) response.putHeader("Content-Range", "bytes " + start + "-" + end + "/" + size);
    if (s.item.kind() == ContentKind.SOFTWARE) {
      response.putHeader("Content-Disposition", "attachment; filename=\"item-" + s.item.id() + "." + MediaStore.extension(s.item.contentType()) + "\"");
    }
    if (!streams.attach(s, delivery)) {
      delivery.close();
      response.headers().clear();
      Errors.send(ctx, 429, "too_many_connections", "this stream has " + StreamsOptions.DELIVERIES_PER_SESSION_MAX
          + " downloads open already");
      return;
    }
    s.touch(now, streams.options().linkIdle().toMillis());
    response.closeHandler(v -> {
      boolean unfinished = !delivery.finished();
      streams.detach(s, delivery);
      // a download the member broke off stops its meter until it is taken up again
      if (unfinished && s.item.kind() == ContentKind.SOFTWARE) streams.pause(s, true, ctx.vertx().getOrCreateContext());
    });
    if (s.item.kind() == ContentKind.SOFTWARE) {
      // software is metered by transfer time: the transfer starts (or resumes) the meter
      streams.play(s, ctx.vertx().getOrCreateContext()).onFailure(e -> delivery.cut()).onSuccess(r -> {
        if (r != dev.mileage.points.metering.CommandResult.OK) delivery.cut();
      });
    }
    response.writeHead();
  }

  private static void unsatisfiable(RoutingContext ctx, long size) {
    ctx.response().putHeader("Content-Range", "bytes */" + size);
    Errors.send(ctx, 416, "range_not_satisfiable", "the range is outside the file of " + size + " bytes");
  }
}
