package dev.mileage.gateway.media;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One side of an anchored call: the call's socket (one port shared by both sides, see {@link RtpRelay}),
 * the peer its SDP names, the address it really sends from (latched), what it may send, whether it
 * multiplexes RTCP on the RTP port (RFC 5761), and when we last heard it. The SIP verticle writes what the
 * SDP says; the {@link MediaIo} thread of the call reads it per packet and latches (hence volatile).
 */
public final class MediaLeg {
  private final int localPort;
  private final LongSupplier nowMs;
  private volatile DatagramChannel channel;
  private volatile String sdpHost;
  /** The SDP host resolved once per change (null if it does not resolve: then nothing is accepted). */
  private volatile InetAddress sdpAddress;
  private volatile int sdpPort;
  /** The SDP's address as one value, compared per packet while not latched (null before any SDP). */
  private volatile InetSocketAddress sdpSocket;
  /** The SDP carries {@code a=rtcp-mux}: this side's RTCP comes and goes on the RTP port (RFC 5761). */
  private volatile boolean rtcpMux;
  /** The SDP's {@code a=rtcp} port (RFC 3605), 0 when it names none. */
  private volatile int rtcpPort;
  private volatile InetSocketAddress latched;
  /** Where packets go, resolved once per change rather than per packet. */
  private volatile InetSocketAddress sendTo;
  private volatile Set<Integer> allowed = Set.of();
  private volatile boolean receives = true;
  private volatile long lastHeardMs;
  /** Told after every SDP change (the relay binds RTP + 1 when a side stops multiplexing RTCP). */
  private volatile Runnable onRemote = () -> { };

  MediaLeg(int localPort, LongSupplier nowMs) {
    this.localPort = localPort;
    this.nowMs = nowMs;
    this.lastHeardMs = nowMs.getAsLong();
  }

  void channel(DatagramChannel channel) {
    this.channel = channel;
  }

  DatagramChannel channel() {
    return channel;
  }

  public int localPort() {
    return localPort;
  }

  /** What the peer's latest SDP says: where to send, which payload types, and whether it wants audio. */
  public void remote(String host, int port, Set<Integer> payloadTypes, boolean receives) {
    remote(host, port, payloadTypes, receives, 0);
  }

  /** As {@link #remote(String, int, Set, boolean)}, with the SDP's RTCP port ({@code a=rtcp}, 0 when absent). */
  public void remote(String host, int port, Set<Integer> payloadTypes, boolean receives, int rtcpPort) {
    remote(host, port, payloadTypes, receives, rtcpPort, false);
  }

  /** Everything one audio stream of an SDP says (see {@link SdpRewriter#audio}). */
  public void remote(SdpRewriter.Audio audio) {
    remote(audio.host(), audio.port(), audio.payloadTypes(), audio.receives(), audio.rtcpPort(), audio.rtcpMux());
  }

  /** As above, with whether the SDP multiplexes RTCP on the RTP port ({@code a=rtcp-mux}, RFC 5761). */
  public void remote(String host, int port, Set<Integer> payloadTypes, boolean receives, int rtcpPort, boolean rtcpMux) {
    if (rtcpPort < 0 || rtcpPort > 65535) throw new IllegalArgumentException("RTCP port " + rtcpPort);
    this.rtcpPort = rtcpPort;
    this.rtcpMux = rtcpMux;
    boolean moved = !host.equals(sdpHost) || port != sdpPort;
    this.sdpHost = host;
    this.sdpPort = port;
    this.allowed = Set.copyOf(payloadTypes);
    this.receives = receives && port != 0;
    if (moved) {
      InetSocketAddress resolved = new InetSocketAddress(host, port);
      sdpAddress = resolved.getAddress();
      sdpSocket = resolved;
      latched = null;
      sendTo = port == 0 ? null : resolved;
    }
    onRemote.run();
  }

  void onRemote(Runnable listener) {
    this.onRemote = listener;
  }

  /** Whether an SDP named this side's address yet. */
  boolean known() {
    return sdpSocket != null;
  }

  /** This side's SDP has {@code a=rtcp-mux}: its RTCP shares the RTP port (RFC 5761). */
  public boolean rtcpMux() {
    return rtcpMux;
  }

  Set<Integer> allowedPayloadTypes() {
    return allowed;
  }

  public boolean receives() {
    return receives;
  }

  /**
   * Whether {@code sender} is this side for sure: the address latched, or while not latched exactly the
   * address (host and port) its SDP names. The relay attributes a datagram on the shared port by this.
   */
  boolean owns(InetSocketAddress sender) {
    InetSocketAddress l = latched;
    if (l != null) return l.equals(sender);
    InetSocketAddress sdp = sdpSocket;
    return sdp != null && sdp.equals(sender);
  }

  boolean latched() {
    return latched != null;
  }

  /**
   * Only the SDP's host, and once latched only the port we latched on: a second source on the same host
   * cannot take the stream over. A new offer (re-INVITE) unlatches.
   */
  boolean acceptsFrom(InetSocketAddress sender) {
    InetAddress host = sdpAddress;
    if (host == null || !host.equals(sender.getAddress())) return false;
    InetSocketAddress l = latched;
    return l == null || l.getPort() == sender.getPort();
  }

  /** Stamps activity; the first accepted sender is latched (the address object is immutable, kept as is). */
  void heard(InetSocketAddress sender) {
    lastHeardMs = nowMs.getAsLong();
    if (latched == null) {
      latched = sender;
      sendTo = sender;
    }
  }

  /**
   * Sends {@code data} to this leg's peer from our socket on this side. False when there is nowhere to
   * send (no peer yet, on hold, closed) or the socket's buffer is full: the packet is dropped, as a
   * router would.
   */
  boolean send(ByteBuffer data) {
    DatagramChannel out = channel;
    InetSocketAddress to = sendTo;
    if (out == null || to == null || !receives) return false;
    try {
      return out.send(data, to) > 0;
    } catch (IOException e) {
      return false; // closed by the call's end meanwhile, or an ICMP error from a peer that went away
    }
  }

  /**
   * Sends an RTCP packet to this side's RTP address from the shared port (RFC 5761: it multiplexes); unlike
   * media it goes on hold too. False when there is nowhere to send or the socket's buffer is full.
   */
  boolean sendMuxed(ByteBuffer data) {
    DatagramChannel out = channel;
    InetSocketAddress to = sendTo;
    if (out == null || to == null) return false;
    try {
      return out.send(data, to) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  public long lastHeardMs() {
    return lastHeardMs;
  }

  /** The host this leg's latest SDP names (null before any); RTCP goes to the same host. */
  public String sdpHost() {
    return sdpHost;
  }

  /** Where this leg's peer takes RTCP: the SDP's {@code a=rtcp} port (RFC 3605), else RTP + 1 (RFC 3550 11). */
  public int sdpRtcpPort() {
    int r = rtcpPort;
    return r != 0 ? r : sdpPort + 1;
  }

  /** The RTP port this leg's latest SDP names (0: the stream is rejected). */
  public int sdpPort() {
    return sdpPort;
  }
}
