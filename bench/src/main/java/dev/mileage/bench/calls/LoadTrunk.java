package dev.mileage.bench.calls;

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
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * A lean PSTN trunk for load: answers every INVITE at once with 200 and an SDP answer pointing at one shared
 * sink socket, answers BYE, CANCEL, OPTIONS and re-INVITE. No per-call sockets or threads, so 10,000
 * concurrent calls cost the trunk only its dialog state (sip-fixtures' {@code SimulatedTrunk} opens an RTP
 * endpoint with two threads per call: right for functional tests, too heavy to stand beside a load test on two
 * cores; {@code --trunk-kind fixtures} uses it anyway).
 */
final class LoadTrunk implements SipListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LoadTrunk.class.getName());
  static final int LISTENER_THREADS = 2;

  private final SipStack stack;
  private final SipProvider provider;
  private final MessageFactory messages;
  private final HeaderFactory headers;
  private final AddressFactory addresses;
  private final DatagramSocket rtpSink;
  private final int port;
  private final byte[] sdp;
  final LongAdder invites = new LongAdder();
  final LongAdder byes = new LongAdder();
  final LongAdder cancels = new LongAdder();

  LoadTrunk(int requestedPort) throws Exception {
    rtpSink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    port = requestedPort == 0 ? Ports.freeUdpAndTcp() : requestedPort;
    stack = SipStacks.create("bench-trunk", LISTENER_THREADS);
    SipFactory factory = SipFactory.getInstance();
    messages = factory.createMessageFactory();
    headers = factory.createHeaderFactory();
    addresses = factory.createAddressFactory();
    ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
    ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
    provider = stack.createSipProvider(udp);
    provider.addListeningPoint(tcp);
    provider.addSipListener(this);
    stack.start();
    sdp = ("v=0\r\no=pstn 1 1 IN IP4 127.0.0.1\r\ns=pstn\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio "
        + rtpSink.getLocalPort() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n")
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  String host() { return "127.0.0.1"; }
  int port() { return port; }

  /** What the gateway is configured with. */
  String uri() {
    return "sip:pstn@127.0.0.1:" + port;
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    if (request.getMethod().equals(Request.ACK)) return;
    try {
      ServerTransaction tx = event.getServerTransaction() != null ? event.getServerTransaction()
          : provider.getNewServerTransaction(request);
      switch (request.getMethod()) {
        case Request.INVITE -> answer(tx, request);
        case Request.BYE -> {
          byes.increment();
          tx.sendResponse(messages.createResponse(Response.OK, request));
        }
        case Request.CANCEL -> {
          cancels.increment();
          tx.sendResponse(messages.createResponse(Response.OK, request));
        }
        case Request.OPTIONS, Request.UPDATE -> tx.sendResponse(messages.createResponse(Response.OK, request));
        default -> tx.sendResponse(messages.createResponse(Response.NOT_IMPLEMENTED, request));
      }
    } catch (Exception e) {
      LOG.fine("trunk could not answer " + request.getMethod() + ": " + e);
    }
  }

  private void answer(ServerTransaction tx, Request request) throws Exception {
    invites.increment();
    Response ok = messages.createResponse(Response.OK, request);
    ToHeader to = (ToHeader) ok.getHeader(ToHeader.NAME);
    if (to.getTag() == null) to.setTag(Long.toHexString(ThreadLocalRandom.current().nextLong()));
    SipURI contact = addresses.createSipURI("pstn", "127.0.0.1");
    contact.setPort(port);
    ok.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
    ContentTypeHeader type = headers.createContentTypeHeader("application", "sdp");
    ok.setContent(sdp, type);
    tx.sendResponse(ok);
  }

  @Override public void processResponse(ResponseEvent event) {}
  @Override public void processTimeout(TimeoutEvent event) {}
  @Override public void processIOException(IOExceptionEvent event) {}
  @Override public void processTransactionTerminated(TransactionTerminatedEvent event) {}
  @Override public void processDialogTerminated(DialogTerminatedEvent event) {}

  @Override
  public void close() {
    stack.stop();
    rtpSink.close();
  }
}
