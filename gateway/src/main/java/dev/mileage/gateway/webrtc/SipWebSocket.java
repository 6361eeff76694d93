package dev.mileage.gateway.webrtc;

import javax.sip.ListeningPoint;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import java.util.Properties;

/**
 * SIP over WebSocket (RFC 7118) for browsers, on jain-sip-ri's own WS transport: a "WS" listening point
 * added to the gateway's provider, so requests from browsers reach the same listener (and B2BUA) as UDP
 * and TCP ones; the B2BUA stays transport-neutral. jain-sip answers the upgrade with
 * {@code Sec-WebSocket-Protocol: sip}; WSS is the same with a "WSS" listening point and the stack's TLS
 * key store properties. The gateway installs {@link WebSocketFlows} instead of the plain NIO factory
 * ({@link #configure}), so that a browser's connection closing ends its calls and registrations.
 */
public final class SipWebSocket {
  /** The stack property that turns on jain-sip's NIO processors, which carry the WS transport. */
  public static final String NIO_FACTORY = "gov.nist.javax.sip.stack.NioMessageProcessorFactory";

  private SipWebSocket() {
  }

  /**
   * Adds what the stack needs for WS to its creation properties (call before {@code createSipStack}): jain-sip's
   * plain NIO processors, which do not report closed connections ({@link WebSocketFlows} does).
   */
  public static void configure(Properties stackProperties) {
    stackProperties.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", NIO_FACTORY);
  }

  /** Listens for SIP over WebSocket on {@code host:port} and delivers to {@code provider}'s listener. */
  public static ListeningPoint listen(SipStack stack, SipProvider provider, String host, int port) throws Exception {
    ListeningPoint ws = stack.createListeningPoint(host, port, "WS");
    provider.addListeningPoint(ws);
    return ws;
  }
}
