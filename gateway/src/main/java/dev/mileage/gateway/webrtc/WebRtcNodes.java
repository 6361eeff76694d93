package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaNode;
import dev.mileage.gateway.media.MediaPacket;
import io.vertx.core.buffer.Buffer;

/**
 * The nodes of the browser leg's media path. Each does one thing and counts what it passes and drops;
 * {@link WebRtcTopology} chains them.
 */
final class WebRtcNodes {
  /** RTP above this is not G.711 at any sane ptime; SRTP adds a 10-byte tag. */
  static final int PACKET_BYTES_MAX = 1500;

  private WebRtcNodes() {
  }

  /** Entry of a socket: counts arrivals. */
  static final class Receive extends MediaNode {
    Receive(String name, MediaCounters counters) {
      super(name, counters);
    }

    @Override
    public void accept(MediaPacket packet) {
      if (packet.length() > PACKET_BYTES_MAX) drop(packet);
      else pass(packet);
    }
  }

  /** RFC 7983: STUN to ICE, DTLS to the handshake, SRTP/SRTCP on; anything else is dropped. */
  static final class Demux extends MediaNode {
    private final MediaNode ice;
    private final MediaNode dtls;

    Demux(String name, MediaCounters counters, MediaNode ice, MediaNode dtls) {
      super(name, counters);
      this.ice = ice;
      this.dtls = dtls;
    }

    @Override
    public void accept(MediaPacket packet) {
      switch (PacketKind.of(packet.data().getBytes())) {
        case STUN -> ice.accept(packet);
        case DTLS -> dtls.accept(packet);
        case RTP, RTCP -> pass(packet);
        default -> drop(packet);
      }
    }
  }

  /**
   * Passes what {@code admits} accepts and drops the rest: the path's checks (an ICE check answered, a DTLS record
   * taken by the handshake, media from the selected pair or the relay, a negotiated payload type), each named
   * where {@link WebRtcTopology} declares it.
   */
  static final class Gate extends MediaNode {
    private final java.util.function.Predicate<MediaPacket> admits;

    Gate(String name, MediaCounters counters, java.util.function.Predicate<MediaPacket> admits) {
      super(name, counters);
      this.admits = admits;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (admits.test(packet)) pass(packet);
      else drop(packet);
    }
  }

  /**
   * SRTP/SRTCP, authenticated and decrypted; anything that fails authentication (plain RTP included) is
   * dropped. Decrypted RTCP is terminated here (counted in {@code rtcp}); the trunk side keeps its own RTCP.
   * Two kinds of refusal are counted apart, so that {@code dropped} means packets that failed authentication,
   * which is what an operator watches: a browser, as DTLS client, may send its first packets before our side
   * of the handshake has installed the keys ({@code beforeKeys}); and a packet already received, or older
   * than the replay window, is refused as RFC 3711 3.3.2 requires without being a forgery ({@code replayed}).
   */
  static final class Decrypt extends MediaNode {
    private final WebRtcLeg leg;
    private final MediaNode rtcp;
    private final MediaNode beforeKeys;
    private final MediaNode replayed;

    Decrypt(String name, MediaCounters counters, WebRtcLeg leg, MediaNode rtcp, MediaNode beforeKeys, MediaNode replayed) {
      super(name, counters);
      this.leg = leg;
      this.rtcp = rtcp;
      this.beforeKeys = beforeKeys;
      this.replayed = replayed;
    }

    @Override
    public void accept(MediaPacket packet) {
      SrtpSession srtp = leg.srtp();
      if (srtp == null) {
        beforeKeys.accept(packet);
        return;
      }
      byte[] in = packet.data().getBytes();
      boolean isRtcp = PacketKind.of(in) == PacketKind.RTCP;
      byte[] out = isRtcp ? srtp.unprotectRtcp(in) : srtp.unprotectRtp(in);
      if (out == null) {
        if (srtp.lastFailureWasReplay()) replayed.accept(packet);
        else drop(packet);
      } else if (isRtcp) {
        rtcp.accept(new MediaPacket(Buffer.buffer(out), packet.sender()));
      } else {
        pass(new MediaPacket(Buffer.buffer(out), packet.sender()));
      }
    }
  }

  /** A sink that only counts (terminated RTCP). */
  static final class Count extends MediaNode {
    Count(String name, MediaCounters counters) {
      super(name, counters);
    }

    @Override
    public void accept(MediaPacket packet) {
      pass(packet);
    }
  }

  /** Plain G.711 RTP to the relay (the trunk leg's anchor). */
  static final class Relay extends MediaNode {
    private final WebRtcLeg leg;

    Relay(String name, MediaCounters counters, WebRtcLeg leg) {
      super(name, counters);
      this.leg = leg;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (leg.sendToRelay(packet.data())) pass(packet);
      else drop(packet);
    }
  }

  /** Encrypts with the leg's SRTP keys; drops while the keys do not exist yet. */
  static final class Encrypt extends MediaNode {
    private final WebRtcLeg leg;

    Encrypt(String name, MediaCounters counters, WebRtcLeg leg) {
      super(name, counters);
      this.leg = leg;
    }

    @Override
    public void accept(MediaPacket packet) {
      SrtpSession srtp = leg.srtp();
      byte[] out = srtp == null ? null : srtp.protectRtp(packet.data().getBytes());
      if (out == null) drop(packet);
      else pass(new MediaPacket(Buffer.buffer(out), packet.sender()));
    }
  }

  /** To the browser's selected address; drops while ICE has not selected one. */
  static final class SendToBrowser extends MediaNode {
    private final WebRtcLeg leg;

    SendToBrowser(String name, MediaCounters counters, WebRtcLeg leg) {
      super(name, counters);
      this.leg = leg;
    }

    @Override
    public void accept(MediaPacket packet) {
      if (leg.sendToBrowser(packet.data())) pass(packet);
      else drop(packet);
    }
  }
}
