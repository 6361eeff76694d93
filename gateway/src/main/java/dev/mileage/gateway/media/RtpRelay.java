package dev.mileage.gateway.media;

import io.vertx.core.Future;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The anchored media of one call on ONE local port P shared by both sides, as SBCs do: our SDP names P to
 * the caller and to the trunk, a datagram on P belongs to a side by its source address (see
 * {@link MediaTopology}), and what one side sends leaves P towards the other, so both peers see symmetric
 * RTP from P. RTCP is multiplexed on P for a side whose SDP has {@code a=rtcp-mux} (RFC 5761); only while
 * some side does not, the call also binds P + 1 (reserved with P in the {@link PortPool}), so a call costs
 * one socket when both sides multiplex and two otherwise. The call's {@link SocketBudget.Lease} follows
 * what is bound. {@link #close()} releases everything; it is idempotent and must be called on every way a
 * call ends.
 */
public final class RtpRelay {
  private static final Logger LOG = Logger.getLogger(RtpRelay.class.getName());
  /** Sockets of a call when a side does not multiplex RTCP: P and P + 1. */
  public static final int SOCKETS_MAX = 2;

  private final PortPool ports;
  private final MediaIo io;
  private final int affinity;
  private final MediaLeg a;
  private final MediaLeg b;
  private final RtcpRelay rtcp;
  private final SocketBudget.Lease lease;
  private final DatagramChannel channel;
  /** RTCP on P + 1 was needed and could not be had: not tried again, RTP goes on (SIP thread only). */
  private boolean rtcpUnavailable;
  private volatile boolean closed;

  private RtpRelay(PortPool ports, MediaIo io, int affinity, MediaLeg a, MediaLeg b, RtcpRelay rtcp,
                   SocketBudget.Lease lease, DatagramChannel channel) {
    this.ports = ports;
    this.io = io;
    this.affinity = affinity;
    this.a = a;
    this.b = b;
    this.rtcp = rtcp;
    this.lease = lease;
    this.channel = channel;
  }

  /** As {@link #open(PortPool, MediaIo, MediaCounters, LongSupplier, SocketBudget.Lease)} outside any budget. */
  public static Future<RtpRelay> open(PortPool ports, MediaIo io, MediaCounters counters, LongSupplier nowMs) {
    return open(ports, io, counters, nowMs, SocketBudget.unlimited().lease(SOCKETS_MAX));
  }

  /**
   * Binds P (on the caller's thread, the pool's owner); on failure nothing stays bound. {@code lease} is the
   * call's share of the descriptor budget: the relay keeps it at what it holds and closes it with the call.
   */
  public static Future<RtpRelay> open(PortPool ports, MediaIo io, MediaCounters counters, LongSupplier nowMs,
                                      SocketBudget.Lease lease) {
    DatagramChannel channel = null;
    try {
      channel = ports.bindChannel();
      int port = channel.socket().getLocalPort();
      MediaLeg a = new MediaLeg(port, nowMs);
      MediaLeg b = new MediaLeg(port, nowMs);
      a.channel(channel);
      b.channel(channel);
      RtcpRelay rtcp = new RtcpRelay(a, b, counters);
      int affinity = io.nextAffinity();
      RtpRelay relay = new RtpRelay(ports, io, affinity, a, b, rtcp, lease, channel);
      a.onRemote(relay::sdpChanged);
      b.onRemote(relay::sdpChanged);
      MediaNode head = MediaTopology.sharedPort(a, b, rtcp, counters);
      io.register(channel, affinity, head::accept);
      return Future.succeededFuture(relay);
    } catch (IOException | RuntimeException e) {
      ports.release(channel);
      lease.close();
      return Future.failedFuture(e);
    }
  }

  /**
   * After every SDP (on the SIP thread): P + 1 is bound as soon as a side whose SDP is known does not
   * multiplex RTCP (our offer without a mux answer promised it, RFC 5761 5.1.1), and the lease shrinks to
   * P alone once both sides multiplex. If P + 1 cannot be had (taken by another process, or the budget is
   * spent), RTCP of this call is not relayed where it is not multiplexed; RTP goes on.
   */
  private void sdpChanged() {
    if (closed) return;
    boolean needsOwn = (a.known() && !a.rtcpMux()) || (b.known() && !b.rtcpMux());
    DatagramChannel own = rtcp.channel();
    if (own == null && needsOwn && !rtcpUnavailable) {
      if (!lease.resize(SOCKETS_MAX)) {
        unavailable("no descriptors left in the media budget");
        return;
      }
      try {
        rtcp.bind(ports.bindRtcp(a.localPort()), io, affinity);
      } catch (IOException | RuntimeException e) {
        lease.resize(1);
        unavailable(e.toString());
      }
    } else if (own == null && a.known() && b.known() && a.rtcpMux() && b.rtcpMux()) {
      lease.resize(1);
    }
  }

  private void unavailable(String why) {
    rtcpUnavailable = true;
    LOG.log(Level.WARNING, () -> "RTCP on port " + (a.localPort() + 1) + " is not relayed for this call: " + why);
  }

  /** The call's one port P, named to both sides. */
  public int port() {
    return a.localPort();
  }

  /** Whether RTCP on P + 1 is bound (some side does not multiplex it). */
  public boolean rtcpPortBound() {
    return rtcp.channel() != null;
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
    rtcp.close();
    a.channel(null);
    b.channel(null);
    ports.release(rtcp.channel());
    ports.release(channel);
    lease.close();
    io.wakeup(affinity); // the selector lets go of closed channels (and their ports) on its next turn
  }
}
