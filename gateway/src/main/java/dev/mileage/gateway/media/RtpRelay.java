package dev.mileage.gateway.media;

import io.vertx.core.Future;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;

/**
 * The anchored media of one call: a channel per side from the {@link PortPool}, read by one
 * {@link MediaIo} thread, the two pipelines of {@link MediaTopology} between them. {@link #close()}
 * releases both ports; it is idempotent and must be called on every way a call ends.
 */
public final class RtpRelay {
  private final PortPool ports;
  private final MediaIo io;
  private final int affinity;
  private final MediaLeg a;
  private final MediaLeg b;
  private boolean closed;

  private RtpRelay(PortPool ports, MediaIo io, int affinity, MediaLeg a, MediaLeg b) {
    this.ports = ports;
    this.io = io;
    this.affinity = affinity;
    this.a = a;
    this.b = b;
  }

  /** Binds both sides (on the caller's thread, the pool's owner); on failure nothing stays bound. */
  public static Future<RtpRelay> open(PortPool ports, MediaIo io, MediaCounters counters, LongSupplier nowMs) {
    DatagramChannel ca = null;
    DatagramChannel cb = null;
    try {
      ca = ports.bindChannel();
      cb = ports.bindChannel();
      MediaLeg a = new MediaLeg(ca.socket().getLocalPort(), nowMs);
      MediaLeg b = new MediaLeg(cb.socket().getLocalPort(), nowMs);
      a.channel(ca);
      b.channel(cb);
      MediaNode aToB = MediaTopology.plainRtp("a", a, "b", b, counters);
      MediaNode bToA = MediaTopology.plainRtp("b", b, "a", a, counters);
      int affinity = io.nextAffinity();
      io.register(ca, affinity, aToB::accept);
      io.register(cb, affinity, bToA::accept);
      return Future.succeededFuture(new RtpRelay(ports, io, affinity, a, b));
    } catch (IOException | RuntimeException e) {
      ports.release(ca);
      ports.release(cb);
      return Future.failedFuture(e);
    }
  }

  /** The I/O threads of this call's media and the one that reads it (RTCP beside it is read by the same). */
  MediaIo io() {
    return io;
  }

  int affinity() {
    return affinity;
  }

  /** The caller's side (phone or browser). */
  public MediaLeg a() {
    return a;
  }

  /** The trunk's side. */
  public MediaLeg b() {
    return b;
  }

  /** When either side was last heard (for the inactivity timeout). */
  public long lastHeardMs() {
    return Math.max(a.lastHeardMs(), b.lastHeardMs());
  }

  public boolean closed() {
    return closed;
  }

  public void close() {
    if (closed) return;
    closed = true;
    DatagramChannel ca = a.channel();
    DatagramChannel cb = b.channel();
    a.channel(null);
    b.channel(null);
    ports.release(ca);
    ports.release(cb);
    io.wakeup(affinity); // the selector lets go of closed channels (and their ports) on its next turn
  }
}
