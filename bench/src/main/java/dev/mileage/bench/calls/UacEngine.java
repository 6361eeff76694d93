package dev.mileage.bench.calls;

import gov.nist.javax.sip.Utils;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.HeaderFactory;
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
  /**
   * @param sources loopback source addresses 127.0.0.1 .. 127.0.0.N the calls are spread over, as many phones
   *                would be (a gateway limits requests per source address)
   */
  record Settings(String targetHost, int targetPort, Transport transport, Digest.Algorithm digest, Duration hold,
                  Duration setupTimeout, int sources, Duration rtpInterval) {
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
      if (sources < 1 || sources > SOURCES_MAX) throw new IllegalArgumentException("sources in [1, " + SOURCES_MAX + "]");
      Objects.requireNonNull(rtpInterval, "rtpInterval");
      if (rtpInterval.isNegative() || (!rtpInterval.isZero() && rtpInterval.toMillis() < 20)) {
        throw new IllegalArgumentException("rtpInterval: 0 (off) or at least 20 ms");
      }
    }

    Settings(String targetHost, int targetPort, Transport transport, Digest.Algorithm digest, Duration hold,
             Duration setupTimeout) {
      this(targetHost, targetPort, transport, digest, hold, setupTimeout, 1, Duration.ZERO);
    }
  }

  /** Source addresses at most: 127.0.0.1 .. 127.0.0.250, all loopback. */
  static final int SOURCES_MAX = 250;

  /** One source address: its provider and where it listens (Via, Contact). */
  record Source(SipProvider provider, String host, int port) {}

  private final Settings settings;
  private final CallStats stats;
  private final LongSupplier nanoTime;
  private final SipStack stack;
  private final List<Source> sources = new ArrayList<>();
  final MessageFactory messages;
  final HeaderFactory headers;
  final AddressFactory addresses;
  private final ScheduledThreadPoolExecutor timer;
  private final RtpSource media;
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
    this.media = new RtpSource();
    this.stack = SipStacks.create("bench-uac", LISTENER_THREADS, false);
    try {
      SipFactory factory = SipFactory.getInstance();
      messages = factory.createMessageFactory();
      headers = factory.createHeaderFactory();
      addresses = factory.createAddressFactory();
      for (int i = 1; i <= settings.sources(); i++) {
        String host = "127.0.0." + i;
        int port = Ports.freeUdpAndTcp(InetAddress.getByName(host));
        ListeningPoint udp = stack.createListeningPoint(host, port, ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(host, port, ListeningPoint.TCP);
        SipProvider provider = stack.createSipProvider(settings.transport() == Transport.TCP ? tcp : udp);
        provider.addListeningPoint(settings.transport() == Transport.TCP ? udp : tcp);
        provider.addSipListener(this);
        sources.add(new Source(provider, host, port));
      }
      stack.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot start the UAC stack", e);
    }
  }

  private Source sourceOf(SipProvider provider) {
    for (Source source : sources) if (source.provider() == provider) return source;
    return sources.get(0);
  }

  /** The source address for call {@code index}: round robin. */
  Source source(long index) {
    return sources.get((int) (index % sources.size()));
  }

  int rtpPort() {
    return media.port();
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
  void placeCall(long index, long intendedStartNanos, Subscriber subscriber, String number, Runnable onEnd) {
    stats.callStarted();
    if (calls.size() >= CALLS_TRACKED_MAX) {
      stats.failed("generator-overload");
      stats.callEnded();
      onEnd.run();
      return;
    }
    UacCall call;
    try {
      call = new UacCall(this, source(index), subscriber, number, intendedStartNanos, onEnd);
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
  CallStats stats() { return stats; }
  long now() { return nanoTime.getAsLong(); }

  /** CANCELs sent off the timer thread; bounded: past the bound an INVITE is left to time out (Timer B). */
  static final int CANCELS_QUEUED_MAX = 10_000;
  private final java.util.concurrent.ThreadPoolExecutor canceller = new java.util.concurrent.ThreadPoolExecutor(1, 1,
      0, TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(CANCELS_QUEUED_MAX), r -> {
        Thread t = new Thread(r, "bench-uac-cancel");
        t.setDaemon(true);
        return t;
      }, new java.util.concurrent.ThreadPoolExecutor.DiscardPolicy());

  void cancelLater(Source source, javax.sip.ClientTransaction invite) {
    canceller.execute(() -> {
      try {
        source.provider().getNewClientTransaction(invite.createCancel()).sendRequest();
      } catch (Exception e) {
        showError("CANCEL not sent", e);
      }
    });
  }

  void schedule(Runnable task, long atNanos) {
    timer.schedule(task, Math.max(0, atNanos - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
  }

  void forget(UacCall call) {
    calls.remove(call.callId(), call);
  }

  byte[] sdp(String sessionId) {
    return media.sdp(sessionId);
  }

  void sendRtp(InetSocketAddress to, int sequence, int ssrc) {
    if (!media.send(to, sequence, ssrc)) ioErrors.increment();
  }

  long rtpPacketsSent() {
    return media.packetsSent();
  }

  final LongAdder ackErrors = new LongAdder();
  private final java.util.concurrent.atomic.AtomicInteger errorsShown = new java.util.concurrent.atomic.AtomicInteger();
  static final int ERRORS_SHOWN_MAX = 5;

  /** A local failure to build or send a message: the first few are shown with their cause. */
  void showError(String what, Exception e) {
    if (errorsShown.incrementAndGet() <= ERRORS_SHOWN_MAX) LOG.warning(what + ": " + e);
  }

  // ---- SipListener: jain-sip threads ----
  @Override
  public void processResponse(ResponseEvent event) {
    Response response = event.getResponse();
    String callId = ((CallIdHeader) response.getHeader(CallIdHeader.NAME)).getCallId();
    UacCall call = calls.get(callId);
    CSeqHeader cseq = (CSeqHeader) response.getHeader(CSeqHeader.NAME);
    if (call == null) {
      if (cseq.getMethod().equals(Request.INVITE) && response.getStatusCode() / 100 == 2) {
        lateAnswers.increment(); // answered after we gave up: ACK and hang up so nothing is left billing
        InDialog.ackAndHangUp(this, sourceOf((SipProvider) event.getSource()), response);
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
        transaction = ((SipProvider) event.getSource()).getNewServerTransaction(request);
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
    canceller.shutdownNow();
    if (stack != null) {
      for (Source source : sources) {
        try {
          source.provider().removeSipListener(this);
          stack.deleteSipProvider(source.provider());
        } catch (Exception ignored) {
          // stopping anyway
        }
      }
      stack.stop();
    }
    media.close();
  }
}
