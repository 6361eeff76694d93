package dev.mileage.bench.calls;

import gov.nist.javax.sip.message.SIPRequest;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A lean PSTN trunk for load: answers every INVITE at once with 200 and an SDP answer pointing at one shared
 * sink socket, answers BYE, CANCEL, OPTIONS and re-INVITE, absorbs ACKs. Stateless (RFC 3261 8.2.7): no
 * server transactions, no dialogs, no per-call sockets, threads or timers. A retransmitted request gets the
 * same answer again (the To tag derives from the Call-ID), and since no 100 Trying is sent, a caller that
 * loses the 200 keeps retransmitting its INVITE until it hears one, which stands in for the 2xx
 * retransmissions a stateful UAS would do. A stack-managed server transaction costs a 500 ms timer task for
 * its whole life (a BYE's: 32 s on UDP), which at 1,000 calls/s made the trunk a large share of the bench's
 * CPU. sip-fixtures' {@code SimulatedTrunk} opens an RTP endpoint with two threads per call: right for
 * functional tests, too heavy beside a load test on two cores; {@code --trunk-kind fixtures} uses it anyway.
 */
final class LoadTrunk implements SipListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LoadTrunk.class.getName());
  static final int LISTENER_THREADS = 2;

  private final SipStack stack;
  private final SipProvider provider;
  private final MessageFactory messages;
  private final DatagramSocket rtpSink;
  private final int port;
  private final byte[] sdp;
  /** The same answer with {@code a=rtcp-mux}, for offers that have it (RFC 5761 5.1.2). */
  private final byte[] sdpMuxed;
  /** Shared by every response: jain-sip only reads a header while encoding it. */
  private final ContactHeader contact;
  private final ContentTypeHeader sdpType;
  private final String tagPrefix = Integer.toHexString(ThreadLocalRandom.current().nextInt() | 1);
  final LongAdder invites = new LongAdder();
  final LongAdder byes = new LongAdder();
  final LongAdder cancels = new LongAdder();

  LoadTrunk(int requestedPort) throws Exception {
    rtpSink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    port = requestedPort == 0 ? Ports.freeUdpAndTcp() : requestedPort;
    stack = SipStacks.create("bench-trunk", LISTENER_THREADS, false);
    SipFactory factory = SipFactory.getInstance();
    messages = factory.createMessageFactory();
    HeaderFactory headers = factory.createHeaderFactory();
    AddressFactory addresses = factory.createAddressFactory();
    ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
    ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
    provider = stack.createSipProvider(udp);
    provider.addListeningPoint(tcp);
    provider.addSipListener(this);
    SipURI contactUri = addresses.createSipURI("pstn", "127.0.0.1");
    contactUri.setPort(port);
    contact = headers.createContactHeader(addresses.createAddress(contactUri));
    sdpType = headers.createContentTypeHeader("application", "sdp");
    stack.start();
    sdp = ("v=0\r\no=pstn 1 1 IN IP4 127.0.0.1\r\ns=pstn\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
        + rtpSink.getLocalPort() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] mux = "a=rtcp-mux\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    sdpMuxed = java.util.Arrays.copyOf(sdp, sdp.length + mux.length);
    System.arraycopy(mux, 0, sdpMuxed, sdp.length, mux.length);
  }

  String host() { return "127.0.0.1"; }
  int port() { return port; }

  /** What the gateway is configured with. */
  String uri() {
    return "sip:pstn@127.0.0.1:" + port;
  }

  @Override
  public void processRequest(RequestEvent event) {
    SIPRequest request = (SIPRequest) event.getRequest();
    String method = request.getMethod();
    if (method.equals(Request.ACK)) return;
    try {
      Response response = switch (method) {
        case Request.INVITE -> answer(request);
        case Request.BYE -> {
          byes.increment();
          yield messages.createResponse(Response.OK, request);
        }
        case Request.CANCEL -> { // too late to cancel: every INVITE is answered at once
          cancels.increment();
          yield messages.createResponse(Response.OK, request);
        }
        case Request.OPTIONS, Request.UPDATE -> messages.createResponse(Response.OK, request);
        default -> messages.createResponse(Response.NOT_IMPLEMENTED, request);
      };
      provider.sendResponse(response);
    } catch (Exception e) {
      LOG.fine("trunk could not answer " + method + ": " + e);
    }
  }

  private Response answer(SIPRequest request) throws Exception {
    if (request.getTo().getTag() == null) invites.increment(); // not a re-INVITE
    Response ok = messages.createResponse(Response.OK, request);
    ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
    // the same tag for a retransmitted INVITE: the caller sees one dialog however often it asks
    if (to.getTag() == null) to.setTag(tagPrefix + Integer.toHexString(request.getCallId().getCallId().hashCode()));
    ok.setHeader(contact);
    ok.setContent(RtpSource.offersRtcpMux(request.getRawContent()) ? sdpMuxed : sdp, sdpType);
    return ok;
  }

  @Override public void processResponse(ResponseEvent event) {}
  @Override public void processTimeout(TimeoutEvent event) {}
  @Override public void processIOException(IOExceptionEvent event) {}
  @Override public void processTransactionTerminated(TransactionTerminatedEvent event) {}
  @Override public void processDialogTerminated(DialogTerminatedEvent event) {}

  @Override
  public void close() {
    // any stop shuts jain-sip's shared post-parsing pool down for every stack in the JVM; this one makes it
    // again for a fixtures stack that still runs (the SimulatedTrunk of `calls --trunk-kind fixtures` and of tests)
    dev.mileage.fixtures.sip.SipStacks.stop(stack);
    rtpSink.close();
  }
}
