package dev.mileage.gateway.media;

import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.net.SocketAddress;

import java.util.Set;
import java.util.function.LongSupplier;

/**
 * One side of an anchored call: our socket on that side, the peer its SDP names, the port it really
 * sends from (latched), what it may send, and when we last heard it. Touched by the SIP verticle's
 * event loop only (sockets are created on its context).
 */
public final class MediaLeg {
  private final int localPort;
  private final LongSupplier nowMs;
  private DatagramSocket socket;
  private volatile String sdpHost;
  private volatile int sdpPort;
  private volatile SocketAddress latched;
  private volatile Set<Integer> allowed = Set.of();
  private volatile boolean receives = true;
  private volatile long lastHeardMs;

  MediaLeg(int localPort, LongSupplier nowMs) {
    this.localPort = localPort;
    this.nowMs = nowMs;
    this.lastHeardMs = nowMs.getAsLong();
  }

  void socket(DatagramSocket socket) {
    this.socket = socket;
  }

  DatagramSocket socket() {
    return socket;
  }

  public int localPort() {
    return localPort;
  }

  /** What the peer's latest SDP says: where to send, which payload types, and whether it wants audio. */
  public void remote(String host, int port, Set<Integer> payloadTypes, boolean receives) {
    boolean moved = !host.equals(sdpHost) || port != sdpPort;
    this.sdpHost = host;
    this.sdpPort = port;
    this.allowed = Set.copyOf(payloadTypes);
    this.receives = receives && port != 0;
    if (moved) latched = null;
  }

  Set<Integer> allowedPayloadTypes() {
    return allowed;
  }

  public boolean receives() {
    return receives;
  }

  /**
   * Only the SDP's host, and once latched only the port we latched on: a second source on the same host
   * cannot take the stream over. A new offer (re-INVITE) unlatches.
   */
  boolean acceptsFrom(SocketAddress sender) {
    String host = sdpHost;
    if (host == null || !(host.equals(sender.host()) || host.equals(sender.hostAddress()))) return false;
    SocketAddress l = latched;
    return l == null || l.port() == sender.port();
  }

  void heard(SocketAddress sender) {
    lastHeardMs = nowMs.getAsLong();
    if (latched == null) latched = sender;
  }

  /** Where packets for this leg go: the latched source if we heard it, else its SDP address. */
  SocketAddress peer() {
    SocketAddress l = latched;
    if (l != null) return l;
    String host = sdpHost;
    return host == null || sdpPort == 0 ? null : SocketAddress.inetSocketAddress(sdpPort, host);
  }

  public long lastHeardMs() {
    return lastHeardMs;
  }

  /** The host this leg's latest SDP names (null before any); RTCP goes to the same host. */
  public String sdpHost() {
    return sdpHost;
  }

  /** The RTP port this leg's latest SDP names (0: the stream is rejected). */
  public int sdpPort() {
    return sdpPort;
  }
}
