package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.MediaCounters;
import dev.mileage.gateway.media.MediaIo;
import dev.mileage.gateway.media.PortPool;
import dev.mileage.gateway.media.SocketBudget;
import dev.mileage.gateway.media.RtpRelay;
import dev.mileage.gateway.media.SdpRewriter;
import dev.mileage.points.metering.AuthorizeRequest;
import dev.mileage.points.metering.Authorization;
import dev.mileage.points.metering.CommandResult;
import dev.mileage.points.metering.EndReason;
import dev.mileage.points.metering.Meter;
import dev.mileage.points.metering.SessionListener;
import dev.mileage.points.metering.UsageRecord;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.DialogTerminatedEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The back-to-back user agent: a caller's INVITE becomes an authorized, metered call to the trunk.
 * INVITE -> authenticate -> caller identity -> E.164 -> offer check -> limits -> meter authorize (grant)
 * -> media ports -> INVITE trunk -> relay 18x/200/failures -> meter start at answer -> BYE, CANCEL,
 * exhaustion, session-timer expiry, media inactivity or an operator -> meter stop (CDR). One instance per
 * shard ({@link CallShards}): all its methods run on its own context, and a call lives in one shard only;
 * what shards share (limits, authentication, media ports) is thread safe.
 */
final class B2bua {
  private static final Logger LOG = Logger.getLogger(B2bua.class.getName());

  /** A call longer than this in the gateway's own setup ({@link #ownSetupDone}) is refused with 503. */
  static final long OWN_SETUP_TIMEOUT_NANOS = 10_000_000_000L;

  /** A browser's media leg binds two sockets of its own (browser side and plain side) beside the relay's. */
  static final int BROWSER_LEG_SOCKETS = 2;

  private final Vertx vertx;
  private final Context context;
  final SipEndpoint sip;
  final SipResponses responses;
  private final SipAuth auth;
  final Meter meter;
  final SipOptions options;
  private final PortPool ports;
  private final MediaIo mediaIo;
  private final MediaCounters mediaCounters;
  final Clock clock;
  final TrunkLeg trunk;
  private final CallModifier modifier;
  private final Map<String, Call> byId = new HashMap<>();
  private final Map<String, Call> byACallId = new HashMap<>();
  private final Map<String, Call> byBCallId = new HashMap<>();
  /**
   * A browser's connection (its flow) to the calls that came over it, so that its close touches only those.
   * Kept by {@link #track} and {@link #untrack}, i.e. exactly the calls in {@link #byId}: bounded as they are.
   */
  private final Map<String, java.util.Set<Call>> byFlow = new HashMap<>();
  /** Calls in the gateway's own part of their setup ({@link #ownSetupDone}), oldest first. */
  private final java.util.LinkedHashSet<Call> settingUp = new java.util.LinkedHashSet<>();
  private final CallLimits limits;
  final int shard;
  private final long inactivityTimer;
  private final BrowserCalls browser;
  private final OverloadGate gate;

  B2bua(Vertx vertx, Context context, int shard, CallLimits limits, SipEndpoint sip, SipResponses responses,
        SipAuth auth, Meter meter, SipOptions options, PortPool ports, MediaIo mediaIo, MediaCounters mediaCounters,
        Clock clock, BrowserCalls browser, OverloadGate gate) {
    this.browser = browser;
    this.gate = gate;
    this.vertx = vertx;
    this.context = context;
    this.shard = shard;
    this.limits = limits;
    this.sip = sip;
    this.responses = responses;
    this.auth = auth;
    this.meter = meter;
    this.options = options;
    this.ports = ports;
    this.mediaIo = mediaIo;
    this.mediaCounters = mediaCounters;
    this.clock = clock;
    this.trunk = new TrunkLeg(sip, options.trunkUri(), options.trunkCredentials(), shard);
    this.modifier = new CallModifier(this);
    // one sweep a second for all calls rather than a timer per call
    this.inactivityTimer = ((io.vertx.core.internal.ContextInternal) context).setPeriodic(1000, id -> sweepInactive());
  }

  List<LiveCall> liveCalls() {
    List<LiveCall> out = new ArrayList<>();
    for (Call c : byId.values()) out.add(c.view());
    return out;
  }

  boolean endByOperator(String id) {
    Call c = byId.get(id);
    if (c == null || c.ended()) return false;
    end(c, EndReason.OPERATOR, Response.TEMPORARILY_UNAVAILABLE);
    return true;
  }

  void shutdown() {
    vertx.cancelTimer(inactivityTimer);
    for (Call c : new ArrayList<>(byId.values())) end(c, EndReason.ERROR, Response.SERVICE_UNAVAILABLE);
  }

  // ---------------------------------------------------------------- caller side (A)

  void onInvite(RequestEvent event, ServerTransaction st, String source) {
    Request request = event.getRequest();
    if (((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null) {
      onUpdate(event, st); // a re-INVITE, from either leg: routed like an UPDATE
      return;
    }
    String aCallId = callId(request);
    if (byACallId.containsKey(aCallId)) {
      // a new INVITE transaction on a live call's Call-ID without a To tag: a loop or a merged request
      responses.send(st, request, Response.LOOP_DETECTED, null);
      return;
    }
    if (limits.full()) {
      responses.send(st, request, Response.SERVICE_UNAVAILABLE, null);
      return;
    }
    ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
    if (request.getRawContent() != null && (type == null || !"application".equalsIgnoreCase(type.getContentType())
        || !"sdp".equalsIgnoreCase(type.getContentSubType()))) {
      Response r = responses.create(Response.UNSUPPORTED_MEDIA_TYPE, request, null);
      try {
        r.setHeader(sip.headers.createAcceptHeader("application", "sdp"));
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
      responses.send(st, r);
      return;
    }
    long received = gate.now();
    auth.authenticate(st, request, source).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "authentication failed on a broken dependency", ar.cause());
        responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
      } else if (ar.result() != null) {
        authenticated(st, request, ar.result(), source, received);
      }
    });
  }

  private void authenticated(ServerTransaction st, Request request, SubscriberStore.Subscriber who, String source,
                             long received) {
    FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
    // the authenticated user must be the caller: nobody calls on someone else's account
    if (!(from.getAddress().getURI() instanceof SipURI fromUri) || !who.username().equals(fromUri.getUser())) {
      responses.send(st, request, Response.FORBIDDEN, null);
      return;
    }
    E164.Parsed number = E164.of(request.getRequestURI());
    if (!number.ok()) {
      responses.send(st, request, Response.ADDRESS_INCOMPLETE, null);
      return;
    }
    SessionTimers.Request timers = SessionTimers.parse(request);
    if (timers.malformed()) {
      responses.send(st, request, Response.BAD_REQUEST, null);
      return;
    }
    int sessionExpires = timers.sessionExpires();
    int minSessionExpires = (int) options.minSessionExpires().toSeconds();
    if (sessionExpires > 0 && sessionExpires < minSessionExpires) {
      if (timers.supported()) {
        Response r = responses.create(422, request, null);
        SessionTimers.addMinSe(sip, r, minSessionExpires);
        responses.send(st, r);
        return;
      }
      // RFC 4028 9: 422 only to a caller that supports timers (a proxy inserted this one); the call goes on
      // with our minimum, which the 200's Session-Expires tells every element on the path
      sessionExpires = minSessionExpires;
    }
    String offer = body(request);
    boolean fromBrowser = browser != null && browser.isBrowserTransport(transportOf(request));
    if (fromBrowser) {
      // a browser's media is DTLS-SRTP or nothing: plain RTP from that side is refused here
      String refusal = offer == null ? "no SDP offer" : browser.refusal(offer);
      if (refusal != null) {
        notAcceptable(st, request, refusal);
        return;
      }
    }
    String flow = fromBrowser ? Flow.of(request) : null;
    if (fromBrowser && !browser.flowOpen(flow)) {
      // its connection closed while the INVITE waited here: nobody could hear an answer (RFC 7118 5)
      LOG.info("a browser INVITE whose connection closed before it was handled: dropped");
      try {
        st.terminate(); // nothing was reserved; no answer could reach the browser
      } catch (javax.sip.ObjectInUseException e) {
        LOG.log(Level.FINE, "browser INVITE transaction already ending", e);
      }
      return;
    }
    SdpRewriter.Audio audio = fromBrowser ? null : SdpRewriter.audio(offer);
    if (!fromBrowser && !SdpRewriter.hasG711(audio)) {
      // no offer (we do not do delayed offer) or nothing we can relay without transcoding
      responses.send(st, request, Response.NOT_ACCEPTABLE_HERE, null);
      return;
    }
    CallLimits.Admission admission = limits.admit(who.owner());
    if (admission != CallLimits.Admission.OK) {
      responses.send(st, request,
          admission == CallLimits.Admission.ACCOUNT_BUSY ? Response.BUSY_HERE : Response.SERVICE_UNAVAILABLE, null);
      return;
    }
    // the media's descriptors at worst, before anything is reserved or bound (see CallCapacity)
    SocketBudget.Lease sockets = limits.sockets().lease(RtpRelay.SOCKETS_MAX);
    SocketBudget.Lease browserSockets = sockets == null || !fromBrowser ? null : limits.sockets().lease(BROWSER_LEG_SOCKETS);
    if (sockets == null || (fromBrowser && browserSockets == null)) {
      if (sockets != null) sockets.close();
      limits.release(who.owner());
      responses.send(st, request, Response.SERVICE_UNAVAILABLE, null);
      return;
    }
    String toTag = Long.toHexString(UUID.randomUUID().getMostSignificantBits());
    Call call = new Call(UUID.randomUUID().toString(), who.owner(), who.username(), number.number(), callId(request),
        source, clock.instant(), st, request, toTag, SessionTimers.requires100rel(request),
        timers.supported(), SessionTimers.allowsUpdate(request), sessionExpires, timers.refresher());
    call.sockets = sockets;
    call.browserSockets = browserSockets;
    call.receivedNanos = received;
    call.flow = flow;
    if (fromBrowser) call.browserOffer = offer;
    else call.aLastSdp = offer;
    track(call);
    settingUp.add(call);
    publishOldestSetup();
    responses.send(st, request, Response.TRYING, null);
    Future.fromCompletionStage(meter.authorize(AuthorizeRequest.call(call.owner, call.number, call.aCallId),
            listenerFor(call)), context)
        .onComplete(ar -> {
          if (ar.failed()) {
            LOG.log(Level.WARNING, "meter unavailable", ar.cause());
            fail(call, Response.SERVICE_UNAVAILABLE, EndReason.ERROR);
          } else {
            authorized(call, ar.result(), audio);
          }
        });
  }

  private void authorized(Call call, Authorization a, SdpRewriter.Audio aAudio) {
    if (call.ended()) {
      if (a.ok()) meter.stop(a.sessionId(), EndReason.CANCELLED);
      return;
    }
    if (!a.ok()) {
      fail(call, switch (a.result()) {
        case INVALID_DESTINATION -> Response.ADDRESS_INCOMPLETE;
        case BLOCKED_DESTINATION -> Response.FORBIDDEN;
        case NO_TARIFF -> Response.NOT_FOUND;
        case NO_ACCOUNT, INSUFFICIENT_BALANCE -> Response.PAYMENT_REQUIRED;
        case TOO_MANY_SESSIONS -> Response.BUSY_HERE;
        case METER_FULL -> Response.SERVICE_UNAVAILABLE;
        case OK -> throw new IllegalStateException("unreachable");
      }, null);
      return;
    }
    call.sessionId = a.sessionId();
    RtpRelay.open(ports, mediaIo, mediaCounters, clock::millis, call.sockets).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warning(() -> "no media relay for a call (503): " + ar.cause());
        fail(call, Response.SERVICE_UNAVAILABLE, EndReason.ERROR);
        return;
      }
      call.relay = ar.result();
      if (call.ended()) {
        call.relay.close();
        return;
      }
      ownSetupDone(call);
      if (call.browserOffer != null) {
        openBrowserLeg(call);
        return;
      }
      call.relay.a().remote(aAudio);
      inviteTrunk(call);
    });
  }

  /**
   * A browser's media leg: opened, answered early (183 with our ICE-lite/DTLS answer), and only once DTLS
   * has checked the browser's certificate against the offer's fingerprint is the trunk called. A refused
   * handshake ends the call unanswered: no trunk call, nothing billed.
   */
  private void openBrowserLeg(Call call) {
    browser.open(vertx, ports, mediaCounters, sip.host, call.browserOffer).onComplete(ar -> {
      if (ar.failed()) {
        LOG.log(Level.WARNING, "cannot open a browser media leg", ar.cause());
        fail(call, Response.SERVICE_UNAVAILABLE, EndReason.ERROR);
        return;
      }
      BrowserCalls.Leg leg = ar.result();
      if (call.ended()) {
        leg.close();
        return;
      }
      call.web = leg;
      leg.relayAt(sip.host, call.relay.a().localPort());
      String plain = leg.plainSdp();
      SdpRewriter.Audio audio = SdpRewriter.audio(plain);
      call.aLastSdp = plain;
      call.relay.a().remote(audio);
      earlyAnswer(call, leg.answerSdp(sessionNumber(call), call.aSdpVersion));
      leg.secured().onComplete(s -> {
        if (call.ended()) return;
        if (s.succeeded() && Boolean.TRUE.equals(s.result())) inviteTrunk(call);
        else fail(call, Response.NOT_ACCEPTABLE_HERE, EndReason.ERROR);
      });
    });
  }

  private void earlyAnswer(Call call, String sdp) {
    try {
      Response r;
      if (call.aReliable) {
        r = call.aInvite.getDialog().createReliableProvisionalResponse(Response.SESSION_PROGRESS);
        ((ToHeader) r.getHeader(ToHeader.NAME)).setTag(call.aToTag);
      } else {
        r = responses.create(Response.SESSION_PROGRESS, call.aRequest, call.aToTag);
      }
      r.addHeader(sip.contact(transportOf(call.aRequest)));
      r.setContent(sdp, sip.headers.createContentTypeHeader("application", "sdp"));
      call.aLastSentSdp = sdp;
      if (call.aReliable) call.aInvite.getDialog().sendReliableProvisionalResponse(r);
      else responses.send(call.aInvite, r);
    } catch (Exception e) {
      LOG.log(Level.FINE, "early answer to the browser failed", e);
    }
  }

  void notAcceptable(ServerTransaction st, Request request, String words) {
    Response r = responses.create(Response.NOT_ACCEPTABLE_HERE, request, null);
    try {
      r.setReasonPhrase("Not Acceptable Here (" + words + ")");
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
    responses.send(st, r);
  }

  private void inviteTrunk(Call call) {
    try {
      // our offer multiplexes RTCP (RFC 5761 5.1.1); P + 1 is bound if the trunk's answer does not
      String sdp = SdpRewriter.rewrite(call.aLastSdp, sip.host, call.relay.b().localPort(), sessionNumber(call),
          call.bSdpVersion, true);
      Request invite = trunk.invite(call, sdp);
      call.bLastSentSdp = sdp;
      call.bRequest = invite;
      call.bCallId = callId(invite);
      byBCallId.put(call.bCallId, call);
      call.bInvite = trunk.send(invite);
      call.state = Call.State.TRYING;
      call.ringTimer = vertx.setTimer(options.trunkTimeout().toMillis(), id -> {
        call.ringTimer = -1;
        if (!call.ended() && !call.answered()) fail(call, Response.TEMPORARILY_UNAVAILABLE, EndReason.NOT_ANSWERED);
      });
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cannot reach the trunk", e);
      fail(call, Response.SERVICE_UNAVAILABLE, EndReason.ERROR);
    }
  }

  private SessionListener listenerFor(Call call) {
    return new SessionListener() {
      @Override
      public void ending(UUID sessionId, EndReason reason) {
        // the meter decided on its own (exhaustion at the exact second, renewal failure, no answer): hang up now
        context.runOnContext(v -> {
          if (!call.ended()) end(call, reason, Response.TEMPORARILY_UNAVAILABLE);
        });
      }

      @Override
      public void ended(UsageRecord record) {
        context.runOnContext(v -> {
          if (!call.ended()) end(call, record.reason(), Response.TEMPORARILY_UNAVAILABLE);
        });
      }
    };
  }

  void onCancel(RequestEvent event, ServerTransaction st) {
    Request cancel = event.getRequest();
    Call call = byACallId.get(callId(cancel));
    if (call == null || call.aInvite == null || !branch(call.aRequest).equals(branch(cancel))) {
      responses.send(st, cancel, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    responses.send(st, cancel, Response.OK, call.aToTag); // RFC 3261 9.2: the same To tag as the INVITE's answers
    if (call.answered() || call.ended()) return; // final response already sent: no effect (RFC 3261 9.2)
    end(call, EndReason.CANCELLED, Response.REQUEST_TERMINATED);
  }

  void onBye(RequestEvent event, ServerTransaction st) {
    Request bye = event.getRequest();
    String callId = callId(bye);
    Call fromA = byACallId.get(callId);
    Call fromB = fromA == null ? byBCallId.get(callId) : null;
    if (fromA == null && fromB == null) {
      responses.send(st, bye, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    responses.send(st, bye, Response.OK, null);
    if (fromA != null) {
      fromA.aDialog = null; // that dialog is over: no BYE back to it
      end(fromA, fromA.answered() ? EndReason.CALLER_HANGUP : EndReason.CANCELLED, Response.REQUEST_TERMINATED);
    } else {
      fromB.bDialog = null;
      end(fromB, EndReason.CALLEE_HANGUP, Response.TEMPORARILY_UNAVAILABLE);
    }
  }

  /** A mid-call offer (UPDATE, or a re-INVITE) to the leg whose dialog it is on. */
  void onUpdate(RequestEvent event, ServerTransaction st) {
    Request update = event.getRequest();
    Call call = byACallId.get(callId(update));
    if (call != null && tagsMatch(update, call.aToTag, fromTag(call.aRequest))) {
      modifier.fromA(event, st);
      return;
    }
    call = call != null ? null : byBCallId.get(callId(update));
    if (call != null && call.bRequest != null
        && tagsMatch(update, fromTag(call.bRequest), call.bDialog == null ? null : call.bDialog.getRemoteTag())) {
      modifier.fromB(event, st);
      return;
    }
    responses.send(st, update, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
  }

  /**
   * RFC 3261 12.2.2: an in-dialog request belongs to a call only if its tags name that call's dialog (To tag
   * ours, From tag the peer's); a live call's Call-ID with other tags is no dialog of ours (481), and must
   * not change the call's media. A {@code remoteTag} not known yet is not checked.
   */
  static boolean tagsMatch(Request r, String localTag, String remoteTag) {
    String to = ((ToHeader) r.getHeader(ToHeader.NAME)).getTag();
    String from = fromTag(r);
    return to != null && to.equalsIgnoreCase(localTag) && (remoteTag == null || remoteTag.equalsIgnoreCase(from));
  }

  static String fromTag(Request r) {
    return ((FromHeader) r.getHeader(FromHeader.NAME)).getTag();
  }

  void onAck(RequestEvent event) {
    Call call = byACallId.get(callId(event.getRequest()));
    if (call != null && call.answered()) call.acked = true;
  }

  // ---------------------------------------------------------------- trunk side (B)

  void onResponse(ResponseEvent event) {
    Response r = event.getResponse();
    ClientTransaction ct = event.getClientTransaction();
    String method = ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod();
    Call call = byBCallId.get(callId(r));
    if (call == null) call = byACallId.get(callId(r));
    if (call == null) return;
    if (!Request.INVITE.equals(method) || ct == null || ct != call.bInvite) {
      modifier.onResponse(call, ct, r, method);
      return;
    }
    int code = r.getStatusCode();
    if (code < 200) {
      call.bProvisional = true;
      if (call.ended()) sendCancelB(call);
      else if (code > 100) provisional(call, ct, r);
    } else if (code < 300) {
      answered(call, ct, r);
    } else if (!call.ended() && !call.bAuthRetried && trunk.canAnswer(r)) {
      call.bAuthRetried = true;
      try {
        Request retry = trunk.authenticated(call.bRequest, r);
        call.bRequest = retry;
        call.bInvite = trunk.send(retry);
      } catch (Exception e) {
        fail(call, Response.BAD_GATEWAY, EndReason.ERROR);
      }
    } else if (!call.ended()) {
      call.bInvite = null;
      fail(call, relayedFailure(code), EndReason.NOT_ANSWERED);
    }
  }

  /** What the caller hears for a trunk's failure: hop-by-hop codes are not the caller's business. */
  static int relayedFailure(int code) {
    if (code >= 300 && code < 400) return Response.TEMPORARILY_UNAVAILABLE;
    return switch (code) {
      case 401, 407 -> Response.BAD_GATEWAY; // the trunk refused our credentials: our problem, not the phone's
      case 420, 421, 422, 423, 481, 482, 483, 491, 493 -> Response.SERVER_INTERNAL_ERROR;
      case 503 -> Response.SERVER_INTERNAL_ERROR; // RFC 3261 16.7: a 503 is never passed on
      default -> code;
    };
  }

  private void provisional(Call call, ClientTransaction ct, Response r) {
    if (r.getHeader("RSeq") != null && ct.getDialog() != null) {
      try {
        Request prack = ct.getDialog().createPrack(r);
        ct.getDialog().sendRequest(sip.provider.getNewClientTransaction(prack));
      } catch (Exception e) {
        LOG.log(Level.FINE, "PRACK to trunk failed", e);
      }
    }
    call.state = Call.State.EARLY;
    String bSdp = body(r);
    String aSdp = null;
    if (bSdp != null) {
      SdpRewriter.Audio bAudio = SdpRewriter.audio(bSdp);
      if (SdpRewriter.hasG711(bAudio)) {
        call.relay.b().remote(bAudio);
        // a browser already has its (encrypted) answer from the 183: the trunk's SDP is not for it
        if (call.web == null) {
          aSdp = SdpRewriter.rewrite(bSdp, sip.host, call.relay.a().localPort(), sessionNumber(call), call.aSdpVersion,
              call.relay.a().rtcpMux());
        }
      }
    }
    try {
      Response toA;
      if (call.aReliable) {
        Dialog d = call.aInvite.getDialog();
        toA = d.createReliableProvisionalResponse(r.getStatusCode());
        ((ToHeader) toA.getHeader(ToHeader.NAME)).setTag(call.aToTag);
      } else {
        toA = responses.create(r.getStatusCode(), call.aRequest, call.aToTag);
      }
      toA.addHeader(sip.contact(transportOf(call.aRequest)));
      if (aSdp != null) toA.setContent(aSdp, sip.headers.createContentTypeHeader("application", "sdp"));
      if (call.aReliable) call.aInvite.getDialog().sendReliableProvisionalResponse(toA);
      else responses.send(call.aInvite, toA);
    } catch (Exception e) {
      LOG.log(Level.FINE, "provisional relay failed", e);
    }
  }

  private void answered(Call call, ClientTransaction ct, Response r) {
    Dialog dialog = ct.getDialog();
    try {
      dialog.sendAck(dialog.createAck(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber()));
    } catch (Exception e) {
      LOG.log(Level.FINE, "ACK to trunk failed", e);
    }
    call.bDialog = dialog;
    if (call.ended()) {
      // the caller cancelled while the trunk answered: the trunk's call must not stay up (CANCEL/200 race)
      byeB(call);
      return;
    }
    if (call.answered()) return; // a retransmitted 200
    String bSdp = body(r);
    SdpRewriter.Audio bAudio = SdpRewriter.audio(bSdp);
    if (!SdpRewriter.hasG711(bAudio)) {
      fail(call, Response.NOT_ACCEPTABLE_HERE, EndReason.ERROR);
      return;
    }
    call.bLastSdp = bSdp;
    call.relay.b().remote(bAudio);
    cancelTimer(call.ringTimer);
    call.ringTimer = -1;
    call.state = Call.State.ANSWERED;
    call.answeredAt = clock.instant();
    Future.fromCompletionStage(meter.start(call.sessionId), context).onComplete(ar -> {
      if (ar.failed() || ar.result() != CommandResult.OK) {
        // the meter would not meter it (ended meanwhile, broken ledger): nobody talks unbilled
        end(call, EndReason.ERROR, Response.TEMPORARILY_UNAVAILABLE);
        return;
      }
      if (call.ended()) return;
      answerA(call, bSdp);
    });
  }

  private void answerA(Call call, String bSdp) {
    try {
      Response ok = responses.create(Response.OK, call.aRequest, call.aToTag);
      ok.addHeader(sip.contact(transportOf(call.aRequest)));
      ok.setHeader(sip.headers.createAllowHeader(SipResponses.ALLOW));
      ok.setHeader(sip.headers.createSupportedHeader(SipResponses.SUPPORTED));
      SessionTimers.negotiate(this, call, ok);
      String aSdp = call.web != null ? call.web.answerSdp(sessionNumber(call), call.aSdpVersion)
          : SdpRewriter.rewrite(bSdp, sip.host, call.relay.a().localPort(), sessionNumber(call), call.aSdpVersion,
              call.relay.a().rtcpMux());
      ok.setContent(aSdp, sip.headers.createContentTypeHeader("application", "sdp"));
      call.aLastSentSdp = aSdp;
      call.aDialog = call.aInvite.getDialog();
      if (!responses.send(call.aInvite, ok)) end(call, EndReason.ERROR, 0);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "cannot answer the caller", e);
      end(call, EndReason.ERROR, Response.SERVER_INTERNAL_ERROR);
    }
  }

  void onTimeout(TimeoutEvent event) {
    if (event.isServerTransaction()) {
      ServerTransaction st = event.getServerTransaction();
      Call call = st == null ? null : byACallId.get(callId(st.getRequest()));
      // our 200 was never ACKed (RFC 3261 13.3.1.4): the caller is gone
      if (call != null && call.answered() && !call.acked && st == call.aInvite) endLost(call);
      return;
    }
    ClientTransaction ct = event.getClientTransaction();
    if (ct == null) return;
    Call call = byBCallId.get(callId(ct.getRequest()));
    if (call == null) call = byACallId.get(callId(ct.getRequest()));
    if (call == null) return;
    if (ct == call.bInvite && !call.ended()) {
      fail(call, Response.REQUEST_TIMEOUT, EndReason.NOT_ANSWERED);
    } else {
      modifier.onTimeout(call, ct);
    }
  }

  void onDialogTerminated(DialogTerminatedEvent event) {
    // dialogs end after our BYEs or failures; calls are cleaned up by end(), nothing to do here
  }

  // ---------------------------------------------------------------- ending

  /**
   * The end of the gateway's own share of a call's setup, which began with the INVITE with credentials: the
   * subscriber lookup, the ledger reservation and the media relay are done (or the call ended first). What
   * follows is the trunk's time, or a browser's ICE and DTLS: not ours. The {@link OverloadGate} refuses new
   * calls while the oldest call still in its own setup is old: a meter or database that falls behind does not
   * show in the event loops' queues, but is overload all the same.
   */
  private void ownSetupDone(Call call) {
    if (settingUp.remove(call)) publishOldestSetup();
  }

  private void publishOldestSetup() {
    gate.oldestSetup(shard, settingUp.isEmpty() ? 0 : settingUp.iterator().next().receivedNanos);
  }

  /** Refuses a call not yet answered: the final code to the caller, the trunk cancelled, the meter stopped. */
  void fail(Call call, int code, EndReason reason) {
    end(call, reason == null ? EndReason.NOT_ANSWERED : reason, code);
  }

  /**
   * Ends a call whose caller is gone without a BYE (no session refresh, a failed refresh, no ACK for our 200):
   * its time is billed only until its media was last heard, not for the time it took to notice.
   */
  void endLost(Call call) {
    if (call.ended()) return;
    if (call.answeredAt != null) {
      long answered = call.answeredAt.toEpochMilli();
      call.billUntilMs = Math.max(answered, call.relay == null ? answered : call.relay.a().lastHeardMs());
    }
    end(call, EndReason.ERROR, 0);
  }

  /**
   * A caller's connection closed (a browser's WebSocket: tab killed, close frame, FIN or RST). Its dialogs
   * cannot go on (RFC 7118 5), so its calls end now rather than after the media-inactivity limit: an answered
   * one as a lost caller, billed until its media was last heard ({@link #endLost}), a ringing one cancelled
   * (CANCEL to the trunk, nothing billed). Nothing is sent back over the dead connection.
   */
  void onFlowClosed(String flow) {
    java.util.Set<Call> calls = byFlow.get(flow);
    if (calls == null) return;
    int ended = 0;
    for (Call c : new ArrayList<>(calls)) { // ending a call untracks it
      if (c.ended()) continue;
      Dialog dialog = c.aDialog != null ? c.aDialog : c.aInvite == null ? null : c.aInvite.getDialog();
      c.aDialog = null;
      if (c.answered()) {
        endLost(c);
      } else {
        end(c, EndReason.CANCELLED, 0);
        // no final answer can reach the browser: free the INVITE transaction now instead of sending into nothing
        try {
          if (c.aInvite != null) c.aInvite.terminate();
        } catch (javax.sip.ObjectInUseException e) {
          LOG.log(Level.FINE, "browser INVITE transaction already ending", e);
        }
      }
      if (dialog != null) dialog.delete(); // no BYE will ever end it in jain-sip
      ended++;
    }
    if (ended > 0) {
      int n = ended;
      LOG.info(() -> "a browser connection closed: " + n + " call(s) ended");
    }
  }

  /**
   * Ends a call however it ends: the caller gets {@code codeIfUnanswered} (or BYE once answered), the
   * trunk CANCEL (or BYE once answered), the meter stops (it bills only answered time), media ports are
   * released, the call is forgotten. Idempotent.
   */
  void end(Call call, EndReason reason, int codeIfUnanswered) {
    if (call.ended()) return;
    ownSetupDone(call);
    boolean wasAnswered = call.answered();
    call.state = Call.State.ENDED;
    call.endReason = reason;
    cancelTimer(call.ringTimer);
    cancelTimer(call.sessionTimer);
    cancelTimer(call.refreshTimer);
    if (wasAnswered) {
      byeA(call);
    } else if (codeIfUnanswered >= 300 && call.aInvite != null) {
      responses.send(call.aInvite, call.aRequest, codeIfUnanswered, call.aToTag);
    }
    if (call.bDialog != null && wasAnswered) byeB(call);
    else sendCancelB(call);
    if (call.sessionId != null) {
      EndReason stopReason = wasAnswered ? reason : (reason == EndReason.CANCELLED ? EndReason.CANCELLED : EndReason.NOT_ANSWERED);
      Future.fromCompletionStage(call.billUntilMs > 0
              ? meter.stop(call.sessionId, stopReason, java.time.Instant.ofEpochMilli(call.billUntilMs))
              : meter.stop(call.sessionId, stopReason), context)
          .onFailure(e -> LOG.log(Level.WARNING, "meter stop failed; the meter settles it from its checkpoint", e));
    }
    if (call.relay != null) call.relay.close();
    if (call.sockets != null) call.sockets.close(); // the relay closed it, unless the call ended before it opened
    if (call.browserSockets != null) call.browserSockets.close();
    if (call.web != null) call.web.close();
    untrack(call);
  }

  private void byeA(Call call) {
    Dialog d = call.aDialog;
    call.aDialog = null;
    if (d == null) return;
    try {
      Request bye = d.createRequest(Request.BYE);
      if (call.browserOffer != null) backOverTheWebSocket(call, bye);
      d.sendRequest(sip.provider.getNewClientTransaction(bye));
    } catch (Exception e) {
      LOG.log(Level.FINE, "BYE to caller failed", e);
    }
  }

  /**
   * A browser's Contact is a made-up {@code .invalid} host (RFC 7118 5.2): requests to it must go back over
   * the WebSocket its INVITE came on, so they are routed to that connection's address and port.
   */
  void backOverTheWebSocket(Call call, Request r) throws java.text.ParseException, javax.sip.SipException {
    gov.nist.javax.sip.message.SIPRequest in = (gov.nist.javax.sip.message.SIPRequest) call.aRequest;
    java.net.InetAddress address = in.getPeerPacketSourceAddress() != null ? in.getPeerPacketSourceAddress() : in.getRemoteAddress();
    int port = in.getPeerPacketSourceAddress() != null ? in.getPeerPacketSourcePort() : in.getRemotePort();
    if (address == null || port <= 0) return;
    SipURI hop = sip.addresses.createSipURI(null, address.getHostAddress());
    hop.setPort(port);
    hop.setTransportParam(transportOf(call.aRequest));
    hop.setLrParam();
    r.addFirst(sip.headers.createRouteHeader(sip.addresses.createAddress(hop)));
  }

  private void byeB(Call call) {
    Dialog d = call.bDialog;
    call.bDialog = null;
    if (d == null) return;
    try {
      Request bye = d.createRequest(Request.BYE);
      d.sendRequest(sip.provider.getNewClientTransaction(bye));
    } catch (Exception e) {
      LOG.log(Level.FINE, "BYE to trunk failed", e);
    }
  }

  /** CANCEL the trunk's INVITE; before any provisional answer only once one arrives (RFC 3261 9.1). */
  void sendCancelB(Call call) {
    ClientTransaction ct = call.bInvite;
    if (ct == null || call.bDialog != null || call.bCancelled) return;
    if (!call.bProvisional) {
      call.cancelPending = true;
      return;
    }
    call.bCancelled = true;
    try {
      sip.provider.getNewClientTransaction(ct.createCancel()).sendRequest();
    } catch (Exception e) {
      LOG.log(Level.FINE, "CANCEL to trunk failed", e);
    }
  }

  private void sweepInactive() {
    // a call stuck in its own setup (a meter that never answers) must neither hang its caller nor hold the
    // overload gate shut: 503, as for a meter that fails
    long setupDeadline = gate.now() - OWN_SETUP_TIMEOUT_NANOS;
    while (!settingUp.isEmpty() && settingUp.iterator().next().receivedNanos - setupDeadline < 0) {
      Call stuck = settingUp.iterator().next();
      LOG.warning(() -> "call setup stuck in the gateway for " + OWN_SETUP_TIMEOUT_NANOS / 1_000_000_000L + " s: 503");
      fail(stuck, Response.SERVICE_UNAVAILABLE, EndReason.ERROR);
      settingUp.remove(stuck);
    }
    publishOldestSetup();
    long now = clock.millis();
    long limit = options.mediaInactivity().toMillis();
    for (Call c : new ArrayList<>(byId.values())) {
      if (!c.answered() || c.relay == null || c.answeredAt == null) continue;
      if (!c.relay.a().receives() || !c.relay.b().receives()) continue; // on hold: silence is expected
      long answered = c.answeredAt.toEpochMilli();
      if (now - answered <= limit) continue;
      long lastHeard = c.relay.lastHeardMs();
      long browserHeard = c.relay.a().lastHeardMs();
      // Silence on both sides means the call is dead. A browser also sends while muted (silence frames), so
      // a browser that stopped sending is gone (network cut, tab closed, crash) even if the PSTN side still
      // plays: it could never hang up, and the far end would be billed to the member until the balance ran out.
      boolean silent = now - lastHeard > limit;
      boolean browserGone = c.web != null && now - browserHeard > limit;
      if (silent || browserGone) {
        c.billUntilMs = Math.max(answered, silent ? lastHeard : browserHeard); // not the time it took to notice
        end(c, EndReason.ERROR, 0);
      }
    }
  }

  void cancelTimer(long id) {
    if (id >= 0) vertx.cancelTimer(id);
  }

  Vertx vertx() {
    return vertx;
  }

  CallModifier modifier() {
    return modifier;
  }

  /** Calls per browser flow in the index (tests: it must be empty once the calls have ended). */
  Map<String, Integer> flowIndex() {
    Map<String, Integer> out = new HashMap<>();
    byFlow.forEach((flow, calls) -> out.put(flow, calls.size()));
    return out;
  }

  Call byACallId(String callId) {
    return byACallId.get(callId);
  }

  Call byBCallId(String callId) {
    return byBCallId.get(callId);
  }

  private void track(Call call) {
    byId.put(call.id, call);
    byACallId.put(call.aCallId, call); // its slot in the limits was taken by the admission
    if (call.flow != null) byFlow.computeIfAbsent(call.flow, f -> new java.util.HashSet<>()).add(call);
  }

  private void untrack(Call call) {
    if (byId.remove(call.id) == null) return;
    byACallId.remove(call.aCallId);
    if (call.flow != null) {
      java.util.Set<Call> calls = byFlow.get(call.flow);
      if (calls != null && calls.remove(call) && calls.isEmpty()) byFlow.remove(call.flow);
    }
    // the B Call-ID stays reachable briefly so a late 200 (CANCEL race) still gets its ACK and BYE
    if (call.bCallId != null) vertx.setTimer(32_000, id -> byBCallId.remove(call.bCallId, call));
    limits.release(call.owner);
  }

  static long sessionNumber(Call call) {
    return Math.abs(call.id.hashCode());
  }

  static String callId(javax.sip.message.Message m) {
    return ((CallIdHeader) m.getHeader(CallIdHeader.NAME)).getCallId();
  }

  static String branch(Request r) {
    javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) r.getHeader(javax.sip.header.ViaHeader.NAME);
    return via == null || via.getBranch() == null ? "" : via.getBranch();
  }

  static String transportOf(Request r) {
    javax.sip.header.ViaHeader via = (javax.sip.header.ViaHeader) r.getHeader(javax.sip.header.ViaHeader.NAME);
    return via == null ? "udp" : via.getTransport().toLowerCase(java.util.Locale.ROOT);
  }

  static String body(javax.sip.message.Message m) {
    byte[] raw = m.getRawContent();
    return raw == null || raw.length == 0 ? null : new String(raw, StandardCharsets.UTF_8);
  }
}
