package dev.mileage.gateway.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.LongAdder;

/**
 * RTCP (RFC 3550 section 6) of one anchored call, part of its {@link RtpRelay}, so reports, BYE and feedback
 * reach the far end and quality can be measured end to end. A side whose SDP has {@code a=rtcp-mux} sends
 * and gets its RTCP on the call's RTP port P (RFC 5761; the demux hands it here); a side that does not,
 * on P + 1, bound only while some side needs it ({@link #bind}) and shared by both sides the way P is: a
 * datagram from the trunk's RTCP address is the trunk's, anything else the caller side's, accepted only
 * from its SDP's host and, once heard, only from the port heard. Packets go to the other side's RTCP peer:
 * its RTP address when it multiplexes, else its SDP's {@code a=rtcp} port (RFC 3605), else RTP port + 1,
 * or the port it latched on. RTCP does not count as media for the inactivity timer: it flows on hold.
 * Read by the call's {@link MediaIo} thread, like its RTP.
 */
public final class RtcpRelay {
  /** Larger datagrams are no RTCP compound packet we relay. */
  static final int RTCP_BYTES_MAX = 1500;

  private final Side a;
  private final Side b;
  /** RTCP on P + 1, null while no side needs it (or it could not be bound). */
  private volatile DatagramChannel own;
  private volatile boolean closed;

  /** One side: the RTP leg it belongs to, the RTCP source we latched on P + 1 (I/O thread only). */
  private static final class Side {
    final MediaLeg leg;
    final LongAdder passed;
    final LongAdder dropped;
    InetSocketAddress latched;
    String latchedFor;

    Side(MediaLeg leg, MediaCounters counters, String name) {
      this.leg = leg;
      this.passed = counters.counter(name + ".rtcp", "passed");
      this.dropped = counters.counter(name + ".rtcp", "dropped");
    }

    /** Surely this side's RTCP on P + 1: the address latched there, else the RTCP address its SDP names. */
    boolean owns(InetSocketAddress sender) {
      String host = leg.sdpHost();
      if (host == null) return false;
      if (latched != null && host.equals(latchedFor)) return latched.equals(sender);
      return sender.getPort() == leg.sdpRtcpPort() && sameHost(host, sender);
    }

    /** Only from the SDP's host; once heard, only from the port heard (a new SDP host unlatches). */
    boolean acceptsFrom(InetSocketAddress sender) {
      String host = leg.sdpHost();
      if (host == null || !sameHost(host, sender)) return false;
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

    private static boolean sameHost(String host, InetSocketAddress sender) {
      InetAddress from = sender.getAddress();
      return host.equals(from.getHostAddress()) || host.equals(sender.getHostString());
    }
  }

  RtcpRelay(MediaLeg a, MediaLeg b, MediaCounters counters) {
    this.a = new Side(a, counters, "a");
    this.b = new Side(b, counters, "b");
  }

  /** RTCP on P + 1 from now on: {@code channel}, read by {@code io} on the call's thread. */
  void bind(DatagramChannel channel, MediaIo io, int affinity) {
    own = channel;
    io.register(channel, affinity, this::fromOwnPort);
  }

  /** The channel on P + 1, null when none is bound. */
  DatagramChannel channel() {
    return own;
  }

  /**
   * RTCP as RFC 5761 section 4 tells it from RTP on a shared port: the second byte is a packet type of
   * 192-223, which as an RTP marker bit and payload type would be 64-95, a range that is never negotiated.
   */
  static boolean isMuxedRtcp(MediaPacket packet) {
    if (packet.length() < 2) return false;
    int type = packet.unsignedByte(1);
    return type >= 192 && type <= 223;
  }

  /** RTCP version 2, a packet type of RFC 3550/4585/3611 (SR 200 .. XR 207), a sane length. */
  static boolean isRtcp(MediaPacket packet) {
    int length = packet.length();
    if (length < 8 || length > RTCP_BYTES_MAX || (packet.unsignedByte(0) >> 6) != 2) return false;
    int type = packet.unsignedByte(1);
    return type >= 200 && type <= 207;
  }

  /** RTCP that arrived on P from {@code fromB}'s side (or the caller's): only a side that multiplexes sends it there. */
  void fromMuxed(boolean fromB, MediaPacket packet) {
    Side in = fromB ? b : a;
    if (closed || !in.leg.rtcpMux() || !isRtcp(packet) || !in.leg.acceptsFrom(packet.senderAddress())) {
      in.dropped.increment();
      return;
    }
    forward(in, fromB ? a : b, packet);
  }

  private void fromOwnPort(MediaPacket packet) {
    boolean fromB = b.owns(packet.senderAddress());
    Side in = fromB ? b : a;
    if (closed || !isRtcp(packet) || !in.acceptsFrom(packet.senderAddress())) {
      in.dropped.increment();
      return;
    }
    forward(in, fromB ? a : b, packet);
  }

  private void forward(Side in, Side out, MediaPacket packet) {
    ByteBuffer bytes = packet.bytes();
    boolean sent;
    if (out.leg.rtcpMux()) {
      sent = out.leg.sendMuxed(bytes);
    } else {
      DatagramChannel channel = own;
      InetSocketAddress to = out.peer();
      sent = channel != null && to != null && send(channel, bytes, to);
    }
    if (sent) in.passed.increment();
    else in.dropped.increment();
  }

  private static boolean send(DatagramChannel channel, ByteBuffer bytes, InetSocketAddress to) {
    try {
      return channel.send(bytes, to) > 0;
    } catch (IOException e) {
      return false; // closed by the call's end meanwhile, or an ICMP error from a peer that went away
    }
  }

  /** Stops relaying; the relay releases the channel. */
  void close() {
    closed = true;
  }
}
