package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.SipStacks;

import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.text.ParseException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's jain-sip stack: one provider listening on UDP and TCP on one port (a free one for port
 * 0), its factories, and a clean stop (jain-sip's event scanner thread is not a daemon). Further
 * transports (WebSocket, RFC 7118) are more listening points on the same provider.
 */
final class SipEndpoint {
  private static final AtomicInteger STACKS = new AtomicInteger();
  private static final int PORT_ATTEMPTS_MAX = 20;
  /**
   * UDP socket buffers of the SIP port. jain-sip's default (64 KiB) holds a few dozen messages: one
   * stall of its single reader thread on a busy machine overflows it, the kernel drops datagrams, and
   * every drop costs the caller a retransmission timer (0.5, 1, 2, 4 s) - setup latency in seconds at
   * 0.5 cores. The kernel caps this at net.core.rmem_max / wmem_max.
   */
  static final int UDP_BUFFER_BYTES = 8 << 20;

  final SipStack stack;
  final SipProvider provider;
  final String host;
  final int port;
  final MessageFactory messages;
  final HeaderFactory headers;
  final AddressFactory addresses;

  private SipEndpoint(SipStack stack, SipProvider provider, String host, int port) throws IOException {
    this.stack = stack;
    this.provider = provider;
    this.host = host;
    this.port = port;
    try {
      SipFactory f = SipFactory.getInstance();
      messages = f.createMessageFactory();
      headers = f.createHeaderFactory();
      addresses = f.createAddressFactory();
    } catch (javax.sip.PeerUnavailableException e) {
      throw new IOException(e);
    }
  }

  /** Blocking: call from a worker thread. */
  static SipEndpoint start(String host, int port, int messageBytesMax, SipListener listener) throws IOException {
    return start(host, port, messageBytesMax, listener, null, flow -> { });
  }

  /**
   * The same, plus the browser transports (WS/WSS) of {@code browser} when it is not null; {@code flowClosed}
   * hears of every browser connection that closes ({@link BrowserCalls#configureStack}).
   */
  static SipEndpoint start(String host, int port, int messageBytesMax, SipListener listener, BrowserCalls browser,
                           java.util.function.Consumer<String> flowClosed) throws IOException {
    IOException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
      int candidate = port != 0 ? port : freePort(host);
      Properties p = new Properties();
      p.setProperty("javax.sip.STACK_NAME", "mileage-gateway-" + STACKS.incrementAndGet());
      p.setProperty("gov.nist.javax.sip.STACK_LOGGER", dev.mileage.fixtures.sip.SipStackLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", dev.mileage.fixtures.sip.SipServerLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
      p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "on");
      p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(messageBytesMax));
      p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "8");
      p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
      p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
      p.setProperty("gov.nist.javax.sip.MAX_SERVER_TRANSACTIONS", "100000");
      p.setProperty("gov.nist.javax.sip.MAX_CLIENT_TRANSACTIONS", "100000");
      p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", "10000");
      // the blocking TCP/TLS transports (no browsers) parse on this pool, one per JVM (SipStacks keeps it while this
      // stack runs; SipIntake watches its queue); with browsers, TCP and WS run on NIO and parse on the stack's own
      // executor instead (GatewaySipStack, StreamDispatch)
      p.setProperty("gov.nist.javax.sip.TCP_POST_PARSING_THREAD_POOL_SIZE", "4");
      p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(UDP_BUFFER_BYTES));
      p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(UDP_BUFFER_BYTES));
      // RFC 4475 refusals jain-sip's parser is too lenient for: marked here, answered 400 by RequestChecks
      p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", StrictMessageParserFactory.class.getName());
      // RFC 3262 3: jain-sip drops a PRACK that matches nothing; this answers it 481
      p.setProperty("gov.nist.javax.sip.SIP_EVENT_INTERCEPTOR", UnmatchedPrack.class.getName());
      if (browser != null) browser.configureStack(p, flowClosed);
      SipStack stack = null;
      try {
        SipFactory.getInstance().setPathName("gov.nist");
        // jain-sip's own stack, but a second INVITE while the first is unanswered gets 500, not 491 (RFC 3261 14.2)
        stack = new GatewaySipStack(p);
        SipStacks.register(stack, p); // its post-parsing pool outlives other stacks' stops
        ListeningPoint udp = stack.createListeningPoint(host, candidate, ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(host, candidate, ListeningPoint.TCP);
        SipProvider provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        if (browser != null) browser.listen(stack, provider, host);
        provider.addSipListener(listener);
        provider.setAutomaticDialogSupportEnabled(true);
        stack.start();
        return new SipEndpoint(stack, provider, host, candidate);
      } catch (Exception e) {
        if (stack != null) SipStacks.stop(stack);
        last = new IOException("cannot listen for SIP on " + host + ":" + candidate, e);
        if (port != 0) break;
      }
    }
    throw last;
  }

  static int freePort(String host) throws IOException {
    InetAddress address = InetAddress.getByName(host);
    for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
      try (ServerSocket tcp = new ServerSocket()) {
        tcp.bind(new InetSocketAddress(address, 0));
        int port = tcp.getLocalPort();
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port))) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free UDP+TCP port on " + host);
  }

  /** Our Contact for a leg that uses {@code transport} (udp, tcp, ws, ...). */
  ContactHeader contact(String transport) throws ParseException {
    SipURI uri = addresses.createSipURI("gw", host);
    ListeningPoint lp = transport == null ? null : provider.getListeningPoint(transport);
    uri.setPort(lp != null ? lp.getPort() : port);
    if (transport != null && !transport.equalsIgnoreCase("udp")) uri.setTransportParam(transport.toLowerCase());
    return headers.createContactHeader(addresses.createAddress(uri));
  }

  void stop() {
    SipStacks.stop(stack);
  }
}
