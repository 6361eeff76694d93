package dev.mileage.bench.calls;

import gov.nist.javax.sip.Utils;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
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
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The SIP user agent client of the load generator: many calls on one jain-sip stack. Each call is INVITE,
 * digest challenge, INVITE with credentials, 200, ACK, hold, BYE, 200. Setup latency runs from the call's
 * intended start in the open-loop schedule to the 200; teardown latency from the intended BYE time to its 200.
 */
final class UacEngine implements SipListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UacEngine.class.getName());
  /** Calls tracked at once; the load's concurrency cap must stay below it. */
  static final int CALLS_TRACKED_MAX = 100_000;
  static final int LISTENER_THREADS = 4;

  enum Transport { UDP, TCP }

  /**
   * @param setupTimeout an unanswered INVITE is cancelled after this (counted as {@code setup-timeout})
   */
  record Settings(String targetHost, int targetPort, Transport transport, Digest.Algorithm digest, Duration hold,
                  Duration setupTimeout) {
    Settings {
      Objects.requireNonNull(targetHost, "targetHost");
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(digest, "digest");
      Objects.requireNonNull(hold, "hold");
      Objects.requireNonNull(setupTimeout, "setupTimeout");
      if (!InetAddress.getLoopbackAddress().getHostAddress().equals(targetHost) && !targetHost.equals("127.0.0.1")
          && !targetHost.equals("::1") && !targetHost.equals("localhost")) {
        throw new IllegalArgumentException("load is only ever sent to loopback, not " + targetHost);
      }
      if (targetPort <= 0 || targetPort > 65535) throw new IllegalArgumentException("targetPort: " + targetPort);
      if (hold.isNegative()) throw new IllegalArgumentException("hold must be >= 0");
    }
  }

  private final Settings settings;
  private final CallStats stats;
  private final LongSupplier nanoTime;
  private final SipStack stack;
  private final SipProvider provider;
  private final ListeningPoint listeningPoint;
  final MessageFactory messages;
  final HeaderFactory headers;
  final AddressFactory addresses;
  private final ScheduledThreadPoolExecutor timer;
  private final DatagramSocket rtpSink;
  private final Map<String, UacCall> calls = new ConcurrentHashMap<>();
  final LongAdder ioErrors = new LongAdder();
  final LongAdder lateAnswers = new LongAdder();
  final LongAdder requestsFromGateway = new LongAdder();

  UacEngine(Settings settings, CallStats stats, LongSupplier nanoTime) {
    this.settings = settings;
    this.stats = stats;
    this.nanoTime = nanoTime;
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "bench-uac-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    try {
      // the SDP offer points at a real socket (media the gateway relays lands here and is dropped by the kernel)
      this.rtpSink = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (SocketException e) {
      throw new IllegalStateException("cannot bind the RTP sink", e);
    }
    this.stack = SipStacks.create("bench-uac", LISTENER_THREADS);
    try {
      SipFactory factory = SipFactory.getInstance();
      messages = factory.createMessageFactory();
      headers = factory.createHeaderFactory();
      addresses = factory.createAddressFactory();
      int port = Ports.freeUdpAndTcp();
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      ListeningPoint tcp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP);
      provider = stack.createSipProvider(settings.transport() == Transport.TCP ? tcp : udp);
      provider.addListeningPoint(settings.transport() == Transport.TCP ? udp : tcp);
      listeningPoint = settings.transport() == Transport.TCP ? tcp : udp;
      provider.addSipListener(this);
      stack.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot start the UAC stack", e);
    }
  }

  int localPort() {
    return listeningPoint.getPort();
  }

  int rtpPort() {
    return rtpSink.getLocalPort();
  }

  Settings settings() {
    return settings;
  }

  int callsInFlight() {
    return calls.size();
  }

  /**
   * Starts one call now (on the caller's thread: it only builds and sends the INVITE).
   *
   * @param onEnd run exactly once when the call is over, however it ends
   */
  void placeCall(long intendedStartNanos, Subscriber subscriber, String number, Runnable onEnd) {
    stats.callStarted();
    if (calls.size() >= CALLS_TRACKED_MAX) {
      stats.failed("generator-overload");
      stats.callEnded();
      onEnd.run();
      return;
    }
    UacCall call;
    try {
      call = new UacCall(this, subscriber, number, intendedStartNanos, onEnd);
    } catch (Exception e) {
      LOG.warning("cannot build an INVITE: " + e);
      stats.failed("build-error");
      stats.callEnded();
      onEnd.run();
      return;
    }
    calls.put(call.callId(), call);
    timer.schedule(() -> call.setupDeadline(), settings.setupTimeout().toNanos(), TimeUnit.NANOSECONDS);
    call.sendInvite(null, nanoTime.getAsLong());
  }

  // ---- called by UacCall ----
  SipProvider provider() { return provider; }
  ListeningPoint listeningPoint() { return listeningPoint; }
  CallStats stats() { return stats; }
  long now() { return nanoTime.getAsLong(); }

  void schedule(Runnable task, long atNanos) {
    timer.schedule(task, Math.max(0, atNanos - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
  }

  void forget(UacCall call) {
    calls.remove(call.callId(), call);
  }

  byte[] sdp(String sessionId) {
    String sdp = "v=0\r\no=bench " + sessionId + " 1 IN IP4 127.0.0.1\r\ns=bench\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        + "m=audio " + rtpSink.getLocalPort() + " RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n";
    return sdp.getBytes(StandardCharsets.US_ASCII);
  }

  // ---- SipListener: jain-sip threads ----
  @Override
  public void processResponse(ResponseEvent event) {
    Response response = event.getResponse();
    String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
    UacCall call = calls.get(callId);
    CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
    if (call == null) {
      if (cseq.getMethod().equals(Request.INVITE) && response.getStatusCode() / 100 == 2 && event.getDialog() != null) {
        lateAnswers.increment(); // answered after we gave up: ACK and hang up so nothing is left billing
        UacCall.ackAndHangUp(this, event.getDialog(), cseq.getSeqNumber());
      }
      return;
    }
    call.onResponse(event, cseq);
  }

  @Override
  public void processRequest(RequestEvent event) {
    Request request = event.getRequest();
    requestsFromGateway.increment();
    try {
      ServerTransaction transaction = event.getServerTransaction();
      if (transaction == null && !request.getMethod().equals(Request.ACK)) {
        transaction = provider.getNewServerTransaction(request);
      }
      String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
      UacCall call = calls.get(callId);
      switch (request.getMethod()) {
        case Request.ACK -> { }
        case Request.BYE -> {
          transaction.sendResponse(messages.createResponse(call == null ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST
              : Response.OK, request));
          if (call != null) call.onRemoteBye();
        }
        case Request.OPTIONS, Request.UPDATE, Request.INFO, Request.NOTIFY ->
            transaction.sendResponse(messages.createResponse(Response.OK, request));
        case Request.INVITE -> UacCall.answerReInvite(this, transaction, request, call);
        default -> transaction.sendResponse(messages.createResponse(Response.NOT_IMPLEMENTED, request));
      }
    } catch (Exception e) {
      LOG.fine("cannot answer " + request.getMethod() + ": " + e);
    }
  }

  @Override
  public void processTimeout(TimeoutEvent event) {
    if (event.isServerTransaction()) return;
    Request request = event.getClientTransaction().getRequest();
    String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    UacCall call = calls.get(callId);
    if (call != null) call.onTimeout(request.getMethod());
  }

  @Override
  public void processIOException(IOExceptionEvent event) {
    ioErrors.increment();
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent event) {}

  @Override
  public void processDialogTerminated(DialogTerminatedEvent event) {}

  /** Ends every call still in flight as failed with {@code reason} (the run's drain deadline passed). */
  List<UacCall> abandonAll(String reason) {
    List<UacCall> left = new ArrayList<>(calls.values());
    for (UacCall call : left) call.abandon(reason);
    return left;
  }

  /** The challenge headers of a 401/407, most preferred algorithm first. */
  static List<WWWAuthenticateHeader> challenges(Response response, Digest.Algorithm preferred) {
    String name = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED ? "Proxy-Authenticate"
        : "WWW-Authenticate";
    List<WWWAuthenticateHeader> found = new ArrayList<>();
    ListIterator<?> it = response.getHeaders(name);
    while (it.hasNext()) {
      WWWAuthenticateHeader header = (WWWAuthenticateHeader) it.next();
      String algorithm = header.getAlgorithm() == null ? "MD5" : header.getAlgorithm();
      if (algorithm.equalsIgnoreCase(preferred.token)) found.add(0, header);
      else found.add(header);
    }
    return found;
  }

  static String newBranch() {
    return Utils.getInstance().generateBranchId();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    if (stack != null) {
      try {
        if (provider != null) {
          provider.removeSipListener(this);
          stack.deleteSipProvider(provider);
        }
      } catch (Exception ignored) {
        // stopping anyway
      }
      stack.stop();
    }
    rtpSink.close();
  }
}
