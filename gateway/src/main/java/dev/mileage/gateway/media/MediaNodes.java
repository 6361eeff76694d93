package dev.mileage.gateway.media;

import java.net.InetSocketAddress;
import java.util.Set;
import java.util.function.Supplier;

/** The nodes of the plain-RTP media path. Each is small on purpose; {@link MediaTopology} chains them. */
final class MediaNodes {
  /** RTP packets above this are not G.711 at any sane ptime (60 ms = 480 bytes + header). */
  static final int RTP_BYTES_MAX = 1500;

  private MediaNodes() {
  }

  /** Entry point: counts what arrives at a leg's socket and stamps the leg's activity. */
  static final class Receive extends MediaNode {
    private final MediaLeg leg;

    Receive(String name, MediaCounters counters, MediaLeg leg) {
      super(name, counters);
      this.leg = leg;
    }

    @Override
    public void accept(MediaPacket packet) {
      pass(packet);
    }

    MediaLeg leg() {
      return leg;
    }
  }

  /** Lets through RTP v2 with a negotiated payload type (G.711, telephone-event, comfort noise). */
  static final class RtpFilter extends MediaNode {
    private final Supplier<Set<Integer>> allowed;

    RtpFilter(String name, MediaCounters counters, Supplier<Set<Integer>> allowed) {
      super(name, counters);
      this.allowed = allowed;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (!packet.isRtp() || packet.length() > RTP_BYTES_MAX || !allowed.get().contains(packet.payloadType())) {
        drop(packet);
      } else {
        pass(packet);
      }
    }
  }

  /**
   * Accepts a side's packets only from the address that is surely that side's ({@link MediaLeg#owns}: the one
   * latched, else the one its SDP names) and latches it. The caller's side ({@code latchesOthers}) may also
   * latch, once, another port on its SDP's host: phones behind NAT send from another port than they announce
   * (symmetric RTP, RFC 4961); it does so only once the trunk's SDP is known, so that the trunk's first packets
   * (the trunk sends from where its SDP says) are never taken for the caller's. Everything else is dropped,
   * so nobody can inject audio into a call or take a stream over.
   */
  static final class SourceLatch extends MediaNode {
    private final MediaLeg leg;
    private final MediaLeg other;
    private final boolean latchesOthers;

    SourceLatch(String name, MediaCounters counters, MediaLeg leg, MediaLeg other, boolean latchesOthers) {
      super(name, counters);
      this.leg = leg;
      this.other = other;
      this.latchesOthers = latchesOthers;
    }

    @Override
    public void accept(MediaPacket packet) {
      InetSocketAddress from = packet.senderAddress();
      boolean ok = leg.owns(from)
          || (latchesOthers && !leg.latched() && other.known() && leg.acceptsFrom(from));
      if (!ok) {
        drop(packet);
        return;
      }
      leg.heard(from);
      pass(packet);
    }
  }

  /**
   * The call's one port carries both sides (and their RTCP where they multiplex it): a datagram from the
   * trunk's address ({@link MediaLeg#owns}) goes down the trunk side's path, anything else down the caller
   * side's, whose latch decides; RTCP (second byte 192-223, RFC 5761 section 4) goes to the RTCP relay.
   */
  static final class Demux extends MediaNode {
    private final MediaLeg b;
    private final MediaNode aPath;
    private final MediaNode bPath;
    private final RtcpRelay rtcp;

    Demux(String name, MediaCounters counters, MediaLeg b, MediaNode aPath, MediaNode bPath, RtcpRelay rtcp) {
      super(name, counters);
      this.b = b;
      this.aPath = aPath;
      this.bPath = bPath;
      this.rtcp = rtcp;
    }

    @Override
    public void accept(MediaPacket packet) {
      boolean fromB = b.owns(packet.senderAddress());
      pass(packet);
      if (RtcpRelay.isMuxedRtcp(packet)) rtcp.fromMuxed(fromB, packet);
      else (fromB ? bPath : aPath).accept(packet);
    }
  }

  /** Sends out of the other leg's socket to that leg's peer; drops while the peer is unknown or on hold. */
  static final class Send extends MediaNode {
    private final MediaLeg out;

    Send(String name, MediaCounters counters, MediaLeg out) {
      super(name, counters);
      this.out = out;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (out.send(packet.bytes())) pass(packet);
      else drop(packet);
    }
  }
}
