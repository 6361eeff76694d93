package dev.mileage.gateway.members;

import dev.mileage.fixtures.sip.SipStacks;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import javax.sip.ClientTransaction;
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
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends SMS as SIP MESSAGE requests (RFC 3428) over UDP to the SMSC: Request-URI and To are
 * {@code sip:<number>@<smsc host:port>}, the body is {@code text/plain}. A 2xx means the SMSC took it.
 * MMS-like messages carry a {@code multipart/mixed} body (text and images); RFC 3428 keeps a MESSAGE over
 * UDP under 1300 bytes, so a larger one goes over TCP (congestion-controlled) to the same SMSC.
 * jain-sip answers on its own threads; results are handed back to the caller's Vert.x context.
 */
public final class SipSmsSender implements SmsSender {
  public static final int TEXT_LENGTH_MAX = 160;
  public static final int IN_FLIGHT_MAX = 256;
  /** RFC 3428 section 8: larger MESSAGE requests need a congestion-controlled transport (TCP here). */
  public static final int UDP_MESSAGE_BYTES_MAX = 1_300;
  /** A multipart body's bound (a few barcodes and a text); real MMS allow more, the SMSC fixture takes 60 KiB. */
  public static final int MULTIPART_BODY_BYTES_MAX = 32 * 1024;
  public static final int PARTS_MAX = 24;
  /** Shorter than SIP's own 32 s transaction timeout: a person is waiting for the code. */
  public static final long SEND_TIMEOUT_MS = 5_000;
  private static final AtomicInteger STACKS = new AtomicInteger();
  private static final int PORT_ATTEMPTS_MAX = 20;

  private final SipStack stack;
  private final SipProvider provider;
  private final AddressFactory addresses;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final String smscHost;
  private final int smscPort;
  private final String localHost;
  private final int localPort;
  private final AtomicLong cseq = new AtomicLong(1);
  private final Map<String, Pending> inFlight = new ConcurrentHashMap<>();

  private record Pending(Promise<Result> promise, Context context) {
    void complete(Result r) {
      if (context == null) {
        promise.tryComplete(r);
      } else {
        context.runOnContext(v -> promise.tryComplete(r));
      }
    }
  }

  /** @param smscUri e.g. {@code sip:smsc@127.0.0.1:5070}; the local stack binds {@code localHost} on a free port */
  public SipSmsSender(String smscUri, String localHost) throws Exception {
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    this.addresses = factory.createAddressFactory();
    this.headers = factory.createHeaderFactory();
    this.messages = factory.createMessageFactory();
    SipURI smsc = (SipURI) addresses.createURI(smscUri);
    this.smscHost = smsc.getHost();
    this.smscPort = smsc.getPort() > 0 ? smsc.getPort() : 5060;
    this.localHost = localHost;
    Object[] started = start(factory, localHost);
    this.stack = (SipStack) started[0];
    this.provider = (SipProvider) started[1];
    this.localPort = (Integer) started[2];
  }

  /** A stack on a free UDP port: {stack, provider, port}. Retries if the probed port was taken meanwhile. */
  private Object[] start(SipFactory factory, String localHost) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS_MAX; attempt++) {
      Properties p = new Properties();
      p.setProperty("javax.sip.STACK_NAME", "sms-" + STACKS.incrementAndGet());
      p.setProperty("gov.nist.javax.sip.STACK_LOGGER", SipQuietLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", SipQuietLogger.Server.class.getName());
      p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
      p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
      p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "8192");
      p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "2");
      int port = freeUdpPort(localHost);
      SipStack s = factory.createSipStack(p);
      try {
        ListeningPoint lp = s.createListeningPoint(localHost, port, ListeningPoint.UDP);
        SipProvider prov = s.createSipProvider(lp);
        prov.addListeningPoint(s.createListeningPoint(localHost, port, ListeningPoint.TCP));
        prov.addSipListener(new Listener());
        s.start();
        return new Object[] {s, prov, port};
      } catch (Exception e) {
        SipStacks.stop(s);
        last = e;
      }
    }
    throw new IllegalStateException("cannot bind the SMS SIP stack on " + localHost, last);
  }

  @Override
  public Future<Result> send(String toE164, String text) {
    if (!toE164.matches("\\+[1-9][0-9]{6,14}")) throw new IllegalArgumentException("not an E.164 number");
    if (text.length() > TEXT_LENGTH_MAX) throw new IllegalArgumentException("SMS text too long");
    return sendMessage(toE164, "text", "plain", null, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Override
  public Future<Result> sendMultipart(String toE164, List<Part> parts) {
    if (!toE164.matches("\\+[1-9][0-9]{6,14}")) throw new IllegalArgumentException("not an E.164 number");
    if (parts.isEmpty() || parts.size() > PARTS_MAX) throw new IllegalArgumentException("1 to " + PARTS_MAX + " parts");
    String boundary = "mms-" + UUID.randomUUID().toString().replace("-", "");
    var body = new java.io.ByteArrayOutputStream(2048);
    for (Part p : parts) {
      if (indexOf(p.body(), boundary.getBytes(java.nio.charset.StandardCharsets.US_ASCII)) >= 0) {
        throw new IllegalStateException("a part contains the boundary"); // 128 random bits: never in practice
      }
      String head = "--" + boundary + "\r\nContent-Type: " + p.contentType() + "\r\n"
          + (p.description() == null ? "" : "Content-Description: " + p.description() + "\r\n") + "\r\n";
      body.writeBytes(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      body.writeBytes(p.body());
      body.writeBytes("\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    if (body.size() > MULTIPART_BODY_BYTES_MAX) throw new IllegalArgumentException("multipart message too large");
    return sendMessage(toE164, "multipart", "mixed", boundary, body.toByteArray());
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

  /** Over UDP when the whole request fits {@link #UDP_MESSAGE_BYTES_MAX}, else over TCP. */
  private Future<Result> sendMessage(String toE164, String type, String subType, String boundary, byte[] body) {
    if (inFlight.size() >= IN_FLIGHT_MAX) return Future.succeededFuture(Result.UNREACHABLE);
    Promise<Result> promise = Promise.promise();
    try {
      Request request = request(toE164, type, subType, boundary, body, ListeningPoint.UDP);
      if (((gov.nist.javax.sip.message.SIPMessage) request).encodeAsBytes(ListeningPoint.UDP).length > UDP_MESSAGE_BYTES_MAX) {
        request = request(toE164, type, subType, boundary, body, ListeningPoint.TCP);
      }
      var callId = (javax.sip.header.CallIdHeader) request.getHeader(javax.sip.header.CallIdHeader.NAME);
      ClientTransaction tx = provider.getNewClientTransaction(request);
      Context context = Vertx.currentContext();
      Pending pending = new Pending(promise, context);
      inFlight.put(callId.getCallId(), pending);
      if (context != null) {
        context.owner().setTimer(SEND_TIMEOUT_MS, t -> {
          if (inFlight.remove(callId.getCallId(), pending)) {
            pending.complete(Result.UNREACHABLE);
            // reported as not sent: the stack must stop retransmitting it (until SIP's own 32 s timer), or an SMSC
            // back meanwhile gets a message the gateway gave up on (a gift offer with a link that no longer works)
            try {
              tx.terminate();
            } catch (Exception e) {
              // already ended
            }
          }
        });
      }
      tx.sendRequest();
    } catch (Exception e) {
      // a malformed request or a closed stack: the SMSC was not reached
      return Future.succeededFuture(Result.UNREACHABLE);
    }
    return promise.future();
  }

  private Request request(String toE164, String type, String subType, String boundary, byte[] body, String transport)
      throws Exception {
    SipURI target = addresses.createSipURI(toE164, smscHost);
    target.setPort(smscPort);
    if (transport.equals(ListeningPoint.TCP)) target.setTransportParam("tcp");
    SipURI fromUri = addresses.createSipURI("gateway", localHost);
    fromUri.setPort(localPort);
    var callId = provider.getNewCallId();
    var contentType = headers.createContentTypeHeader(type, subType);
    if (boundary != null) contentType.setParameter("boundary", boundary);
    return messages.createRequest(target, Request.MESSAGE, callId,
        headers.createCSeqHeader(cseq.getAndIncrement(), Request.MESSAGE),
        headers.createFromHeader(addresses.createAddress(fromUri), UUID.randomUUID().toString().substring(0, 8)),
        headers.createToHeader(addresses.createAddress(target), null),
        List.of(headers.createViaHeader(localHost, localPort, transport, null)),
        headers.createMaxForwardsHeader(70), contentType, body);
  }

  @Override
  public void close() {
    inFlight.values().forEach(p -> p.complete(Result.UNREACHABLE));
    inFlight.clear();
    SipStacks.stop(stack);
  }

  private final class Listener implements SipListener {
    @Override
    public void processResponse(ResponseEvent event) {
      var response = event.getResponse();
      int status = response.getStatusCode();
      if (status < 200) return;
      var callId = ((javax.sip.header.CallIdHeader) response.getHeader(javax.sip.header.CallIdHeader.NAME)).getCallId();
      Pending p = inFlight.remove(callId);
      if (p != null) p.complete(status < 300 ? Result.DELIVERED_TO_SMSC : Result.REJECTED);
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
      var tx = event.getClientTransaction();
      if (tx == null) return;
      Pending p = inFlight.remove(tx.getRequest().getHeader(javax.sip.header.CallIdHeader.NAME) instanceof
          javax.sip.header.CallIdHeader c ? c.getCallId() : "");
      if (p != null) p.complete(Result.UNREACHABLE);
    }

    @Override public void processRequest(RequestEvent event) { }
    @Override public void processIOException(IOExceptionEvent event) { }
    @Override public void processTransactionTerminated(TransactionTerminatedEvent event) { }
    @Override public void processDialogTerminated(DialogTerminatedEvent event) { }
  }

  private static int freeUdpPort(String host) throws java.io.IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
      return s.getLocalPort();
    }
  }
}
