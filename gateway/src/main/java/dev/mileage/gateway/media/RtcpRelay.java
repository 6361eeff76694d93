package dev.mileage.gateway.media;

import io.vertx.core.Future;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * RTCP (RFC 3550 section 6) of one anchored call, beside its {@link RtpRelay}: a channel on each RTP
 * port + 1, packets from a leg's SDP host passed to the other leg's RTCP peer (its SDP's {@code a=rtcp} port,
 * RFC 3605, else RTP port + 1, or the port it latched on), so reports, BYE and feedback reach the far end and
 * quality can be measured end to end. Our SDP never offers rtcp-mux (RFC 5761) on these legs and drops
 * {@code a=rtcp}, so both peers send RTCP to RTP + 1. RTCP does not count as media for the inactivity timer:
 * it flows on hold. Read by the call's {@link MediaIo} thread, like its RTP: plain non-blocking channels,
 * where Vert.x datagram sockets cost each call two Netty channels with their task queues (about 10 KB of
 * heap per call, measured with 4,744 calls held). {@link #close()} is idempotent, from any thread.
 */
public final class RtcpRelay {
  /** Larger datagrams are no RTCP compound packet we relay. */
  static final int RTCP_BYTES_MAX = 1500;

  private final Side a;
  private final Side b;
  private final MediaIo io;
  private final int affinity;
  private volatile boolean closed;

  /** One side: our RTCP channel there, the RTP leg it belongs to, the RTCP source we latched (I/O thread only). */
  private static final class Side {
    final MediaLeg leg;
    final DatagramChannel channel;
    final LongAdder passed;
    final LongAdder dropped;
    InetSocketAddress latched;
    String latchedFor;

    Side(MediaLeg leg, DatagramChannel channel, MediaCounters counters, String name) {
      this.leg = leg;
      this.channel = channel;
      this.passed = counters.counter(name + ".rtcp", "passed");
      this.dropped = counters.counter(name + ".rtcp", "dropped");
    }

    /** Only from the SDP's host; once heard, only from the port heard (a new SDP host unlatches). */
    boolean acceptsFrom(InetSocketAddress sender) {
      String host = leg.sdpHost();
      if (host == null) return false;
      InetAddress from = sender.getAddress();
      if (!(host.equals(from.getHostAddress()) || host.equals(sender.getHostString()))) return false;
      if (!host.equals(latchedFor)) {
        latched = sender;
        latchedFor = host;
      }
      return latched.getPort() == sender.getPort();
    }

    InetSocketAddress peer() {
      String host = leg.sdpHost();
      if (host == null || leg.sdpPort() == 0) return null;
      if (latched != null && host.equals(latchedFor)) return latched;
      return new InetSocketAddress(host, leg.sdpRtcpPort());
    }
  }

  private RtcpRelay(Side a, Side b, MediaIo io, int affinity) {
    this.a = a;
    this.b = b;
    this.io = io;
    this.affinity = affinity;
  }

  /**
   * Binds RTCP beside both RTP ports of {@code rtp} (on the caller's thread: two bind system calls) and reads
   * them on the RTP's I/O thread; fails (nothing left bound) if either port is taken.
   */
  public static Future<RtcpRelay> open(String host, RtpRelay rtp, MediaCounters counters) {
    DatagramChannel ca = null;
    DatagramChannel cb = null;
    try {
      ca = bind(host, rtp.a().localPort() + 1);
      cb = bind(host, rtp.b().localPort() + 1);
      Side sideA = new Side(rtp.a(), ca, counters, "a");
      Side sideB = new Side(rtp.b(), cb, counters, "b");
      RtcpRelay relay = new RtcpRelay(sideA, sideB, rtp.io(), rtp.affinity());
      rtp.io().register(ca, rtp.affinity(), p -> relay.relay(sideA, sideB, p));
      rtp.io().register(cb, rtp.affinity(), p -> relay.relay(sideB, sideA, p));
      return Future.succeededFuture(relay);
    } catch (IOException | RuntimeException e) {
      closeQuietly(ca);
      closeQuietly(cb);
      return Future.failedFuture(e);
    }
  }

  private static DatagramChannel bind(String host, int port) throws IOException {
    DatagramChannel channel = DatagramChannel.open(host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      channel.bind(new InetSocketAddress(host, port));
      channel.configureBlocking(false);
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** RTCP version 2, a packet type of RFC 3550/4585/3611 (SR 200 .. XR 207), a sane length. */
  static boolean isRtcp(MediaPacket packet) {
    int length = packet.length();
    if (length < 8 || length > RTCP_BYTES_MAX || (packet.unsignedByte(0) >> 6) != 2) return false;
    int type = packet.unsignedByte(1);
    return type >= 200 && type <= 207;
  }

  private void relay(Side in, Side out, MediaPacket packet) {
    InetSocketAddress to = out.peer();
    if (closed || !isRtcp(packet) || !in.acceptsFrom(packet.senderAddress()) || to == null) {
      in.dropped.increment();
      return;
    }
    try {
      ByteBuffer bytes = packet.bytes();
      bytes.position(0);
      out.channel.send(bytes, to);
      in.passed.increment();
    } catch (IOException e) {
      in.dropped.increment(); // closed by the call's end meanwhile, or an ICMP error from a peer that went away
    }
  }

  public void close() {
    if (closed) return;
    closed = true;
    closeQuietly(a.channel);
    closeQuietly(b.channel);
    io.wakeup(affinity); // the selector lets go of the closed channels on its next turn
  }

  private static void closeQuietly(DatagramChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
