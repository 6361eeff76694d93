package dev.mileage.gateway.media;

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
   * Accepts packets only from the host the leg's SDP names, and learns (latches) the port they come
   * from: phones behind NAT send from another port than they announce (symmetric RTP, RFC 4961).
   * Packets from any other host are dropped, so nobody can inject audio into a call.
   */
  static final class SourceLatch extends MediaNode {
    private final MediaLeg leg;

    SourceLatch(String name, MediaCounters counters, MediaLeg leg) {
      super(name, counters);
      this.leg = leg;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (!leg.acceptsFrom(packet.senderAddress())) {
        drop(packet);
        return;
      }
      leg.heard(packet.senderAddress());
      pass(packet);
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
