package dev.mileage.gateway.media;

import io.vertx.core.Future;
import io.vertx.core.datagram.DatagramSocket;

import java.util.function.LongSupplier;

/**
 * The anchored media of one call: a socket per side from the {@link PortPool}, the two pipelines of
 * {@link MediaTopology} between them. {@link #close()} releases both ports; it is idempotent and must be
 * called on every way a call ends.
 */
public final class RtpRelay {
  private final PortPool ports;
  private final MediaLeg a;
  private final MediaLeg b;
  private boolean closed;

  private RtpRelay(PortPool ports, MediaLeg a, MediaLeg b) {
    this.ports = ports;
    this.a = a;
    this.b = b;
  }

  /** Binds both sides; on failure nothing stays bound. */
  public static Future<RtpRelay> open(PortPool ports, MediaCounters counters, LongSupplier nowMs) {
    return ports.bind().compose(sa -> ports.bind()
        .recover(err -> {
          ports.release(sa);
          return Future.failedFuture(err);
        })
        .map(sb -> {
          MediaLeg a = new MediaLeg(sa.localAddress().port(), nowMs);
          MediaLeg b = new MediaLeg(sb.localAddress().port(), nowMs);
          a.socket(sa);
          b.socket(sb);
          MediaNode aToB = MediaTopology.plainRtp("a", a, "b", b, counters);
          MediaNode bToA = MediaTopology.plainRtp("b", b, "a", a, counters);
          sa.handler(p -> aToB.accept(new MediaPacket(p.data(), p.sender())));
          sb.handler(p -> bToA.accept(new MediaPacket(p.data(), p.sender())));
          return new RtpRelay(ports, a, b);
        }));
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
    DatagramSocket sa = a.socket();
    DatagramSocket sb = b.socket();
    a.socket(null);
    b.socket(null);
    ports.release(sa);
    ports.release(sb);
  }
}
