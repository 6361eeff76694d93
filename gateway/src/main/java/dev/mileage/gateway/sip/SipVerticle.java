package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaIo;
import dev.mileage.gateway.media.PortPool;
import dev.mileage.points.metering.Meter;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.message.SIPMessage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ProxyRequireHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.UserAgentHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The SIP side of the gateway. jain-sip calls back on its own threads; every event is handed, without
 * blocking, to one of several event-loop contexts chosen by its Call-ID ({@link CallShards}), so one
 * call's events are handled in order by one thread while calls as a whole use every core. Each shard has
 * its own {@link B2bua}; what they share (source limits, digest nonces, registrations, call limits, media
 * ports) is thread safe. This class is the front door (limits, sanity, extensions, OPTIONS, REGISTER).
 */
public final class SipVerticle extends VerticleBase implements SipService {
  private static final Logger LOG = Logger.getLogger(SipVerticle.class.getName());
  /** Option tags we implement (RFC 3262, RFC 4028); a Require of anything else gets 420. */
  static final Set<String> SUPPORTED_EXTENSIONS = Set.of("100rel", "timer");
  static final Set<String> KNOWN_NOT_ALLOWED = Set.of("SUBSCRIBE", "NOTIFY", "REFER", "PUBLISH", "INFO", "MESSAGE");

  private final SipOptions options;
  private final SubscriberStore subscribers;
  private final Supplier<Meter> meter;
  private final Clock clock;
  private final MediaCounters mediaCounters = new MediaCounters();
  private SipEndpoint sip;
  private SipResponses responses;
  private SipAuth auth;
  private SourceGuard guard;
  private final Registrar registrar = new Registrar();
  private final CallShards shards = new CallShards(CallShards.defaultShards());
  private final OverloadGate gate;
  /**
   * Requests refused for overload in the last 32 s (64 x T1, an INVITE client transaction's life): their
   * retransmissions get the same 503 without asking the gate again, so a caller whose 503 was lost never sees
   * its retransmitted INVITE admitted after it has given up.
   */
  private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> refusedRecently =
      com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(REFUSED_REMEMBERED_MAX)
          .expireAfterWrite(java.time.Duration.ofSeconds(32)).build();
  /** Refused requests remembered at most (a minute of refusals at 3,000/s). */
  static final int REFUSED_REMEMBERED_MAX = 200_000;
  /** To tags of our stateless overload 503s start with this; the ACKs for them are dropped at the door. */
  static final String OVERLOAD_TAG_PREFIX = "ovl";
  /** One per shard, each touched only on its own context. */
  private B2bua[] b2buas;
  private io.vertx.core.internal.ContextInternal[] shardContexts;
  private PortPool ports;
  /** Calls admitted at once: the configured limit, or less if media ports or file descriptors say so. */
  private volatile int callsMax;
  private MediaIo mediaIo;
  private Listener listener;
  /** Browser calls (SIP over WebSocket, WebRTC media); null: phones only. */
  private final BrowserCalls browser;

  public SipVerticle(SipOptions options, SubscriberStore subscribers, Supplier<Meter> meter, Clock clock) {
    this(options, subscribers, meter, clock, null);
  }

  public SipVerticle(SipOptions options, SubscriberStore subscribers, Supplier<Meter> meter, Clock clock,
                     BrowserCalls browser) {
    this.options = Objects.requireNonNull(options, "options");
    this.subscribers = Objects.requireNonNull(subscribers, "subscribers");
    this.meter = Objects.requireNonNull(meter, "meter");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.browser = browser;
    this.gate = new OverloadGate(shards.count(), options.overloadDelay());
  }

  @Override
  public Future<?> start() {
    guard = new SourceGuard(options.requestsPerSourcePerSecond(), options.authFailuresPerSourceMax(),
        options.banDuration(), clock);
    ports = new PortPool(vertx, options.host(), options.rtpPortMin(), options.rtpPortMax());
    mediaIo = new MediaIo("media-io", MediaIo.defaultThreads());
    listener = new Listener();
    return vertx.executeBlocking(() -> SipEndpoint.start(options.host(), options.port(), options.messageBytesMax(), listener,
            browser, listener::flowClosed))
        .map(endpoint -> {
          sip = endpoint;
          SipIntake intake = SipIntake.of(sip);
          if (!intake.measured()) LOG.warning("overload control cannot see jain-sip's UDP queue (unexpected jain-sip)");
          if (!intake.streamMeasured()) {
            LOG.warning("overload control cannot see jain-sip's TCP/WebSocket queue (unexpected jain-sip)");
          }
          gate.watchIntake(intake);
          responses = new SipResponses(sip);
          auth = new SipAuth(sip, responses, subscribers, guard,
              new DigestAuth(options.realm(), options.nonceLifetime(), clock), options.sha256First());
          CallCapacity.Capacity capacity = CallCapacity.of(options.callsMax(), ports.capacity(),
              CallCapacity.processFdLimit());
          if (capacity.bound() != CallCapacity.Bound.CONFIGURED) {
            LOG.warning(() -> "calls limited to " + capacity.callsMax() + " (configured " + options.callsMax()
                + ") by " + capacity.bound() + ": open-file limit " + CallCapacity.processFdLimit() + ", "
                + ports.capacity() + " media port pairs, one socket per call where both legs multiplex RTCP");
          }
          callsMax = capacity.callsMax();
          CallLimits limits = new CallLimits(capacity.callsMax(), options.callsPerAccountMax(),
              CallCapacity.budget(CallCapacity.processFdLimit()));
          Meter m = meter.get();
          shardContexts = new io.vertx.core.internal.ContextInternal[shards.count()];
          b2buas = new B2bua[shards.count()];
          for (int i = 0; i < shards.count(); i++) {
            shardContexts[i] = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
            b2buas[i] = new B2bua(vertx, shardContexts[i], i, limits, sip, responses, auth, m, options, ports, mediaIo,
                mediaCounters, clock, browser, gate);
          }
          listener.ready = true;
          LOG.info(() -> "SIP on " + sip.host + ":" + sip.port + " (UDP, TCP), trunk " + options.trunkUri());
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    SipEndpoint s = sip;
    if (s == null) return Future.succeededFuture();
    listener.ready = false;
    List<Future<Void>> ended = new ArrayList<>();
    if (b2buas != null) {
      for (int i = 0; i < b2buas.length; i++) {
        B2bua b = b2buas[i];
        ended.add(onShard(i, b::shutdown));
      }
    }
    return Future.join(ended).eventually(() -> {
      if (mediaIo != null) mediaIo.close();
      return vertx.executeBlocking(() -> {
        s.stop();
        return null;
      });
    });
  }

  /** New calls and registrations refused with 503 by overload control ({@link OverloadGate}) since start. */
  public long overloadRefused() {
    return gate.refused();
  }

  /** The overload gate (tests drive its intake signal to stand for a backlog inside jain-sip). */
  OverloadGate gate() {
    return gate;
  }

  /** Calls admitted at once (see {@link CallCapacity}); 0 before start. */
  public int callsMax() {
    return callsMax;
  }

  @Override public int port() { return sip.port; }
  @Override public String host() { return sip.host; }
  @Override public SubscriberStore subscribers() { return subscribers; }
  @Override public Map<String, Long> mediaCounters() { return mediaCounters.snapshot(); }

  /** The meter this gateway charges calls with. */
  public Meter meter() {
    return b2buas[0].meter;
  }

  public int mediaPortsInUse() {
    return ports.inUse();
  }

  /** Media sockets open now (one per call where both legs multiplex RTCP, two otherwise). */
  public int mediaSocketsOpen() {
    return ports.socketsOpen();
  }

  /** {@code action} on shard {@code i}'s context; its answer comes back on the caller's context. */
  private <T> Future<T> onShard(int i, java.util.function.Supplier<T> action) {
    Promise<T> p = ((io.vertx.core.internal.ContextInternal) context).promise();
    shardContexts[i].runOnContext(v -> {
      try {
        p.complete(action.get());
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  private Future<Void> onShard(int i, Runnable action) {
    return onShard(i, () -> {
      action.run();
      return null;
    });
  }

  @Override
  public Future<List<LiveCall>> liveCalls() {
    List<Future<List<LiveCall>>> parts = new ArrayList<>();
    for (int i = 0; i < b2buas.length; i++) {
      B2bua b = b2buas[i];
      parts.add(onShard(i, b::liveCalls));
    }
    return Future.all(parts).map(all -> {
      List<LiveCall> out = new ArrayList<>();
      for (Future<List<LiveCall>> f : parts) out.addAll(f.result());
      return out;
    });
  }

  @Override
  public Future<Boolean> endCall(String callId) {
    List<Future<Boolean>> parts = new ArrayList<>();
    for (int i = 0; i < b2buas.length; i++) {
      B2bua b = b2buas[i];
      parts.add(onShard(i, () -> b.endByOperator(callId)));
    }
    return Future.all(parts).map(all -> parts.stream().anyMatch(Future::result));
  }

  /** Calls per browser flow in the shards' flow indexes, summed (tests: empty once every call has ended). */
  Future<java.util.Map<String, Integer>> flowIndex() {
    List<Future<java.util.Map<String, Integer>>> parts = new ArrayList<>();
    for (int i = 0; i < b2buas.length; i++) {
      B2bua b = b2buas[i];
      parts.add(onShard(i, b::flowIndex));
    }
    return Future.all(parts).map(all -> {
      java.util.Map<String, Integer> out = new java.util.HashMap<>();
      for (Future<java.util.Map<String, Integer>> f : parts) f.result().forEach((flow, n) -> out.merge(flow, n, Integer::sum));
      return out;
    });
  }

  /** Lifts a ban on {@code source} (an operator's decision, or a test's). */
  Future<Void> unban(String source) {
    guard.unban(source);
    return Future.succeededFuture();
  }

  /** Counts used by tests and metrics. */
  public Future<Integer> callCount() {
    return liveCalls().map(List::size);
  }

  private void onRequest(RequestEvent event, B2bua b2bua) {
    Request request = event.getRequest();
    String method = request.getMethod();
    String source = sourceOf(event);
    if (Request.ACK.equals(method)) {
      b2bua.onAck(event);
      return;
    }
    if (guard.onRequest(source, agentOf(request), SourceGuard.transactionKey(request)) == SourceGuard.Verdict.BANNED) {
      return; // dropped: an answer would only feed a flood or a scanner
    }
    ServerTransaction st = event.getServerTransaction();
    if (st == null) RequestChecks.completeRfc2543(request, sip.headers);
    if (st == null) {
      try {
        st = sip.provider.getNewServerTransaction(request);
      } catch (javax.sip.TransactionAlreadyExistsException retransmission) {
        return;
      } catch (javax.sip.TransactionUnavailableException e) {
        // e.g. a request the stack cannot track; answer statelessly where possible
        if (!Request.CANCEL.equals(method)) responses.sendStateless(sip.provider, responses.create(400, request, null));
        return;
      }
    }
    if (request instanceof SIPMessage m && m.getSize() > options.messageBytesMax()) {
      responses.send(st, request, Response.MESSAGE_TOO_LARGE, null);
      return;
    }
    int malformed = RequestChecks.check(request);
    if (malformed != 0) {
      Response r = responses.create(malformed, request, null);
      try {
        r.setReasonPhrase(RequestChecks.reasonPhrase(request, malformed));
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
      responses.send(st, r);
      return;
    }
    MaxForwardsHeader mf = (MaxForwardsHeader) request.getHeader(MaxForwardsHeader.NAME);
    if (mf != null && mf.getMaxForwards() == 0 && !Request.OPTIONS.equals(method) && !Request.CANCEL.equals(method)
        && event.getDialog() == null) {
      responses.send(st, request, Response.TOO_MANY_HOPS, null);
      return;
    }
    if (!Request.CANCEL.equals(method) && !unsupported(request).isEmpty()) {
      Response r = responses.create(Response.BAD_EXTENSION, request, null);
      try {
        r.setHeader(sip.headers.createUnsupportedHeader(String.join(", ", unsupported(request))));
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
      responses.send(st, r);
      return;
    }
    switch (method) {
      case Request.INVITE -> b2bua.onInvite(event, st, source);
      case Request.CANCEL -> b2bua.onCancel(event, st);
      case Request.BYE -> b2bua.onBye(event, st);
      case Request.UPDATE -> b2bua.onUpdate(event, st);
      case Request.PRACK -> responses.send(st, request, Response.OK, null);
      case Request.OPTIONS -> options(st, request);
      case Request.REGISTER -> register(st, request, source);
      default -> {
        if (KNOWN_NOT_ALLOWED.contains(method)) {
          Response r = responses.create(Response.METHOD_NOT_ALLOWED, request, null);
          try {
            responses.allow(r);
          } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
          }
          responses.send(st, r);
        } else {
          responses.send(st, request, Response.NOT_IMPLEMENTED, null);
        }
      }
    }
  }

  private static String sourceOf(RequestEvent event) {
    return event instanceof RequestEventExt ext && ext.getRemoteIpAddress() != null ? ext.getRemoteIpAddress() : "unknown";
  }

  private static String agentOf(Request request) {
    UserAgentHeader ua = (UserAgentHeader) request.getHeader(UserAgentHeader.NAME);
    return ua == null ? null : String.join(" ", toList(ua.getProduct()));
  }

  /** What admitting {@code request} would cost ({@link OverloadGate.Kind}). */
  static OverloadGate.Kind overloadKind(Request request) {
    String method = request.getMethod();
    boolean fresh = Request.REGISTER.equals(method)
        || Request.INVITE.equals(method) && ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() == null;
    if (!fresh) return OverloadGate.Kind.ADMITTED;
    boolean answersChallenge = request.getHeader(AuthorizationHeader.NAME) != null
        || request.getHeader(ProxyAuthorizationHeader.NAME) != null;
    return answersChallenge ? OverloadGate.Kind.AUTHENTICATED : OverloadGate.Kind.NEW;
  }

  /**
   * Whether new work of this {@code kind} ({@link SourceGuard#transactionKey}: {@code transaction}) is more than
   * the gateway can take now, or the retransmission of a request it refused. Runs on jain-sip's thread.
   */
  private boolean refusedForOverload(int shard, OverloadGate.Kind kind, String transaction) {
    if (refusedRecently.getIfPresent(transaction) == null && gate.admits(shard, kind)) return false;
    refusedRecently.put(transaction, Boolean.TRUE);
    return true;
  }

  /**
   * 503 with Retry-After, on jain-sip's thread, for new work the gateway is too loaded to take. Over UDP
   * stateless (RFC 3261 8.2.7), as overload calls for: no transaction, no retransmission timers, nothing
   * queued; the To tag derives from the request, so a retransmission gets the same answer, and the caller's ACK
   * for it is dropped at the door. Over TCP and WebSocket through a server transaction, which answers on the
   * caller's own connection (RFC 3261 18.2.2): a browser's Via names no reachable host, and a reliable
   * transport has no retransmissions to save. A banned source is dropped as usual.
   */
  private void refuseOverloaded(RequestEvent event, String transaction) {
    Request request = event.getRequest();
    if (guard.onRequest(sourceOf(event), agentOf(request), transaction) == SourceGuard.Verdict.BANNED) return;
    String tag = OVERLOAD_TAG_PREFIX + Integer.toHexString(transaction.hashCode());
    Response r = responses.create(Response.SERVICE_UNAVAILABLE, request, tag);
    try {
      r.setHeader(sip.headers.createRetryAfterHeader(OverloadGate.RETRY_AFTER_SECONDS));
    } catch (javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    if (via == null || "UDP".equalsIgnoreCase(via.getTransport())) {
      responses.sendStateless(sip.provider, r);
      return;
    }
    ServerTransaction st = event.getServerTransaction();
    if (st == null) {
      try {
        st = sip.provider.getNewServerTransaction(request);
      } catch (javax.sip.TransactionAlreadyExistsException | javax.sip.TransactionUnavailableException e) {
        return; // the first copy was answered, or the connection is gone
      }
    }
    responses.send(st, r);
  }

  /** The ACK of one of our stateless overload 503s: RFC 3261 8.2.7, a stateless UAS ignores it. */
  static boolean acksOverloadRefusal(Request request) {
    if (!Request.ACK.equals(request.getMethod())) return false;
    String tag = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
    return tag != null && tag.startsWith(OVERLOAD_TAG_PREFIX);
  }

  private static List<String> toList(java.util.ListIterator<?> it) {
    List<String> l = new ArrayList<>();
    while (it.hasNext()) l.add(String.valueOf(it.next()));
    return l;
  }

  private static List<String> unsupported(Request request) {
    List<String> out = new ArrayList<>();
    for (String name : List.of(RequireHeader.NAME, ProxyRequireHeader.NAME)) {
      var it = request.getHeaders(name);
      while (it.hasNext()) {
        Object h = it.next();
        String tag = h instanceof RequireHeader r ? r.getOptionTag()
            : h instanceof ProxyRequireHeader p ? p.getOptionTag() : null;
        if (tag != null && !SUPPORTED_EXTENSIONS.contains(tag.trim().toLowerCase(Locale.ROOT))) out.add(tag.trim());
      }
    }
    return out;
  }

  private void options(ServerTransaction st, Request request) {
    Response r = responses.create(Response.OK, request, null);
    try {
      responses.allow(r);
      r.setHeader(sip.headers.createAcceptHeader("application", "sdp"));
      r.setHeader(sip.headers.createSupportedHeader(SipResponses.SUPPORTED));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
    responses.send(st, r);
  }

  private void register(ServerTransaction st, Request request, String source) {
    auth.authenticate(st, request, source).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "REGISTER failed", ar.cause());
        responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
        return;
      }
      SubscriberStore.Subscriber who = ar.result();
      if (who == null) return; // challenged or refused already
      // a browser's contact is reachable only over the connection it registered on (RFC 7118 5)
      String flow = browser != null && browser.isBrowserTransport(B2bua.transportOf(request)) ? Flow.of(request) : null;
      new RegisterHandler(sip, responses, registrar, clock).handle(st, request, who, flow);
    });
  }

  private final class Listener implements SipListener {
    volatile boolean ready;

    /** Hands the event to its call's shard (never blocks jain-sip's thread). */
    private void hop(int shard, Runnable action) {
      if (!ready) return;
      long stamp = gate.enqueued(shard);
      shardContexts[shard].runOnContext(v -> {
        gate.started(shard, stamp);
        try {
          action.run();
        } catch (RuntimeException e) {
          // a bug must not take the SIP side down; the request just gets no answer
          LOG.log(Level.SEVERE, "SIP event handling failed", e);
        }
      });
    }

    @Override public void processRequest(RequestEvent event) {
      if (!ready) return;
      if (acksOverloadRefusal(event.getRequest())) return;
      int i = shards.of(event);
      try {
        OverloadGate.Kind kind = overloadKind(event.getRequest());
        if (kind != OverloadGate.Kind.ADMITTED) {
          String transaction = SourceGuard.transactionKey(event.getRequest());
          if (refusedForOverload(i, kind, transaction)) {
            refuseOverloaded(event, transaction);
            return;
          }
        }
      } catch (RuntimeException e) {
        LOG.log(Level.SEVERE, "SIP overload control failed", e);
        return;
      }
      hop(i, () -> onRequest(event, b2buas[i]));
    }

    @Override public void processResponse(ResponseEvent event) {
      int i = shards.of(event);
      hop(i, () -> {
        b2buas[i].onResponse(event);
      });
    }

    @Override public void processTimeout(TimeoutEvent event) {
      int i = shards.of(event);
      hop(i, () -> {
        b2buas[i].onTimeout(event);
      });
    }
    /**
     * A browser's connection closed ({@link BrowserCalls#configureStack}; on jain-sip's I/O thread): its
     * registrations go now, and every shard ends the calls that came over it, since a call's shard follows
     * its Call-ID, not its connection.
     */
    void flowClosed(String flow) {
      if (!ready) return;
      int dropped = registrar.dropFlow(flow);
      if (dropped > 0) LOG.fine(() -> "browser connection closed: " + dropped + " registrations dropped");
      for (int i = 0; i < b2buas.length; i++) {
        B2bua b = b2buas[i];
        hop(i, () -> b.onFlowClosed(flow));
      }
    }

    @Override public void processIOException(IOExceptionEvent event) { }
    @Override public void processTransactionTerminated(TransactionTerminatedEvent event) { }
    @Override public void processDialogTerminated(DialogTerminatedEvent event) {
      int i = shards.of(event);
      hop(i, () -> b2buas[i].onDialogTerminated(event));
    }
  }
}
