package dev.mileage.bench.calls;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The SIP user agent client of the load generator: many calls on one jain-sip stack, used statelessly. Each
 * call is INVITE, digest challenge, ACK, INVITE with credentials, 200, ACK, hold, BYE, 200. Requests go out
 * through {@link SipProvider#sendRequest} without jain-sip client transactions or dialogs; each call keeps its
 * own RFC 3261 timers ({@link ClientTx}) on one shared {@link CallTimers} wheel, and every response, first or
 * retransmitted, reaches the call by Call-ID. Setup latency runs from the call's intended start in the
 * open-loop schedule to the 200; teardown latency from the intended BYE time to its 200.
 */
final class UacEngine implements SipListener, AutoCloseable {
  private static final Logger LOG = Logger.getLogger(UacEngine.class.getName());
  /** Calls tracked at once; the load's concurrency cap must stay below it. */
  static final int CALLS_TRACKED_MAX = 100_000;
  /**
   * jain-sip threads that parse and dispatch per source address (each source also has its receive thread):
   * one, since a call's events are ordered by its own lock and more threads per socket only add hand-offs.
   */
  static final int LISTENER_THREADS = 1;

  enum Transport { UDP, TCP }

  /**
   * @param setupTimeout an unanswered INVITE is cancelled after this (counted as {@code setup-timeout})
   * @param sources      loopback source addresses 127.0.0.1 .. 127.0.0.N the calls are spread over, as many
   *                     phones would be (a gateway limits requests per source address)
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

  /** One source address: its provider, where it listens (Via, Contact) and its INVITE template. */
  record Source(SipProvider provider, String host, int port, Request inviteTemplate) {}

  private final Settings settings;
  private final CallStats stats;
  private final LongSupplier nanoTime;
  private final SipStack stack;
  private final List<Source> sources = new ArrayList<>();
  final MessageFactory messages;
  final HeaderFactory headers;
  final AddressFactory addresses;
  final CallTimers timers;
  final Digest.Cache digests = new Digest.Cache();
  private final RtpSource media;
  private final MaxForwardsHeader maxForwards;
  private final String transportToken;
  private final Map<String, UacCall> calls = new ConcurrentHashMap<>();
  /** Calls started and not yet counted (a counted call may linger in {@link #calls} to finish a transaction). */
  private final AtomicInteger unfinished = new AtomicInteger();
  /** Branches, Call-IDs and tags: a per-run random prefix and a counter, unique without hashing anything. */
  private final String idPrefix = Long.toHexString(ThreadLocalRandom.current().nextLong() | (1L << 62));
  private final AtomicLong ids = new AtomicLong();
  final LongAdder ioErrors = new LongAdder();
  final LongAdder lateAnswers = new LongAdder();
  final LongAdder requestsFromGateway = new LongAdder();
  final LongAdder retransmissions = new LongAdder();
  final LongAdder ackErrors = new LongAdder();
  private final AtomicInteger errorsShown = new AtomicInteger();
  static final int ERRORS_SHOWN_MAX = 5;

  UacEngine(Settings settings, CallStats stats, LongSupplier nanoTime) {
    this.settings = settings;
    this.stats = stats;
    this.nanoTime = nanoTime;
    this.transportToken = settings.transport().name().toLowerCase(Locale.ROOT);
    this.media = new RtpSource();
    this.timers = new CallTimers(nanoTime, "bench-uac-timers");
    this.stack = SipStacks.create("bench-uac", LISTENER_THREADS, false);
    try {
      SipFactory factory = SipFactory.getInstance();
      messages = factory.createMessageFactory();
      headers = factory.createHeaderFactory();
      addresses = factory.createAddressFactory();
      maxForwards = headers.createMaxForwardsHeader(70);
      String transport = settings.transport() == Transport.TCP ? ListeningPoint.TCP : ListeningPoint.UDP;
      for (int i = 1; i <= settings.sources(); i++) {
        String host = "127.0.0." + i;
        int port = Ports.freeUdpAndTcp(InetAddress.getByName(host));
        SipProvider provider = stack.createSipProvider(stack.createListeningPoint(host, port, transport));
        provider.addSipListener(this);
        sources.add(new Source(provider, host, port, inviteTemplate(host, port)));
      }
      stack.start();
    } catch (Exception e) {
      close();
      throw new IllegalStateException("cannot start the UAC stack", e);
    }
  }

  /** The INVITE every call from {@code host} starts as: cloned per call, then given its ids and caller. */
  private Request inviteTemplate(String host, int port) throws Exception {
    SipURI requestUri = addresses.createSipURI("template", settings.targetHost());
    requestUri.setPort(settings.targetPort());
    if (settings.transport() == Transport.TCP) requestUri.setTransportParam(transportToken);
    requestUri.setUserParam("phone");
    SipURI toUri = addresses.createSipURI("template", settings.targetHost());
    toUri.setUserParam("phone");
    Request invite = messages.createRequest(requestUri, Request.INVITE, headers.createCallIdHeader("template@" + host),
        headers.createCSeqHeader(1L, Request.INVITE),
        headers.createFromHeader(addresses.createAddress(addresses.createSipURI("template", settings.targetHost())), "t"),
        headers.createToHeader(addresses.createAddress(toUri), null),
        List.of(headers.createViaHeader(host, port, transportToken, newBranch())), maxForwards);
    SipURI contactUri = addresses.createSipURI("template", host);
    contactUri.setPort(port);
    if (settings.transport() == Transport.TCP) contactUri.setTransportParam(transportToken);
    invite.addHeader(headers.createContactHeader(addresses.createAddress(contactUri)));
    return invite;
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

  /** Calls started whose outcome is not counted yet. */
  int callsInFlight() {
    return unfinished.get();
  }

  /**
   * Starts one call now (on the caller's thread: it only builds and sends the INVITE).
   *
   * @param onEnd run exactly once when the call's outcome is counted, however it ends
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
      showError("cannot build an INVITE", e);
      stats.failed("build-error");
      stats.callEnded();
      onEnd.run();
      return;
    }
    unfinished.incrementAndGet();
    calls.put(call.callId(), call);
    call.start(nanoTime.getAsLong());
  }

  // ---- called by UacCall and InDialog ----
  CallStats stats() { return stats; }
  long now() { return nanoTime.getAsLong(); }
  boolean reliable() { return settings.transport() == Transport.TCP; }
  MaxForwardsHeader maxForwards() { return maxForwards; }

  String newId() {
    return idPrefix + '.' + Long.toHexString(ids.incrementAndGet());
  }

  String newBranch() {
    return "z9hG4bK" + newId();
  }

  ViaHeader via(Source source) throws Exception {
    return headers.createViaHeader(source.host(), source.port(), transportToken, newBranch());
  }

  /** Sends statelessly; false (and counted) when the stack refused. */
  boolean send(Source source, Request request) {
    try {
      source.provider().sendRequest(request);
      return true;
    } catch (SipException | RuntimeException e) {
      ioErrors.increment();
      showError(request.getMethod() + " not sent", e instanceof SipException ? e : new SipException(e.toString()));
      return false;
    }
  }

  void counted() {
    unfinished.decrementAndGet();
  }

  void forget(UacCall call) {
    calls.remove(call.callId(), call);
  }

  byte[] sdp(String sessionId, boolean rtcpMux) {
    return media.sdp(sessionId, rtcpMux);
  }

  void sendRtp(InetSocketAddress to, int sequence, int ssrc) {
    if (!media.send(to, sequence, ssrc)) ioErrors.increment();
  }

  long rtpPacketsSent() {
    return media.packetsSent();
  }

  /** A local failure to build or send a message: the first few are shown with their cause. */
  void showError(String what, Exception e) {
    if (errorsShown.incrementAndGet() <= ERRORS_SHOWN_MAX) LOG.warning(what + ": " + e);
  }

  private Source sourceOf(Object provider) {
    for (Source source : sources) if (source.provider() == provider) return source;
    return sources.get(0);
  }

  // ---- SipListener: jain-sip threads ----
  @Override
  public void processResponse(ResponseEvent event) {
    SIPResponse response = (SIPResponse) event.getResponse();
    UacCall call = calls.get(response.getCallId().getCallId());
    CSeqHeader cseq = response.getCSeq();
    if (call != null) {
      call.onResponse(response, cseq.getMethod(), cseq.getSeqNumber(), nanoTime.getAsLong());
    } else if (cseq.getMethod().equals(Request.INVITE)) {
      stray(response, sourceOf(event.getSource()));
    }
  }

  /** A final response to an INVITE of a call no longer tracked (the run was abandoned): answer it as RFC 3261 says. */
  private void stray(SIPResponse response, Source source) {
    int code = response.getStatusCode();
    if (code < 200) return;
    if (code < 300) {
      lateAnswers.increment(); // answered after we gave up: ACK and hang up so nothing is left billing
      InDialog.ackAndHangUp(this, source, response);
      return;
    }
    try { // the ACK of a non-2xx goes hop by hop on the INVITE's branch (17.1.1.3); the gateway matches on that
      Request ack = messages.createRequest(((ToHeader) response.getHeader(ToHeader.NAME)).getAddress().getURI(),
          Request.ACK, response.getCallId(), headers.createCSeqHeader(response.getCSeq().getSeqNumber(), Request.ACK),
          response.getFrom(), response.getTo(), List.of(response.getTopmostVia()), maxForwards);
      send(source, ack);
    } catch (Exception e) {
      showError("ACK of a stray response not built", e);
    }
  }

  @Override
  public void processRequest(RequestEvent event) {
    SIPRequest request = (SIPRequest) event.getRequest();
    requestsFromGateway.increment();
    String method = request.getMethod();
    if (method.equals(Request.ACK)) return;
    SipProvider provider = (SipProvider) event.getSource();
    UacCall call = calls.get(request.getCallId().getCallId());
    try {
      Response response;
      if (call == null && !method.equals(Request.OPTIONS)) {
        response = messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request);
      } else {
        response = switch (method) {
          case Request.BYE, Request.OPTIONS, Request.UPDATE, Request.INFO, Request.NOTIFY ->
              messages.createResponse(Response.OK, request);
          case Request.INVITE -> call.reInviteAnswer(request); // a session refresh or hold
          case Request.CANCEL -> messages.createResponse(Response.OK, request);
          default -> messages.createResponse(Response.NOT_IMPLEMENTED, request);
        };
      }
      provider.sendResponse(response); // stateless: a retransmitted request gets the same answer again
      if (call != null && method.equals(Request.BYE)) call.onRemoteBye();
    } catch (Exception e) {
      LOG.fine("cannot answer " + method + ": " + e);
    }
  }

  @Override
  public void processTimeout(TimeoutEvent event) {} // no stack transactions: the calls time themselves

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
    List<UacCall> left = new ArrayList<>();
    for (UacCall call : new ArrayList<>(calls.values())) {
      if (call.abandon(reason)) left.add(call);
    }
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

  @Override
  public void close() {
    timers.close();
    if (stack != null) {
      for (Source source : sources) {
        try {
          source.provider().removeSipListener(this);
          stack.deleteSipProvider(source.provider());
        } catch (Exception ignored) {
          // stopping anyway
        }
      }
      // any stop shuts jain-sip's shared post-parsing pool down for every stack in the JVM; this one makes it
      // again for a fixtures stack that still runs (the SimulatedTrunk of `calls --trunk-kind fixtures` and of tests)
      dev.mileage.fixtures.sip.SipStacks.stop(stack);
    }
    media.close();
  }
}
