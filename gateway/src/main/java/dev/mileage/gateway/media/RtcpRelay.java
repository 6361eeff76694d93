package dev.mileage.gateway.media;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;

import java.util.concurrent.atomic.LongAdder;

/**
 * RTCP (RFC 3550 section 6) of one anchored call, beside its {@link RtpRelay}: a socket on each RTP
 * port + 1, packets from a leg's SDP host passed to the other leg's RTCP peer (its SDP's {@code a=rtcp} port, RFC 3605,
 * else RTP port + 1, or
 * the port it latched on), so reports, BYE and feedback reach the far end and quality can be measured
 * end to end. Our SDP never offers rtcp-mux (RFC 5761) on these legs and drops {@code a=rtcp}, so both
 * peers send RTCP to RTP + 1. RTCP does not count as media for the inactivity timer: it flows on hold.
 * Touched by the SIP verticle's event loop only. {@link #close()} is idempotent.
 */
public final class RtcpRelay {
  /** Larger datagrams are no RTCP compound packet we relay. */
  static final int RTCP_BYTES_MAX = 1500;

  private final Side a;
  private final Side b;
  private boolean closed;

  /** One side: our RTCP socket there, the RTP leg it belongs to, the RTCP source port we latched. */
  private static final class Side {
    final MediaLeg leg;
    final DatagramSocket socket;
    final LongAdder passed;
    final LongAdder dropped;
    SocketAddress latched;
    String latchedFor;

    Side(MediaLeg leg, DatagramSocket socket, MediaCounters counters, String name) {
      this.leg = leg;
      this.socket = socket;
      this.passed = counters.counter(name + ".rtcp", "passed");
      this.dropped = counters.counter(name + ".rtcp", "dropped");
    }

    /** Only from the SDP's host; once heard, only from the port heard (a new SDP host unlatches). */
    boolean acceptsFrom(SocketAddress sender) {
      String host = leg.sdpHost();
      if (host == null || !(host.equals(sender.host()) || host.equals(sender.hostAddress()))) return false;
      if (!host.equals(latchedFor)) {
        latched = sender;
        latchedFor = host;
      }
      return latched.port() == sender.port();
    }

    SocketAddress peer() {
      String host = leg.sdpHost();
      if (host == null || leg.sdpPort() == 0) return null;
      if (latched != null && host.equals(latchedFor)) return latched;
      return SocketAddress.inetSocketAddress(leg.sdpRtcpPort(), host);
    }
  }

  private RtcpRelay(Side a, Side b) {
    this.a = a;
    this.b = b;
  }

  /** Binds RTCP beside both RTP ports of {@code rtp}; fails (nothing left bound) if either is taken. */
  public static Future<RtcpRelay> open(Vertx vertx, String host, RtpRelay rtp, MediaCounters counters) {
    DatagramSocket sa = vertx.createDatagramSocket();
    DatagramSocket sb = vertx.createDatagramSocket();
    return sa.listen(rtp.a().localPort() + 1, host)
        .compose(x -> sb.listen(rtp.b().localPort() + 1, host))
        .map(x -> {
          Side sideA = new Side(rtp.a(), sa, counters, "a");
          Side sideB = new Side(rtp.b(), sb, counters, "b");
          RtcpRelay relay = new RtcpRelay(sideA, sideB);
          sa.handler(p -> relay.relay(sideA, sideB, p.data(), p.sender()));
          sb.handler(p -> relay.relay(sideB, sideA, p.data(), p.sender()));
          return relay;
        })
        .onFailure(e -> {
          sa.close();
          sb.close();
        });
  }

  /** RTCP version 2, a packet type of RFC 3550/4585/3611 (SR 200 .. XR 207), a sane length. */
  static boolean isRtcp(Buffer data) {
    if (data.length() < 8 || data.length() > RTCP_BYTES_MAX || (data.getUnsignedByte(0) >> 6) != 2) return false;
    int type = data.getUnsignedByte(1);
    return type >= 200 && type <= 207;
  }

  private void relay(Side in, Side out, Buffer data, SocketAddress sender) {
    SocketAddress to = out.peer();
    if (closed || !isRtcp(data) || !in.acceptsFrom(sender) || to == null) {
      in.dropped.increment();
      return;
    }
    out.socket.send(data, to.port(), to.host());
    in.passed.increment();
  }

  public void close() {
    if (closed) return;
    closed = true;
    a.socket.close();
    b.socket.close();
  }
}
