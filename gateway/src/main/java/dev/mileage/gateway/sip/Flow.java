package dev.mileage.gateway.sip;

import javax.sip.message.Request;
import java.net.InetAddress;

/**
 * The connection a request came over, as a key: our listening port and the peer's address and port. Over a
 * WebSocket (RFC 7118 5) that connection is the only way back to the browser, so it is the flow its dialogs
 * and registrations live on: when the WebSocket layer reports the key closed, they end. The same key is made
 * on both sides ({@link #key}), so the B2BUA needs nothing of the transport but this string.
 */
public final class Flow {
  private Flow() {
  }

  /** The flow of a connection to our {@code localPort} from {@code peer:peerPort}. */
  public static String key(int localPort, InetAddress peer, int peerPort) {
    return localPort + "/" + peer.getHostAddress() + ":" + peerPort;
  }

  /** The flow {@code request} arrived on, or null when jain-sip did not record where it came from. */
  static String of(Request request) {
    gov.nist.javax.sip.message.SIPRequest in = (gov.nist.javax.sip.message.SIPRequest) request;
    InetAddress address = in.getPeerPacketSourceAddress() != null ? in.getPeerPacketSourceAddress() : in.getRemoteAddress();
    int port = in.getPeerPacketSourceAddress() != null ? in.getPeerPacketSourcePort() : in.getRemotePort();
    if (address == null || port <= 0 || in.getLocalPort() <= 0) return null;
    return key(in.getLocalPort(), address, port);
  }
}
